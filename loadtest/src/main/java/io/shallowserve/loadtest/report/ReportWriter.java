package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.DriveCommand;
import io.shallowserve.runtime.report.Html;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Writes the report folder: {@code report.md} (tables; plots as files under {@code plots/}), {@code report.html}
 * (the same, plots inline, one file to open), {@code results.json} (every number, for other tools).
 */
public final class ReportWriter {

    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";
    public static final String JSON = "results.json";

    private ReportWriter() {}

    /** Writes every file of the report into {@code directory}. */
    public static void write(ComparisonResult result, Path directory) throws IOException {
        Path plots = Files.createDirectories(directory.resolve("plots"));
        // An earlier run's plots of models or plans this run did not serve would otherwise stay beside the new ones.
        try (Stream<Path> earlier = Files.list(plots)) {
            for (Path plot : earlier.filter(file -> file.toString().endsWith(".svg")).toList()) {
                Files.delete(plot);
            }
        }
        List<Charts.Chart> charts = Charts.all(result);
        for (Charts.Chart chart : charts) {
            Files.writeString(directory.resolve("plots").resolve(chart.file()), chart.svg());
        }
        Files.writeString(directory.resolve(MARKDOWN), markdown(result, charts));
        Files.writeString(directory.resolve(HTML), html(result, charts));
        Files.writeString(directory.resolve(JSON), DriveCommand.jsonWriter().toJson(result));
    }

    /** The tables a console shows after a run: floors and overhead, the batching comparison, every step. */
    public static String consoleTables(ComparisonResult result) {
        StringBuilder text = new StringBuilder();
        for (TitledTable table : tables(result)) {
            text.append(table.title()).append('\n').append(table.table().markdown()).append('\n');
        }
        return text.toString();
    }

    /**
     * The comparison in one line per batch size: the fastest shallow plan's p50 over the deep baseline's over gRPC,
     * with its range over the rounds; empty when no rounds ran with both shapes.
     */
    public static List<String> headline(ComparisonResult result) {
        return Rounds.fastestShallow(Rounds.rows(result.rounds())).stream()
                .map(row -> String.format(Locale.ROOT, "batch %d: %s takes %s the time of %s (gRPC p50, one request"
                        + " in flight; median and range over %d rounds)", row.batch(), row.served().label(),
                        ReportTables.spreadRatio(row.ratio(), "x"), row.baseline().label(),
                        row.rounds()))
                .toList();
    }

    private static List<TitledTable> tables(ComparisonResult result) {
        List<TitledTable> tables = new ArrayList<>(List.of(ReportTables.rounds(result), ReportTables.floors(result)));
        ReportTables.ratios(result).ifPresent(tables::add);
        tables.addAll(List.of(BatchingTables.capacity(result), BatchingTables.oneInFlight(result),
                BatchingTables.saturation(result), ReportTables.latency(result), BatchingTables.searchSteps(result)));
        return tables;
    }

    private static String markdown(ComparisonResult result, List<Charts.Chart> charts) {
        RunInfo run = result.run();
        StringBuilder md = new StringBuilder();
        md.append("# shallowserve latency comparison (").append(run.mode()).append(")\n\n");
        conditions(result).forEach(line -> md.append("- ").append(line).append('\n'));
        md.append('\n');
        for (TitledTable table : tables(result)) {
            md.append("## ").append(table.title()).append("\n\n").append(table.caption()).append("\n\n")
                    .append(table.table().markdown()).append('\n');
        }
        md.append("## Plots\n\n");
        for (Charts.Chart chart : charts) {
            md.append("![").append(chart.caption()).append("](plots/").append(chart.file()).append(")\n\n");
        }
        if (!result.gatlingReports().isEmpty()) {
            md.append("Gatling's own reports: ");
            md.append(String.join(", ", result.gatlingReports().stream()
                    .map(r -> "[" + r + "](" + r + ")").toList()));
            md.append("\n");
        }
        return md.toString();
    }

