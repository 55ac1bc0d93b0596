package io.shallowserve.server.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.exec.ThreadDefaults;
import io.shallowserve.runtime.repository.TestRepository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What bin/bench prints, on the committed models with a few runs; never how fast anything was. */
class PlanBenchmarkTest {

    @TempDir
    Path folder;

    @Test
    void run_committedModels_everyPlanAtBothBatchesAndRatiosToTheBestDeep() throws Exception {
        String report = PlanBenchmark.run(Path.of("../models"), null, 1, 3, "--warmup 1 --runs 3");

        int deepThreads = ThreadDefaults.intraOpThreadsMax();
        for (int batch : new int[] {1, 8}) {
            for (int threads = 1; threads <= deepThreads; threads++) {
                assertThat(report).contains("| deep-single " + threads + "t | " + batch + " | ");
            }
            List<String> plans = new ArrayList<>(List.of("shallow-single", "shallow-wide", "shallow-branches"));
            for (int threads = 2; threads <= deepThreads; threads++) {
                plans.addAll(List.of("shallow-single " + threads + "t", "shallow-wide " + threads + "t"));
            }
            for (String plan : plans) {
                assertThat(report).contains("| " + plan + " | " + batch + " | ");
                assertThat(report).containsPattern("\\| " + plan + " \\| " + batch
                        + " \\| deep-single [1-4]t \\| [0-9.]+ \\| [0-9.]+ \\|");
            }
        }
        assertThat(report).contains("- command: `bin/bench --warmup 1 --runs 3`");
    }

    @Test
    void run_againstAnotherVersion_timesItInTheShallowModelsPlaceNamedByItsShape() throws Exception {
        // The committed shallow graphs under a parnet manifest of 8 one-unit streams: the bench reads the shape.
        Path version = TestRepository.copyAs(TestRepository.SHALLOW, "fashion-parnet", folder, 1);
        TestRepository.editManifest(version, json -> {
            json.addProperty("shape", "parnet");
            json.getAsJsonObject("architecture").addProperty("streams", 8);
        });

        String report = PlanBenchmark.run(Path.of("../models"), version, 1, 3, "--against " + version);

        assertThat(report).contains("; fashion-parnet/1 (parnet, 8 units of width 24")
                .contains("| parnet-single | 1 | ").contains("| parnet-branches | 8 | ")
                .doesNotContain("shallow-");
    }
}
