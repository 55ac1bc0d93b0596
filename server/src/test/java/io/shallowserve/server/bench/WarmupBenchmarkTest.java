package io.shallowserve.server.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.exec.PlanChoice;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What bin/bench warmup prints, on the committed models with a few rounds; never how fast anything was. */
class WarmupBenchmarkTest {

    @Test
    void run_committedModels_firstSecondAndSettledRowsOfEachModel() throws Exception {
        String report = WarmupBenchmark.run(Path.of("../models"), PlanChoice.BRANCHES, 2, 3,
                "--plan branches --rounds 2 --runs 3");

        for (String model : new String[] {"fashion-deep", "fashion-shallow"}) {
            for (String run : new String[] {"first (no warm-up)", "second (after 1 warm-up run)", "settled"}) {
                assertThat(report).containsPattern("\\| " + model + " \\| " + run.replace("(", "\\(")
                        .replace(")", "\\)") + " \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|"
                        + " [0-9.]+ \\|");
            }
        }
        assertThat(report).contains("- command: `bin/bench warmup --plan branches --rounds 2 --runs 3`")
                .contains("- plan branches, batch 1, 2 rounds");
    }
}