    private static String html(ComparisonResult result, List<Charts.Chart> charts) {
        RunInfo run = result.run();
        StringBuilder html = new StringBuilder();
        html.append("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>shallowserve latency comparison</title>
                <style>
                body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.4; }
                table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
                th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }
                th { background: #f3f3f3; position: sticky; top: 0; }
                td.number { text-align: right; font-variant-numeric: tabular-nums; }
                tbody tr:hover { background: #f7f9fc; }
                figure { margin: 1em 0 2em; }
                figcaption { color: #555; font-size: 13px; }
                .caption { color: #444; font-size: 14px; max-width: 900px; }
                </style>
                </head>
                <body>
                """);
        html.append("<h1>shallowserve latency comparison (").append(Html.escape(run.mode()))
                .append(")</h1>\n<ul>\n");
        conditions(result).forEach(line -> html.append("<li>").append(Html.escape(line)).append("</li>\n"));
        html.append("</ul>\n");
        for (TitledTable table : tables(result)) {
            html.append("<h2>").append(Html.escape(table.title())).append("</h2>\n<p class=\"caption\">")
                    .append(Html.escape(table.caption())).append("</p>\n").append(table.table().html());
        }
        html.append("<h2>Plots</h2>\n");
        for (Charts.Chart chart : charts) {
            html.append("<figure>\n").append(chart.svg()).append("<figcaption>")
                    .append(Html.escape(chart.caption())).append("</figcaption>\n</figure>\n");
        }
        if (!result.gatlingReports().isEmpty()) {
            html.append("<p>Gatling's own reports: ");
            html.append(String.join(", ", result.gatlingReports().stream()
                    .map(r -> "<a href=\"" + Html.escape(r) + "\">" + Html.escape(r) + "</a>").toList()));
            html.append("</p>\n");
        }
        return html.append("</body>\n</html>\n").toString();
    }

    /** The run's conditions, one line each. */
    private static List<String> conditions(ComparisonResult result) {
        RunInfo run = result.run();
        BatchingComparison batching = result.batching();
        List<String> lines = new ArrayList<>(List.of(
                "date: " + run.date() + ", " + String.format(Locale.ROOT, "%.0f", run.seconds()) + " s",
                "command: " + run.command(),
                String.format(Locale.ROOT, "machine: %s; load average %.2f at the start, %.2f at the end (the load"
                        + " generators, the server and anything else share these cores)", run.machine(),
                        run.loadAverageStart(), run.loadAverageEnd()),
                String.format(Locale.ROOT, "each step %.1f s (Gatling's in whole seconds), after %.1f s of warm-up"
                        + " of each model and no-op per protocol; requests carry one image (batch 1) from %s",
                        run.stepSeconds(), run.warmUpSeconds(), run.images()),
                String.format(Locale.ROOT, "batching comparison: each plan's server started twice, batching off and"
                        + " on (%s queue delay, the other batching settings the server's defaults); its steps %.1f"
                        + " s each, gRPC, driver; the capacity search's target p99 <= %s ms with no failed request",
                        batching.batching().maxQueueDelayMicros() + " µs", batching.stepSeconds(),
                        BatchingTables.milliseconds(batching.p99TargetMicros()))));
        if (!result.rounds().isEmpty()) {
            lines.add(String.format(Locale.ROOT, "rounds: %d, each a step of %.1f s per served model and batch size"
                    + " (%s images per request), gRPC, driver, one request in flight",
                    result.rounds().stream().mapToInt(RoundStep::round).max().orElseThrow(),
                    result.rounds().getFirst().summary().seconds(),
                    String.join(", ", result.rounds().stream().map(r -> Integer.toString(r.batch())).distinct()
                            .toList())));
        }
        headline(result).forEach(line -> lines.add("headline, " + line));
        lines.addAll(run.notes());
        return lines;
    }
}
