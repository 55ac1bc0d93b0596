package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed trained parnet model (research/parnet) on every test image: its graph reaches the accuracy its
 * model.json records, and the branches plan, which runs its two streams at once, computes what single does.
 */
class ParnetModelTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");

    private static ExecutorService branchPool;
    private static ModelVersion parnet;

    @BeforeAll
    static void load() throws Exception {
        branchPool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("parnet-test-branch-", 0).factory());
        parnet = (ModelVersion) ModelRepository.verify(TestRepository.PARNET);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        branchPool.shutdown();
        assertThat(branchPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void branches_equalSingleAndReachTheRecordedAccuracyOnEveryTestImage() throws Exception {
        try (SinglePlan single = new SinglePlan(SESSIONS, parnet, 1);
                BranchesPlan branches = new BranchesPlan(SESSIONS, parnet, branchPool, 1)) {
            TestImages.assertSameLogits(single, branches);

            assertThat(TestImages.accuracy(branches))
                    .isCloseTo(parnet.manifest().metrics().get("test").accuracy(), within(0.002));
        }
        assertThat(parnet.manifest().branches().branches()).hasSize(parnet.manifest().architecture().streams());
    }
}
