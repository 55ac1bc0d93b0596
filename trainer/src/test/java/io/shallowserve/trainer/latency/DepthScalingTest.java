package io.shallowserve.trainer.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.groups.Tuple.tuple;

import io.shallowserve.runtime.exec.ThreadDefaults;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The experiment on two small depths with a few runs: what it measures and writes, never how fast. */
class DepthScalingTest {

    @TempDir
    Path folder;

    @Test
    void spec_budget_widestUnitsThatFit() {
        ArchitectureSpec spec = DepthScaling.spec(4, 53_322);

        assertThat(spec.width()).isEqualTo(32);
        assertThat(spec.parameterCount()).isEqualTo(53_322);
        assertThat(DepthScaling.spec(16, 53_322).width()).isLessThan(32);
        assertThatIllegalArgumentException().isThrownBy(() -> DepthScaling.spec(32, 1_000))
                .withMessageContaining("give a larger --budget");
    }

    @Test
    void measure_twoDepths_everyPlanAtBothBatchesAndBothFilesWritten() throws Exception {
        List<String> progress = new ArrayList<>();

        List<DepthScaling.Row> rows = DepthScaling.measure(List.of(2, 4), 20_000, 1, 3, folder.resolve("work"),
                progress::add);

        assertThat(rows).extracting(DepthScaling.Row::units, DepthScaling.Row::batch)
                .containsExactly(tuple(2, 1), tuple(2, 8),
                        tuple(4, 1), tuple(4, 8));
        for (DepthScaling.Row row : rows) {
            assertThat(row.parameters()).isLessThanOrEqualTo(20_000);
            assertThat(row.deepThreads()).isBetween(1, ThreadDefaults.intraOpThreadsMax());
            assertThat(row.deep().p50()).isPositive();
            // Two units are no more branches than the groups of a machine with 2 or more cores: no grouped plan.
            assertThat(row.shallow().keySet()).containsAll(List.of("single", "wide", "branches"))
                    .isSubsetOf(DepthScaling.SHALLOW_PLANS);
            assertThat(row.shallow().values()).allSatisfy(plan -> {
                assertThat(plan.percentiles().p50()).isPositive();
                assertThat(plan.threads()).isBetween(1, ThreadDefaults.intraOpThreadsMax());
            });
        }
        assertThat(rows.get(0).width()).isGreaterThan(rows.get(2).width());
        assertThat(progress).hasSize(2).allSatisfy(line -> assertThat(line).contains("parameters"));

        List<Path> files = DepthScalingReport.write(folder.resolve("out"), rows, "bin/trainer depth-scaling", "here");
        String table = Files.readString(files.get(0));
        assertThat(table).contains("- command: `bin/trainer depth-scaling`")
                .contains("| wide p50 µs (× deep, threads) |").contains("| 4 | ").contains("](depth-scaling.svg)");
        assertThat(Files.readString(files.get(1))).startsWith("<svg").contains("shallow wide");
    }
}
