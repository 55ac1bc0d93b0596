package io.shallowserve.runtime.report;

import java.util.Locale;

/**
 * A standalone SVG drawing being written: a white canvas of a fixed size, sans-serif 12 px text, elements appended in
 * drawing order. Coordinates are written with one decimal, so the same drawing always gives the same text.
 */
public final class Svg {

    private final StringBuilder svg = new StringBuilder();

    /**
     * @param title the drawing's accessible name (a browser shows it as its tooltip), or null for none
     */
    public Svg(int width, int height, String title) {
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\"%s>%n", width, height, width,
                height, title == null ? "" : " role=\"img\""));
        if (title != null) {
            svg.append("<title>").append(Html.escape(title)).append("</title>\n");
        }
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    }

    /** @param attributes the line's stroke, e.g. {@code stroke="#999"} */
    public Svg line(double x1, double y1, double x2, double y2, String attributes) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>%n",
                x1, y1, x2, y2, attributes));
        return this;
    }

    /**
     * @param anchor     {@code start}, {@code middle} or {@code end}: which part of the text is at x
     * @param attributes more attributes, e.g. {@code font-size="15"}, or empty
     * @param content    plain text (escaped here)
     */
    public Svg text(double x, double y, String anchor, String attributes, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>%n", x, y,
                anchor, attributes.isEmpty() ? "" : " " + attributes, Html.escape(content)));
        return this;
    }

    /** Text centred on (x, y), turned a quarter anticlockwise to read upwards: a vertical axis's title. */
    public Svg upwardText(int x, double y, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 %d %.1f)\">%s</text>%n", x, y, x, y, Html.escape(content)));
        return this;
    }

    /** A complete element (or several), as written, ending in a line break: what only one kind of chart draws. */
    public Svg element(String markup) {
        svg.append(markup);
        return this;
    }

    /** The finished document. */
    public String end() {
        return svg + "</svg>\n";
    }
}
