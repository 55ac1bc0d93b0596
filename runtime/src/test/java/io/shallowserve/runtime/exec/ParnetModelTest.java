package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import java.util.Arrays;
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

    private static final int TEST_IMAGES = 10_000;
    private static final int BATCH = 250;
    private static final SessionFactory SESSIONS = new SessionFactory("cpu");

    private static ExecutorService branchPool;
    private static ModelVersion parnet;
    private static float[] images;
    private static int[] labels;

    @BeforeAll
    static void load() throws Exception {
        branchPool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("parnet-test-branch-", 0).factory());
        parnet = (ModelVersion) ModelRepository.verify(TestRepository.PARNET);
        images = FashionMnist.testImages(TEST_IMAGES);
        labels = FashionMnist.testLabels(TEST_IMAGES);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        branchPool.shutdown();
        assertThat(branchPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void branches_equalSingleAndReachTheRecordedAccuracyOnEveryTestImage() throws Exception {
        int correct = 0;
        try (SinglePlan single = new SinglePlan(SESSIONS, parnet, 1);
                BranchesPlan branches = new BranchesPlan(SESSIONS, parnet, branchPool, 1)) {
            for (int first = 0; first < TEST_IMAGES; first += BATCH) {
                float[] pixels = Arrays.copyOfRange(images, first * FashionMnist.PIXELS,
                        (first + BATCH) * FashionMnist.PIXELS);

                float[] expected = single.logits(pixels, BATCH);
                float[] actual = branches.logits(pixels, BATCH);

                assertThat(Logits.maxDifference(expected, actual)).as("images %d to %d", first, first + BATCH)
                        .isLessThanOrEqualTo(1e-5f * Logits.maxAbs(expected));
                for (int image = 0; image < BATCH; image++) {
                    if (Logits.argmax(actual, image, 10) == labels[first + image]) {
                        correct++;
                    }
                }
            }
        }
        assertThat(parnet.manifest().branches().branches()).hasSize(parnet.manifest().architecture().streams());
        assertThat((double) correct / TEST_IMAGES)
                .isCloseTo(parnet.manifest().metrics().get("test").accuracy(), within(0.002));
    }
}
