package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wide plan, and that a load fuses once for all its wide candidates and instances; and the parity of both fused
 * plans, wide and grouped, with single on every test image.
 */
class WidePlanTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");

    private static ExecutorService branchPool;
    private static ModelVersion shallow;
    private static float[] images;

    @BeforeAll
    static void load() throws Exception {
        branchPool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("wide-test-branch-", 0).factory());
        shallow = TestRepository.verified(TestRepository.SHALLOW);
        images = TestImages.images();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        branchPool.shutdown();
        assertThat(branchPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void run_equalsSingleAtBatch1And8() throws Exception {
        try (SinglePlan single = new SinglePlan(SESSIONS, shallow, 1);
                WidePlan wide = new WidePlan(SESSIONS, shallow, 1)) {
            assertThat(wide.name()).isEqualTo("wide");
            for (int batch : new int[] {1, 8}) {
                float[] pixels = Arrays.copyOf(images, batch * FashionMnist.PIXELS);

                float[] expected = single.logits(pixels, batch);
                PlanResult result = wide.run(List.of(Tensor.ofFloats("input", new long[] {batch, 1, 28, 28},
                        pixels)));
                float[] actual = result.outputs().getFirst().floats();

                assertThat(actual).hasSize(batch * 10)
                        .containsExactly(expected, within(1e-5f * Logits.maxAbs(expected)));
                for (int image = 0; image < batch; image++) {
                    assertThat(Logits.argmax(actual, image, 10)).isEqualTo(Logits.argmax(expected, image, 10));
                }
                assertThat(result.branchNanos()).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {WidePlan.NAME, BranchesPlan.GROUPED})
    void run_fusedPlansEqualSingleOnEveryTestImage(String plan) throws Exception {
        try (SinglePlan single = new SinglePlan(SESSIONS, shallow, 2);
                ExecutionPlan fused = plan.equals(WidePlan.NAME) ? new WidePlan(SESSIONS, shallow, 2)
                        : BranchesPlan.grouped(SESSIONS, shallow, branchPool, 1)) {
            assertThat(fused.name()).isEqualTo(plan);
            TestImages.assertSameLogits(single, fused);
        }
    }

    @Test
    void load_auto_fusesOnceForEveryWideCandidateAndInstance() throws Exception {
        AtomicInteger fusions = new AtomicInteger();

        PlanLoader.LoadedPlan loaded = countingFusions(fusions).load(shallow, PlanChoice.AUTO, 2);
        loaded.instances().forEach(ExecutionPlan::close);

        assertThat(loaded.measuredMicros()).containsKeys(
                PlanCandidates.atEveryThreadCount(WidePlan.NAME).toArray(String[]::new));
        assertThat(loaded.instances()).hasSize(2);
        assertThat(fusions).hasValue(1);
    }

    @Test
    void load_wideInstances_shareOneFusion() throws Exception {
        AtomicInteger fusions = new AtomicInteger();

        PlanLoader.LoadedPlan loaded = countingFusions(fusions).load(shallow, PlanChoice.WIDE, 3);
        try {
            assertThat(loaded.instances()).hasSize(3).doesNotHaveDuplicates()
                    .allSatisfy(plan -> assertThat(plan.name()).isEqualTo(WidePlan.NAME));
            assertThat(fusions).hasValue(1);
            float[] first = loaded.instances().getFirst().logits(FashionMnist.image(images, 0), 1);
            for (ExecutionPlan plan : loaded.instances()) {
                assertThat(plan.logits(FashionMnist.image(images, 0), 1)).containsExactly(first);
            }
        } finally {
            loaded.instances().forEach(ExecutionPlan::close);
        }
    }

    @Test
    void open_deepModel_isRefusedWithTheReason() throws Exception {
        ModelVersion deep = TestRepository.verified(TestRepository.DEEP);

        assertThatExceptionOfType(ModelVersionException.class).isThrownBy(() -> new WidePlan(SESSIONS, deep, 1))
                .withMessageContaining("fashion-deep")
                .withMessageEndingWith("model.onnx has no parallel convolutions that read one tensor and are summed,"
                        + " so the wide plan has nothing to fuse (a deep, tat or parnet model has none); serve it"
                        + " with plan single");
    }

    /** A loader whose wide graphs are made as the server's are, each counted in {@code fusions}. */
    private static PlanLoader countingFusions(AtomicInteger fusions) {
        return new PlanLoader(SESSIONS, branchPool, 1, model -> {
            fusions.incrementAndGet();
            return WideGraph.fuse(SESSIONS, model);
        });
    }
}
