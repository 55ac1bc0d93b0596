package io.shallowserve.trainer.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed default pair timed as the sweep times it; what comes back is checked, never the times. */
class PairLatencyTest {

    private static final Path DEEP = Path.of("..", "models", "fashion-deep", "1");
    private static final Path SHALLOW = Path.of("..", "models", "fashion-shallow", "1");

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
    void measure_folderWithoutModel_isRefusedAsTheServerWould() {
        assertThatThrownBy(() -> PairLatency.measure(DEEP, Path.of("..", "models"), 0, 1))
                .isInstanceOf(ModelVersionException.class)
                .hasMessageContaining("not a version folder");
    }
}
