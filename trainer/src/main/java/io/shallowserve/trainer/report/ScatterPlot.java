package io.shallowserve.trainer.report;

import io.shallowserve.runtime.report.Html;
import io.shallowserve.runtime.report.PlotArea;
import io.shallowserve.runtime.report.Scale;
import io.shallowserve.runtime.report.Svg;
import io.shallowserve.runtime.report.Tick;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A scatter plot as standalone SVG: series of marked points (each with a tooltip), thin segments joining related
 * points, and labelled lines. The x axis may be logarithmic. Deterministic: the same input gives the same text.
 */
final class ScatterPlot {

    enum Marker { CIRCLE, SQUARE, TRIANGLE }

    /** @param label shown as the point's tooltip */
    record Point(double x, double y, String label) {}

    record Series(String name, String color, Marker marker, List<Point> points) {}

    /** A polyline through {@code points}, in the legend as {@code name}; dashed lines are references, not data. */
    record Line(String name, String color, boolean dashed, List<Point> points) {}

    /** The right margin holds the legend, where it hides no point. */
    private static final PlotArea AREA = new PlotArea(760, 440, 70, 180, 40, 55);

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Series> series = new ArrayList<>();
    private final List<Point[]> segments = new ArrayList<>();
    private final List<Line> lines = new ArrayList<>();

    ScatterPlot(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    ScatterPlot series(Series added) {
        series.add(added);
        return this;
    }

    /** A faint segment from one point to another, e.g. between the two shapes of one pair. */
    ScatterPlot segment(Point from, Point to) {
        segments.add(new Point[] {from, to});
        return this;
    }

    ScatterPlot line(Line added) {
        lines.add(added);
        return this;
    }

    String svg() {
        List<Point> all = new ArrayList<>();
        series.forEach(s -> all.addAll(s.points()));
        lines.forEach(l -> all.addAll(l.points()));
        if (all.isEmpty()) {
            throw new IllegalStateException("plot '" + title + "' has no points");
        }
        Axis xAxis = Axis.of(all.stream().mapToDouble(p -> scaleX(p.x())).toArray(), logX);
        Axis yAxis = Axis.of(all.stream().mapToDouble(Point::y).toArray(), false);
        Scale x = AREA.x(false, xAxis.min(), xAxis.max());
        Scale y = AREA.y(false, yAxis.min(), yAxis.max());
        Svg svg = new Svg(AREA.width(), AREA.height(), null);
        svg.text(AREA.plotCentre(), 22, "middle", "font-size=\"15\"", title);
        AREA.axes(svg, x, xAxis.ticks(), xLabel, AREA.height() - 14, y, yAxis.ticks(), yLabel);
        for (Point[] segment : segments) {
            svg.line(x.map(scaleX(segment[0].x())), y.map(segment[0].y()), x.map(scaleX(segment[1].x())),
                    y.map(segment[1].y()), "stroke=\"#999\" stroke-opacity=\"0.5\"");
        }
        for (Line line : lines) {
            StringBuilder coordinates = new StringBuilder();
            for (Point point : line.points()) {
                coordinates.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.map(scaleX(point.x())),
                        y.map(point.y())));
            }
            svg.element(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                    + " stroke-width=\"1.5\"%s/>%n", coordinates.toString().trim(), line.color(), dashes(line)));
        }
        for (Series s : series) {
            for (Point point : s.points()) {
                svg.element(marker(s.marker(), s.color(), x.map(scaleX(point.x())), y.map(point.y()),
                        point.label()));
            }
        }
        legend(svg);
        return svg.end();
    }

    private void legend(Svg svg) {
        double top = AREA.top() + 8;
        double left = AREA.plotRight() + 14;
        for (Series s : series) {
            svg.element(marker(s.marker(), s.color(), left + 8, top + 8, s.name()));
            svg.text(left + 20, top + 12, "start", "", s.name());
            top += 18;
        }
        for (Line line : lines) {
            svg.line(left, top + 8, left + 16, top + 8, "stroke=\"" + line.color() + "\" stroke-width=\"1.5\""
                    + dashes(line));
            svg.text(left + 20, top + 12, "start", "", line.name());
            top += 18;
        }
    }

    private static String dashes(Line line) {
        return line.dashed() ? " stroke-dasharray=\"5 4\"" : "";
    }

    private double scaleX(double value) {
        return logX ? Math.log10(value) : value;
    }

    private static String marker(Marker marker, String color, double cx, double cy, String tooltip) {
        String shape = switch (marker) {
            case CIRCLE -> String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\"", cx, cy);
            case SQUARE -> String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\"",
                    cx - 4, cy - 4);
            case TRIANGLE -> String.format(Locale.ROOT, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"",
                    cx, cy - 5.5, cx - 5, cy + 4, cx + 5, cy + 4);
        };
        return shape + " fill=\"" + color + "\" fill-opacity=\"0.8\"><title>" + Html.escape(tooltip)
                + "</title></" + shape.substring(1, shape.indexOf(' ')) + ">\n";
    }

    /** One axis: its range (in log10 units when logarithmic) and where its ticks go. */
    private record Axis(double min, double max, boolean log, double step) {

        static Axis of(double[] values, boolean log) {
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (double value : values) {
                low = Math.min(low, value);
                high = Math.max(high, value);
            }
            double span = high - low;
            // A single value (or all equal) still needs a range to draw.
            double pad = span > 0 ? span * 0.06 : Math.max(Math.abs(low) * 0.1, log ? 0.1 : 0.01);
            low -= pad;
            high += pad;
            return new Axis(low, high, log, log ? 1 : niceStep((high - low) / 6));
        }

        /** 1, 2 or 5 times a power of ten. */
        private static double niceStep(double rough) {
            double power = Math.pow(10, Math.floor(Math.log10(rough)));
            double fraction = rough / power;
            return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power;
        }

        List<Tick> ticks() {
            return positions().stream().map(position -> new Tick(position, label(position))).toList();
        }

        /**
         * Tick positions in axis units: multiples of the step, or for a log axis 1, 2 and 5 times powers of ten (every
         * multiple when the range is too short for three of those).
         */
        private List<Double> positions() {
            if (log) {
                List<Double> ticks = logTicks(new int[] {1, 2, 5});
                return ticks.size() >= 3 ? ticks : logTicks(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            }
            List<Double> ticks = new ArrayList<>();
            for (long i = (long) Math.ceil(min / step); i * step <= max; i++) {
                ticks.add(i * step);
            }
            return ticks;
        }

        private List<Double> logTicks(int[] multiples) {
            List<Double> ticks = new ArrayList<>();
            for (int power = (int) Math.floor(min); power <= Math.ceil(max); power++) {
                for (int multiple : multiples) {
                    double tick = power + Math.log10(multiple);
                    if (tick >= min && tick <= max) {
                        ticks.add(tick);
                    }
                }
            }
            return ticks;
        }

        private String label(double tick) {
            if (log) {
                double value = Math.pow(10, tick);
                return String.format(Locale.ROOT, value >= 1 ? "%.0f" : "%.2g", value);
            }
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", tick);
        }
    }
}
