package io.shallowserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.report.ComparisonResult;
import io.shallowserve.loadtest.report.Measurement;
import io.shallowserve.loadtest.report.ReportWriter;
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
 * A smoke run of the whole comparison, both generators, against the real server started in-process once per plan:
 * short steps at low load, then the report's structure. Times are not asserted.
 */
class ComparisonTest {

    @TempDir
    Path folder;

    @Test
    void run_tinyComparison_servesEveryRequestAndWritesTheReport() throws Exception {
        // Gatling rounds its steps up to whole seconds.
        ComparisonSettings tiny = new ComparisonSettings("smoke", List.of("single", "branches"),
                Duration.ofMillis(500), Duration.ofMillis(200), List.of(1), List.of(50.0), List.of(), 20, 50);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        ComparisonResult result = new Comparison(tiny, InProcessServer.MODELS, ImageSet.defaultTestImages(), folder,
                InProcessServer.launcher(), new PrintStream(progress, true, StandardCharsets.UTF_8), "test").run();
        ReportWriter.write(result, folder);

        assertThat(result.errors()).as(progress.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(result.served()).extracting(s -> s.label())
                .containsExactly("fashion-deep / single", "fashion-shallow / single", "fashion-shallow / branches");
        // Per served model: 2 driver steps over gRPC, 1 over HTTP, 1 Gatling step.
        assertThat(result.measurements()).hasSize(3 * 4);
        assertThat(result.measurements()).filteredOn(m -> m.generator().equals(Measurement.GATLING)).hasSize(3)
                .allSatisfy(m -> assertThat(m.summary().requests()).isPositive());
        assertThat(result.compute()).hasSize(3);
        assertThat(result.noOps()).hasSize(4);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("| fashion-deep | single | gRPC | driver | open 50/s |",
                "| fashion-shallow | branches | HTTP | Gatling | open 50/s |",
                "| fashion-shallow | branches | HTTP | driver | closed 1 |",
                "| fashion-shallow | single | gRPC |");
        String html = Files.readString(folder.resolve(ReportWriter.HTML));
        assertThat(html).contains("<svg ", "latency against offered load", "latency distribution");
        assertThat(Files.exists(folder.resolve(result.gatlingReports().getFirst()))).isTrue();
    }
}
