package io.shallowserve.trainer.latency;

import io.shallowserve.runtime.exec.PairTiming;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.runtime.report.Colors;
import io.shallowserve.runtime.report.LineChart;
import io.shallowserve.runtime.report.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** depth-scaling.md (the table, with how it was measured) and depth-scaling.svg (p50 against L) from the rows. */
public final class DepthScalingReport {

    static final String TABLE_FILE = "depth-scaling.md";
    static final String PLOT_FILE = "depth-scaling.svg";

    private DepthScalingReport() {}

    /** Writes both files into {@code folder}; returns them. */
    public static List<Path> write(Path folder, List<DepthScaling.Row> rows, String command, String conditions)
            throws IOException {
        Files.createDirectories(folder);
        Path table = folder.resolve(TABLE_FILE);
        Path plot = folder.resolve(PLOT_FILE);
        Files.writeString(table, markdown(rows, command, conditions));
        Files.writeString(plot, chart(rows).svg());
        return List.of(table, plot);
    }

    static String markdown(List<DepthScaling.Row> rows, String command, String conditions) {
        List<String> header = new ArrayList<>(List.of("L", "width", "parameters", "batch", "deep p50 µs (threads)",
                "deep p99 µs"));
        for (String plan : DepthScaling.SHALLOW_PLANS) {
            header.add(plan + " p50 µs (× deep, threads)");
            header.add(plan + " p99 µs");
        }
        List<List<String>> cells = new ArrayList<>();
        for (DepthScaling.Row row : rows) {
            List<String> line = new ArrayList<>(List.of(Integer.toString(row.units()), Integer.toString(row.width()),
                    Long.toString(row.parameters()), Integer.toString(row.batch()),
                    String.format(Locale.ROOT, "%.1f (%d)", row.deep().p50(), row.deepThreads()),
                    String.format(Locale.ROOT, "%.1f", row.deep().p99())));
            for (String name : DepthScaling.SHALLOW_PLANS) {
                PairTiming.ThreadedTimes plan = row.shallow().get(name);
                line.add(plan == null ? "-" : String.format(Locale.ROOT, "%.1f (%.2f, %d)", plan.percentiles().p50(),
                        plan.percentiles().p50() / row.deep().p50(), plan.threads()));
                line.add(plan == null ? "-" : String.format(Locale.ROOT, "%.1f", plan.percentiles().p99()));
            }
            cells.add(line);
        }
        return "# Depth scaling: deep against the shallow shape's plans, at a fixed parameter budget\n\n"
                + "- command: `" + command + "`\n- " + conditions + "\n"
                + "- each L: the widest units within the budget, both shapes with random weights (a graph's cost does"
                + " not depend on its values); deep timed at every intra-op thread count up to the cores, its best"
                + " kept (threads in brackets); the shallow single and wide plans likewise, at their best of the"
                + " same thread counts, grouped and branches at the server's defaults (the intra-op threads of their"
                + " stem and head; one per branch session); all plans in alternation, one caller; ratios to deep's"
                + " best in the same run\n\n"
                + new Table(header, cells, 0).markdown()
                + "\n![p50 against L](" + PLOT_FILE + ")\n";
    }

    static LineChart chart(List<DepthScaling.Row> rows) {
        List<String> colors = List.of(Colors.BLUE, Colors.ORANGE, Colors.GREEN, Colors.PURPLE, Colors.RED);
        List<String> legends = new ArrayList<>(List.of("deep (best threads)"));
        DepthScaling.SHALLOW_PLANS.forEach(plan -> legends.add("shallow " + plan));
        List<LineChart.Series> series = new ArrayList<>();
        for (int p = 0; p < legends.size(); p++) {
            int plan = p;
            Function<DepthScaling.Row, Percentiles> times = row -> plan == 0 ? row.deep()
                    : Optional.ofNullable(row.shallow().get(DepthScaling.SHALLOW_PLANS.get(plan - 1)))
                            .map(PairTiming.ThreadedTimes::percentiles).orElse(null);
            for (int batch : DepthScaling.BATCHES) {
                List<double[]> points = rows.stream().filter(row -> row.batch() == batch && times.apply(row) != null)
                        .map(row -> new double[] {row.units(), times.apply(row).p50()}).toList();
                series.add(new LineChart.Series(legends.get(p), colors.get(p), batch != 1, points));
            }
        }
        return new LineChart("In-process p50 against the number of units L, at a fixed parameter budget",
                "solid: batch 1, dashed: batch 8", new LineChart.Axis("units L (log scale)", true, Double.NaN),
                new LineChart.Axis("p50 (µs, log scale)", true, Double.NaN), series);
    }
}
