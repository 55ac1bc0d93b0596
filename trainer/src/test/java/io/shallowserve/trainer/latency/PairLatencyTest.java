package io.shallowserve.trainer.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.trainer.data.ImageDataset;
import io.shallowserve.trainer.data.RealData;
import io.shallowserve.trainer.repository.ModelManifest;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The plans run the committed default pair as the server would; what they return is checked, never their times. */
class PairLatencyTest {

    private static final Path DEEP = Path.of("..", "models", "fashion-deep", "1");
    private static final Path SHALLOW = Path.of("..", "models", "fashion-shallow", "1");

    @Test
    void branchesPlan_committedShallowModel_sameLogitsAsOneSession() throws Exception {
        ModelManifest manifest = ModelManifest.read(SHALLOW.resolve(ModelManifest.FILE_NAME));
        ImageDataset test = RealData.fashionMnist().test();
        float[] pixels = test.pixelsAsFloats(0, 3);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (SinglePlan single = new SinglePlan(SHALLOW, manifest, 1);
                BranchesPlan branches = new BranchesPlan(SHALLOW, manifest, pool, 1)) {
            float[] whole = single.run(pixels, 3);
            float[] split = branches.run(pixels, 3);

            assertThat(split).hasSize(30);
            float largest = 0;
            for (float logit : whole) {
                largest = Math.max(largest, Math.abs(logit));
            }
            for (int i = 0; i < whole.length; i++) {
                assertThat(split[i]).isCloseTo(whole[i], within(1e-5f * largest));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void branchesPlan_deepModel_saysItHasNoBranches() throws Exception {
        ModelManifest manifest = ModelManifest.read(DEEP.resolve(ModelManifest.FILE_NAME));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            assertThatThrownBy(() -> new BranchesPlan(DEEP, manifest, pool, 1)).hasMessageContaining("no branches");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void measure_committedPair_givesPercentilesOfEveryPlan() throws Exception {
        PairLatency.Result result = PairLatency.measure(DEEP, SHALLOW, 2, 20);

        for (Percentiles plan : new Percentiles[] {result.deepSingle(), result.shallowSingle(),
                result.shallowBranches()}) {
            assertThat(plan.p50()).isPositive().isLessThanOrEqualTo(plan.p90());
            assertThat(plan.p90()).isLessThanOrEqualTo(plan.p99());
            assertThat(plan.p99()).isLessThanOrEqualTo(plan.max());
        }
    }

    @Test
    void of_tenDurations_nearestRankPercentilesInMicroseconds() {
        long[] nanos = {10_000, 1_000, 9_000, 2_000, 8_000, 3_000, 7_000, 4_000, 6_000, 5_000};

        assertThat(Percentiles.of(nanos)).isEqualTo(new Percentiles(5, 9, 10, 10));
    }
}
