package io.shallowserve.server.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.exec.ThreadDefaults;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What bin/bench prints, on the committed models with a few runs; never how fast anything was. */
class PlanBenchmarkTest {

    @Test
    void run_committedModels_everyPlanAtBothBatchesAndRatiosToTheBestDeep() throws Exception {
        String report = PlanBenchmark.run(Path.of("../models"), 1, 3, "--warmup 1 --runs 3");

        int deepThreads = ThreadDefaults.intraOpThreadsMax();
        for (int batch : new int[] {1, 8}) {
            for (int threads = 1; threads <= deepThreads; threads++) {
                assertThat(report).contains("| deep-single " + threads + "t | " + batch + " | ");
            }
            for (String plan : new String[] {"shallow-single", "shallow-wide", "shallow-branches"}) {
                assertThat(report).contains("| " + plan + " | " + batch + " | ");
                assertThat(report).containsPattern("\\| " + plan + " \\| " + batch
                        + " \\| deep-single [1-4]t \\| [0-9.]+ \\| [0-9.]+ \\|");
            }
        }
        assertThat(report).contains("- command: `bin/bench --warmup 1 --runs 3`");
    }
}
