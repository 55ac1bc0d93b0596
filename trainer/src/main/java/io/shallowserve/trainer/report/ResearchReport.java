package io.shallowserve.trainer.report;

import io.shallowserve.runtime.report.Colors;
import io.shallowserve.runtime.report.Table;
import io.shallowserve.trainer.distill.DistillationResult;
import io.shallowserve.trainer.sweep.SweepResults;
import io.shallowserve.trainer.sweep.SweepRow;
import io.shallowserve.trainer.sweep.SweepSettings;
import io.shallowserve.trainer.sweep.SweepShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes report.md, report.html and the plots' .svg files into a sweep's results folder. */
public final class ResearchReport {

    public static final String MARKDOWN_FILE = "report.md";
    public static final String HTML_FILE = "report.html";

    private static final String DEEP_COLOR = Colors.BLUE;
    private static final String SHALLOW_COLOR = Colors.ORANGE;
    private static final String BRANCHES_COLOR = Colors.GREEN;

    private ResearchReport() {
    }

    /**
     * The report's files by name, made from a results folder: its sweep.json and rows.csv, and its distill.json when
     * there is one ({@code trainer distill --output} the same folder).
     */
    public static Map<String, String> render(Path folder) throws IOException {
        SweepResults results = SweepResults.read(folder);
        DistillationResult distill = Files.exists(folder.resolve(DistillationResult.FILE_NAME))
                ? DistillationResult.read(folder) : null;
        ReportDocument document = document(results.description(), results.rows(), distill);
        Map<String, String> files = new LinkedHashMap<>();
        files.put(MARKDOWN_FILE, document.markdown());
        files.put(HTML_FILE, document.html());
        files.putAll(document.figures());
        return files;
    }

