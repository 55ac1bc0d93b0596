package io.shallowserve.trainer.report;

import io.shallowserve.runtime.report.Table;
import io.shallowserve.trainer.sweep.SweepRow;
import io.shallowserve.trainer.sweep.SweepShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The shapes a sweep trained beyond the paper's pair, each against deep: per config, every shape's mean losses and
 * test accuracy over the seeds; per shape beyond the pair, a plain statement of how often it ended lower than deep on
 * the same point and whether that is more than chance. (Deep against shallow is the rest of the report.)
 */
final class ShapeComparison {

    private ShapeComparison() {
    }

    /** The shapes of the rows other than deep and shallow, in {@link SweepShape}'s order; none for a pair sweep. */
    static List<SweepShape> beyondPair(List<PointRows> points) {
        return shapes(points).stream().filter(shape -> !SweepShape.PAIR.contains(shape)).toList();
    }

    /** The shapes of the rows, in {@link SweepShape}'s order. */
    private static List<SweepShape> shapes(List<PointRows> points) {
        return points.stream().flatMap(point -> point.byShape().keySet().stream()).distinct().sorted().toList();
    }

    /** What the comparison is: the shapes beyond the pair, and how they are compared. */
    static String description(List<SweepShape> beyondPair) {
        List<String> shapes = beyondPair.stream().map(shape -> shape.id() + " (" + shape.description() + ")")
                .toList();
        // The descriptions hold commas: three or more are set apart by semicolons.
        String listed = shapes.size() <= 2 ? String.join(" and ", shapes)
                : String.join("; ", shapes.subList(0, shapes.size() - 1)) + "; and " + shapes.getLast();
        return "Besides deep and shallow, the points were trained as " + listed + ", with the same seed on the same split. Each shape against deep on the points with both rows: the"
                + " sign test counts the points where each ended lower (ties in neither).";
    }

    /** One statement per shape of {@code beyondPair}. */
    static List<String> findings(List<PointRows> points, List<SweepShape> beyondPair) {
        return beyondPair.stream().map(shape -> againstDeep(points, shape)).toList();
    }

    private static String againstDeep(List<PointRows> points, SweepShape shape) {
        List<PointRows> compared = points.stream()
                .filter(point -> point.has(SweepShape.DEEP) && point.has(shape)).toList();
        return String.format(Locale.ROOT, "%s against deep, %d point%s: %s; %s; test accuracy mean %.4f against"
                        + " %.4f.", shape.id(), compared.size(), compared.size() == 1 ? "" : "s",
                lossAgainstDeep("training loss", compared, shape, row -> row.train().loss()),
                lossAgainstDeep("validation loss", compared, shape, row -> row.validation().loss()),
                Stats.mean(compared, point -> point.row(shape).test().accuracy()),
                Stats.mean(compared, point -> point.row(SweepShape.DEEP).test().accuracy()));
    }

    private static String lossAgainstDeep(String what, List<PointRows> compared, SweepShape shape,
            ToDoubleFunction<SweepRow> loss) {
        ToDoubleFunction<PointRows> shapeLoss = point -> loss.applyAsDouble(point.row(shape));
        ToDoubleFunction<PointRows> deepLoss = point -> loss.applyAsDouble(point.row(SweepShape.DEEP));
        Stats.LowerCounts lower = Stats.lowerCounts(compared, shapeLoss, deepLoss);
        double p = lower.signTest();
        String verdict = p >= Findings.SIGNIFICANCE ? "no direction beyond chance"
                : (lower.first() > lower.second() ? shape.id() : "deep") + " lower beyond chance";
        return String.format(Locale.ROOT, "%s lower than deep's in %d, higher in %d (sign test p = %.3f; mean %.4f"
                        + " against %.4f): %s", what, lower.first(), lower.second(), p,
                Stats.mean(compared, shapeLoss), Stats.mean(compared, deepLoss), verdict);
    }

    /**
     * Per config (a point without its seed), one column group per shape in the rows: mean train and validation loss
     * and test accuracy over the config's seeds with that shape's row ("-" for none).
     */
    static Table table(List<PointRows> points) {
        List<SweepShape> shapes = shapes(points);
        Map<String, List<PointRows>> byConfig = new LinkedHashMap<>();
        for (PointRows point : points) {
            byConfig.computeIfAbsent(point.point().configId(), id -> new ArrayList<>()).add(point);
        }
        List<String> header = new ArrayList<>(List.of("config", "seeds"));
        for (SweepShape shape : shapes) {
            header.addAll(List.of(shape.id() + " train loss", shape.id() + " validation loss",
                    shape.id() + " test accuracy"));
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<PointRows>> config : byConfig.entrySet()) {
            List<String> cells = new ArrayList<>(List.of(config.getKey(), Integer.toString(config.getValue().size())));
            for (SweepShape shape : shapes) {
                List<SweepRow> trained = config.getValue().stream().filter(point -> point.has(shape))
                        .map(point -> point.row(shape)).toList();
                cells.add(mean(trained, row -> row.train().loss()));
                cells.add(mean(trained, row -> row.validation().loss()));
                cells.add(mean(trained, row -> row.test().accuracy()));
            }
            rows.add(cells);
        }
        return new Table(header, rows, 1);
    }

    private static String mean(List<SweepRow> rows, ToDoubleFunction<SweepRow> metric) {
        return rows.isEmpty() ? "-" : String.format(Locale.ROOT, "%.4f", Stats.mean(rows, metric));
    }
}
