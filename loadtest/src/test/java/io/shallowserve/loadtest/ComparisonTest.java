package io.shallowserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.report.Batching;
import io.shallowserve.loadtest.report.ComparisonResult;
import io.shallowserve.loadtest.report.Measurement;
import io.shallowserve.loadtest.report.ReportWriter;
import io.shallowserve.loadtest.report.ServedModel;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the whole comparison, both generators, against the real server started in-process twice per plan
 * (batching off and on): short steps at low load, then the report's structure. Times are not asserted: the capacity
 * search's target is so loose (10 s) that only a failed request could miss it.
 */
class ComparisonTest {

    @TempDir
    Path folder;

    @Test
    void servesUnder_eachShape_thePlansThatDifferForIt() throws Exception {
        ModelManifest deep = ModelRepository.verify(InProcessServer.MODELS.resolve("fashion-deep/1")).manifest();
        ModelManifest shallow = ModelRepository.verify(InProcessServer.MODELS.resolve("fashion-shallow/1")).manifest();
        ModelManifest parnet = ModelRepository.verify(TestRepository.PARNET).manifest();
        List<String> plans = List.of("single", "wide", "grouped", "branches", "auto");

        assertThat(plans).filteredOn(plan -> Comparison.servesUnder(deep, plan, "single"))
                .containsExactly("single", "auto");
        assertThat(plans).filteredOn(plan -> Comparison.servesUnder(shallow, plan, "single")).isEqualTo(plans);
        assertThat(plans).filteredOn(plan -> Comparison.servesUnder(parnet, plan, "single"))
                .containsExactly("single", "grouped", "branches", "auto");
    }

    @Test
    void run_tinyComparison_servesEveryRequestAndWritesTheReport() throws Exception {
        // Gatling rounds its steps up to whole seconds.
        ComparisonSettings tiny = new ComparisonSettings("smoke", List.of("single", "wide", "auto"), 2,
                Duration.ofMillis(200), List.of(1, 8), List.of("single", "branches"),
                Duration.ofMillis(500), Duration.ofMillis(200), List.of(1, 4), List.of(50.0), List.of(), 20, 50,
                Batching.on(500), Duration.ofMillis(300), new CapacitySearch.Plan(50, 50, 100, 2, 1), 10_000_000);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        ComparisonResult result = new Comparison(tiny, InProcessServer.MODELS, ImageSet.defaultTestImages(), folder,
                InProcessServer.launcher(), new PrintStream(progress, true, StandardCharsets.UTF_8), "test").run();
        ReportWriter.write(result, folder);

        assertThat(result.errors()).as(progress.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(result.served()).extracting(s -> s.label())
                .containsExactly("fashion-deep / single", "fashion-shallow / single", "fashion-shallow / branches");
        // Per served model: 3 driver steps over gRPC, 1 over HTTP in JSON, 1 in binary tensor data, 1 Gatling step.
        assertThat(result.measurements()).hasSize(3 * 6);
        assertThat(result.measurements()).filteredOn(m -> m.generator().equals(Measurement.GATLING)).hasSize(3)
                .allSatisfy(m -> assertThat(m.summary().requests()).isPositive());
        // The rounds: deep under single and auto, shallow under single, wide and auto; 2 rounds at batch 1 and 8.
        assertThat(result.rounds()).hasSize(5 * 2 * 2).allSatisfy(step -> assertThat(step.summary().requests())
                .isPositive());
        assertThat(result.rounds()).extracting(step -> step.served().label()).containsOnly("fashion-deep / single",
                "fashion-deep / auto", "fashion-shallow / single", "fashion-shallow / wide", "fashion-shallow / auto");
        assertThat(ReportWriter.headline(result)).hasSize(2);
        // Every model of the rounds and of the load steps, once.
        assertThat(result.compute()).hasSize(6);
        assertThat(result.noOps()).hasSize(4);
        // Per served model and batching: one in flight, saturated (4 in flight), then the search up to its ceiling,
        // 50/s and 100/s.
        assertThat(result.batching().steps()).hasSize(3 * 2 * 4)
                .allSatisfy(step -> assertThat(step.meanBatchSize()).isGreaterThanOrEqualTo(1));
        for (ServedModel served : result.served()) {
            for (Batching batching : List.of(Batching.OFF, Batching.on(500))) {
                assertThat(result.batching().steps())
                        .filteredOn(step -> step.served().equals(served) && step.batching().equals(batching))
                        .extracting(step -> step.load().label())
                        .containsExactly("closed 1", "closed 4", "open 50/s", "open 100/s");
            }
        }

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("## Deep against shallow, every plan, in rounds", "| 8 | fashion-shallow | wide | 2 |",
                "- headline, batch 1: fashion-shallow / ");
        assertThat(md).contains("| fashion-deep | single | gRPC | driver | open 50/s |",
                "| fashion-shallow | branches | HTTP | Gatling | open 50/s |",
                "| fashion-shallow | branches | HTTP | driver | closed 1 |",
                "| fashion-shallow | branches | HTTP binary | driver | closed 1 |",
                "| fashion-shallow | single | gRPC |",
                "| HTTP binary | driver | closed 1 |");
        // The floors table: compute p50 in the fourth column, where the latency table has the generator.
        assertThat(md).containsPattern("\\| fashion-deep \\| single \\| HTTP binary \\| [0-9.]+ \\|");
        assertThat(md).contains("| fashion-shallow | branches | on, 500 µs | >= 100 |",
                "| fashion-deep | single | off | open 100/s |",
                "## One request in flight, batching off and on",
                "## Saturated: 4 requests in flight, batching off and on");
        String html = Files.readString(folder.resolve(ReportWriter.HTML));
        assertThat(html).contains("<svg ", "latency against offered load", "latency distribution",
                "fashion-deep / single: gRPC p99 against offered rate, batching off and on");
        assertThat(Files.exists(folder.resolve(result.gatlingReports().getFirst()))).isTrue();
    }
}
