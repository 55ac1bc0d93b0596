package io.shallowserve.runtime.report;

import io.shallowserve.runtime.report.Html;
import io.shallowserve.runtime.report.PlotArea;
import io.shallowserve.runtime.report.Scale;
import io.shallowserve.runtime.report.Svg;
import io.shallowserve.runtime.report.Tick;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart drawn as standalone SVG: axes (linear or logarithmic), grid, lines with markers, a legend. Enough for
 * the report's plots and nothing more; no script, so the page works offline and in any viewer.
 */
public final class LineChart {

    /** The bottom margin holds the legend, below the x axis's title. */
    private static final PlotArea AREA = new PlotArea(760, 430, 72, 20, 46, 96);

    /**
     * One line.
     *
     * @param legend the legend entry it belongs to (lines of one entry share a colour)
     * @param color  CSS colour
     * @param dashed drawn dashed (the report's p99 lines)
     * @param points x, y pairs in drawing order; points with a non-positive coordinate on a log axis are left out
     */
    public record Series(String legend, String color, boolean dashed, List<double[]> points) {}

    /**
     * An axis.
     *
     * @param label its title
     * @param log   logarithmic rather than linear
     * @param from  the fixed lower end, or NaN to fit the data
     * @param ticks where the ticks go (the axis then spans them), or empty for 1-2-5 ticks over the data
     */
    public record Axis(String label, boolean log, double from, List<Double> ticks) {

        public Axis(String label, boolean log, double from) {
            this(label, log, from, List.of());
        }
    }

    private final String title;
    private final String subtitle;
    private final Axis x;
    private final Axis y;
    private final List<Series> series;

    public LineChart(String title, String subtitle, Axis x, Axis y, List<Series> series) {
        this.title = title;
        this.subtitle = subtitle;
        this.x = x;
        this.y = y;
        this.series = series.stream()
                .map(s -> new Series(s.legend(), s.color(), s.dashed(), s.points().stream()
                        .filter(p -> Double.isFinite(p[0]) && Double.isFinite(p[1]))
                        .filter(p -> (!x.log() || p[0] > 0) && (!y.log() || p[1] > 0))
                        .toList()))
                .filter(s -> !s.points().isEmpty())
                .toList();
    }

    public boolean isEmpty() {
        return series.isEmpty();
    }

    public String svg() {
        double[] xRange = range(x, 0);
        double[] yRange = range(y, 1);
        Scale xs = AREA.x(x.log(), xRange[0], xRange[1]);
        Scale ys = AREA.y(y.log(), yRange[0], yRange[1]);
        Svg svg = new Svg(AREA.width(), AREA.height(), title);
        svg.text(AREA.left(), 20, "start", "font-size=\"15\" font-weight=\"bold\"", title);
        svg.text(AREA.left(), 37, "start", "fill=\"#555\"", subtitle);
        AREA.axes(svg, xs, ticks(x, xRange), x.label(), AREA.plotBottom() + 36, ys, ticks(y, yRange), y.label());
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            for (double[] p : s.points()) {
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                        xs.map(p[0]), ys.map(p[1])));
            }
            svg.element(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s>"
                    + "<title>%s</title></path>%n", path, s.color(), s.dashed() ? " stroke-dasharray=\"6 4\"" : "",
                    Html.escape(s.legend())));
            if (s.points().size() <= 40) {
                for (double[] p : s.points()) {
                    svg.element(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                            xs.map(p[0]), ys.map(p[1]), s.color()));
                }
            }
        }
        appendLegend(svg);
        return svg.end();
    }

    private void appendLegend(Svg svg) {
        Map<String, String> entries = new LinkedHashMap<>();
        series.forEach(s -> entries.putIfAbsent(s.legend(), s.color()));
        double px = AREA.left();
        double py = AREA.plotBottom() + 62;
        for (var entry : entries.entrySet()) {
            double width = 34 + 7 * entry.getKey().length();
            if (px + width > AREA.plotRight()) {
                px = AREA.left();
                py += 18;
            }
            svg.line(px, py - 4, px + 22, py - 4, "stroke=\"" + entry.getValue() + "\" stroke-width=\"3\"");
            svg.text(px + 28, py, "start", "", entry.getKey());
            px += width;
        }
    }

    /** The data's range on an axis (index 0: x, 1: y), rounded out to ticks; linear axes start at 0. */
    private double[] range(Axis axis, int index) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double[] p : s.points()) {
                min = Math.min(min, p[index]);
                max = Math.max(max, p[index]);
            }
        }
        if (!Double.isNaN(axis.from())) {
            min = axis.from();
        }
        if (!axis.ticks().isEmpty()) {
            return new double[] {Math.min(min, axis.ticks().getFirst()), Math.max(max, axis.ticks().getLast())};
        }
        if (axis.log()) {
            double low = Math.pow(10, Math.floor(Math.log10(min)));
            double high = Math.pow(10, Math.ceil(Math.log10(max)));
            return new double[] {low, high > low ? high : low * 10};
        }
        double low = Double.isNaN(axis.from()) ? Math.min(0, min) : min;
        double step = niceStep((max - low) / 5);
        double high = Math.ceil(max / step) * step;
        return new double[] {low, high > low ? high : low + 1};
    }

    private static List<Tick> ticks(Axis axis, double[] range) {
        return positions(axis, range).stream().map(position -> new Tick(position, number(position))).toList();
    }

    private static List<Double> positions(Axis axis, double[] range) {
        if (!axis.ticks().isEmpty()) {
            return axis.ticks();
        }
        List<Double> ticks = new ArrayList<>();
        if (axis.log()) {
            boolean many = Math.log10(range[1] / range[0]) > 3;
            for (double decade = range[0]; decade <= range[1] * 1.0001; decade *= 10) {
                for (double m : many ? new double[] {1} : new double[] {1, 2, 5}) {
                    if (decade * m <= range[1] * 1.0001) {
                        ticks.add(decade * m);
                    }
                }
            }
            return ticks;
        }
        double step = niceStep((range[1] - range[0]) / 5);
        for (double t = range[0]; t <= range[1] + step / 1000; t += step) {
            ticks.add(t);
        }
        return ticks;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
    private static double niceStep(double rough) {
        if (!(rough > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= rough) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e7) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%.3g", value).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
