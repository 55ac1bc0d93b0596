package io.shallowserve.runtime.report;

import java.util.List;
import java.util.Locale;

/**
 * A chart's canvas and the plot's rectangle inside it, with the margins around it for titles, tick labels and a
 * legend; draws what every chart has: the grid with its tick labels, the frame and the axis titles.
 *
 * @param width  the canvas, in pixels
 * @param height the canvas, in pixels
 * @param left   the margin left of the plot (the vertical axis's tick labels and title)
 * @param right  the margin right of the plot
 * @param top    the margin above the plot (the chart's title)
 * @param bottom the margin below the plot (the horizontal axis's tick labels and title)
 */
public record PlotArea(int width, int height, int left, int right, int top, int bottom) {

    private static final String GRID = "stroke=\"#e5e5e5\"";

    public int plotRight() {
        return width - right;
    }

    public int plotBottom() {
        return height - bottom;
    }

    /** The horizontal middle of the plot, where centred titles go. */
    public double plotCentre() {
        return (left + plotRight()) / 2.0;
    }

    /** The horizontal axis's scale: {@code from} at the plot's left edge, {@code to} at its right. */
    public Scale x(boolean log, double from, double to) {
        return new Scale(log, from, to, left, plotRight());
    }

    /** The vertical axis's scale: {@code from} at the plot's bottom edge, {@code to} at its top. */
    public Scale y(boolean log, double from, double to) {
        return new Scale(log, from, to, plotBottom(), top);
    }

    /**
     * Draws a grid line and its label at every tick (below the plot for x, left of it for y), then the plot's frame
     * and the axes' titles: x centred below the plot with its baseline at {@code xTitleY}, y upwards left of it.
     */
    public void axes(Svg svg, Scale x, List<Tick> xTicks, String xTitle, double xTitleY, Scale y, List<Tick> yTicks,
            String yTitle) {
        for (Tick tick : xTicks) {
            double px = x.map(tick.value());
            svg.line(px, top, px, plotBottom(), GRID);
            svg.text(px, plotBottom() + 16, "middle", "", tick.label());
        }
        for (Tick tick : yTicks) {
            double py = y.map(tick.value());
            svg.line(left, py, plotRight(), py, GRID);
            svg.text(left - 6, py + 4, "end", "", tick.label());
        }
        svg.element(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                + " fill=\"none\" stroke=\"#555\"/>%n", left, top, plotRight() - left, plotBottom() - top));
        svg.text(plotCentre(), xTitleY, "middle", "", xTitle);
        svg.upwardText(16, (top + plotBottom()) / 2.0, yTitle);
    }
}