    /** Writes {@link #render} into the folder and returns the files written. */
    public static List<Path> write(Path folder) throws IOException {
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, String> file : render(folder).entrySet()) {
            written.add(Files.writeString(folder.resolve(file.getKey()), file.getValue()));
        }
        return written;
    }

    static ReportDocument document(SweepResults.Description description, List<SweepRow> rows,
            DistillationResult distill) {
        List<RowPair> pairs = RowPair.of(rows);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no finished pair in the rows: run trainer sweep first");
        }
        SweepSettings settings = description.settings();
        List<DeterminationBins.Cell> cells = DeterminationBins.of(pairs);
        List<ConfigSummary> configs = ConfigSummary.of(pairs);
        List<Frontier.Point> points = Frontier.points(configs);
        List<Frontier.Point> frontier = Frontier.pareto(points);

        ReportDocument document = new ReportDocument("Deep vs parallel-shallow: sweep results");
        document.paragraph(String.format(Locale.ROOT, "Made by trainer report from %s in this folder: %d pairs (%d"
                        + " configs) trained deep and shallow with the same seed on the same split. Every run: %s,"
                        + " %s, batch %d, Adam from %s with cosine decay, stem %dx%d%s, batch norm %s,"
                        + " head pool %d. %s",
                SweepResults.ROWS_FILE, pairs.size(), configs.size(), images(settings), epochs(settings),
                settings.batchSize(), settings.learningRate(), settings.stemKernel(), settings.stemKernel(),
                settings.stemPool() ? " with 2x2 max pool" : "", settings.batchNorm() ? "on" : "off",
                settings.headPool(), settings.latencyRuns() == 0 ? "Latency was not measured."
                        : String.format(Locale.ROOT, "Latency: batch 1, %d timed runs of each plan after %d warm-up,"
                                + " on %s.", settings.latencyRuns(), settings.latencyWarmup(), description.machine())));

        document.heading("What the data says");
        document.bullets(Findings.of(pairs, cells, configs, frontier, settings, distill));

        List<PointRows> pointRows = PointRows.of(rows);
        List<SweepShape> beyondPair = ShapeComparison.beyondPair(pointRows);
        if (!beyondPair.isEmpty()) {
            document.heading("Every shape against deep");
            document.paragraph(ShapeComparison.description(beyondPair));
            document.bullets(ShapeComparison.findings(pointRows, beyondPair));
            document.table(ShapeComparison.table(pointRows));
        }

        document.heading("The paper's comparison by determination ratio");
        document.paragraph("Q = training examples x outputs / parameters (Bermeitinger, Hrycej, Handschuh 2023,"
                + " Table 2). Mean losses after training, batch norm in inference mode, of the deep (sequential) and"
                + " shallow (parallel) shape, per bin of Q.");
        document.table(DeterminationBins.table(cells));
        document.paragraph("For comparison, the paper's MNIST row for Q in [1, 3): sequential 0.01702 train, 0.12449"
                + " validation; parallel 0.02679 train, 0.11468 validation: deep lower on training loss, shallow lower"
                + " on validation loss.");

        document.heading("Training against validation loss");
        document.figure("train-validation.svg", trainValidationPlot(pointRows),
                "Each run's loss on its training split (x) and validation split (y); a grey segment joins each"
                        + " shape to the deep run of the same spec and seed; above the dashed diagonal the network fits"
                        + " training better than validation.");

        document.heading("Per config, mean over seeds");
        document.table(configTable(configs));

        if (!points.isEmpty()) {
            document.heading("Accuracy against latency");
            document.figure("frontier.svg", frontierPlot(points, frontier),
                    "Mean test accuracy over seeds against the median batch-1 p50 latency in-process, per config and"
                            + " plan; the line joins the frontier: the points no other point beats on both.");
            document.table(frontierTable(frontier));
        }

        if (distill != null) {
            document.heading("Mimic learning");
            document.paragraph(distill.description());
            document.table(new Table(DistillationResult.tableHeader(), distill.tableRows(), 2));
        }
        return document;
    }

    private static String images(SweepSettings settings) {
        if (settings.validationFraction() > 0) {
            String heldOut = settings.validationSplit().describe() + " for validation";
            return settings.trainLimit() == 0 ? "the full training split less " + heldOut
                    : "the first " + settings.trainLimit() + " training images less " + heldOut;
        }
        return settings.trainLimit() == 0
                ? "the full training split less " + settings.validation() + " validation images"
                : "the first " + settings.trainLimit() + " training images less " + settings.validation()
                        + " for validation";
    }

    /** "3 epoch(s)", or with early stopping the most epochs and the patience. */
    static String epochs(SweepSettings settings) {
        return settings.patience() == 0 ? settings.epochs() + " epoch(s)"
                : String.format(Locale.ROOT, "up to %d epochs, stopped after %d without a lower validation loss, the"
                        + " weights of the epoch with the lowest measured", settings.epochs(), settings.patience());
    }

    /** Every point that has deep and another shape: a series per shape, a segment from deep to each other shape. */
    private static String trainValidationPlot(List<PointRows> points) {
        Map<SweepShape, List<ScatterPlot.Point>> byShape = new EnumMap<>(SweepShape.class);
        ScatterPlot plot = new ScatterPlot("Training vs validation loss", "training loss", "validation loss", false);
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (PointRows point : points) {
            if (!point.has(SweepShape.DEEP) || point.byShape().size() < 2) {
                continue;
            }
            ScatterPlot.Point deep = lossPoint(point.row(SweepShape.DEEP));
            for (Map.Entry<SweepShape, SweepRow> shape : point.byShape().entrySet()) {
                ScatterPlot.Point loss = shape.getKey() == SweepShape.DEEP ? deep : lossPoint(shape.getValue());
                byShape.computeIfAbsent(shape.getKey(), s -> new ArrayList<>()).add(loss);
                if (loss != deep) {
                    plot.segment(deep, loss);
                }
                low = Math.min(low, Math.min(loss.x(), loss.y()));
                high = Math.max(high, Math.max(loss.x(), loss.y()));
            }
        }
        byShape.forEach((shape, losses) -> plot.series(shapeSeries(shape, losses)));
        return plot.line(new ScatterPlot.Line("train = validation", "#888", true,
                        List.of(new ScatterPlot.Point(low, low, ""), new ScatterPlot.Point(high, high, ""))))
                .svg();
    }

    private static ScatterPlot.Series shapeSeries(SweepShape shape, List<ScatterPlot.Point> points) {
        return switch (shape) {
            case DEEP -> new ScatterPlot.Series(shape.id(), DEEP_COLOR, ScatterPlot.Marker.CIRCLE, points);
            case SHALLOW -> new ScatterPlot.Series(shape.id(), SHALLOW_COLOR, ScatterPlot.Marker.SQUARE, points);
            case SHALLOW_MEAN ->
                    new ScatterPlot.Series(shape.id(), Colors.GREEN, ScatterPlot.Marker.TRIANGLE, points);
            case TAT -> new ScatterPlot.Series(shape.id(), Colors.PURPLE, ScatterPlot.Marker.CIRCLE, points);
            case PARNET -> new ScatterPlot.Series(shape.id(), Colors.BROWN, ScatterPlot.Marker.SQUARE, points);
        };
    }

    private static ScatterPlot.Point lossPoint(SweepRow row) {
        return new ScatterPlot.Point(row.train().loss(), row.validation().loss(), String.format(Locale.ROOT,
                "%s %s: train %.4f, validation %.4f, Q %.2f", row.point().id(), row.shape().id(),
                row.train().loss(), row.validation().loss(), row.q()));
    }

    private static String frontierPlot(List<Frontier.Point> points, List<Frontier.Point> frontier) {
        ScatterPlot plot = new ScatterPlot("Test accuracy vs batch-1 latency", "p50 latency, µs (log scale)",
                "test accuracy", true);
        String[] colors = {DEEP_COLOR, SHALLOW_COLOR, BRANCHES_COLOR};
        ScatterPlot.Marker[] markers = {ScatterPlot.Marker.CIRCLE, ScatterPlot.Marker.SQUARE,
                ScatterPlot.Marker.TRIANGLE};
        for (Frontier.Plan plan : Frontier.Plan.values()) {
            List<ScatterPlot.Point> planPoints = points.stream().filter(p -> p.plan() == plan)
                    .map(ResearchReport::frontierPoint).toList();
            if (!planPoints.isEmpty()) {
                plot.series(new ScatterPlot.Series(plan.label(), colors[plan.ordinal()], markers[plan.ordinal()],
                        planPoints));
            }
        }
        return plot.line(new ScatterPlot.Line("frontier", "#222", false,
                frontier.stream().map(ResearchReport::frontierPoint).toList())).svg();
    }

    private static ScatterPlot.Point frontierPoint(Frontier.Point point) {
        return new ScatterPlot.Point(point.latencyMicros(), point.accuracy(), String.format(Locale.ROOT,
                "%s %s: %.1f µs, accuracy %.4f", point.config().configId(), point.plan().label(),
                point.latencyMicros(), point.accuracy()));
    }

    private static Table configTable(List<ConfigSummary> configs) {
        List<List<String>> rows = new ArrayList<>();
        for (ConfigSummary config : configs) {
            rows.add(List.of(config.configId(), String.format(Locale.ROOT, "%.2f", config.q()),
                    Long.toString(config.parameters()), Integer.toString(config.seeds().size()),
                    fourDecimals(config.deep(row -> row.train().loss())),
                    fourDecimals(config.shallow(row -> row.train().loss())),
                    fourDecimals(config.deep(row -> row.validation().loss())),
                    fourDecimals(config.shallow(row -> row.validation().loss())),
                    fourDecimals(config.deep(row -> row.test().accuracy())),
                    fourDecimals(config.shallow(row -> row.test().accuracy())),
                    micros(config, Frontier.Plan.DEEP_SINGLE), micros(config, Frontier.Plan.SHALLOW_SINGLE),
                    micros(config, Frontier.Plan.SHALLOW_BRANCHES),
                    String.format(Locale.ROOT, "%.0f",
                            config.deep(SweepRow::trainingSeconds) + config.shallow(SweepRow::trainingSeconds))));
        }
        return new Table(List.of("config", "Q", "parameters", "seeds", "deep train loss", "shallow train loss",
                "deep validation loss", "shallow validation loss", "deep test accuracy", "shallow test accuracy",
                "deep-single p50 µs", "shallow-single p50 µs", "shallow-branches p50 µs",
                "training s (deep + shallow)"),
                rows, 1);
    }

    private static Table frontierTable(List<Frontier.Point> frontier) {
        List<List<String>> rows = new ArrayList<>();
        for (Frontier.Point point : frontier) {
            rows.add(List.of(point.config().configId(), point.plan().label(),
                    String.format(Locale.ROOT, "%.1f", point.latencyMicros()),
                    String.format(Locale.ROOT, "%.4f", point.accuracy()), Long.toString(point.config().parameters())));
        }
        return new Table(List.of("config", "plan", "p50 µs", "test accuracy", "parameters"), rows, 2);
    }

    private static String fourDecimals(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String micros(ConfigSummary config, Frontier.Plan plan) {
        double latency = config.latency(plan.latency());
        return Double.isNaN(latency) ? "-" : String.format(Locale.ROOT, "%.1f", latency);
    }
}
