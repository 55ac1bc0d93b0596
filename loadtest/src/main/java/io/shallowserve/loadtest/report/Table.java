package io.shallowserve.loadtest.report;

import java.util.List;

/**
 * A table of the report, rendered as Markdown and as HTML alike.
 *
 * @param title       its heading
 * @param caption     what it shows and how to read it
 * @param textColumns how many leading columns are text (left-aligned); the rest are numbers
 * @param header      column names
 * @param rows        cells, as printed
 */
record Table(String title, String caption, int textColumns, List<String> header, List<List<String>> rows) {

    Table {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int c = 0; c < header.size(); c++) {
            md.append(c < textColumns ? "---|" : "---:|");
        }
        md.append('\n');
        for (List<String> row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return md.toString();
    }

    String html() {
        StringBuilder html = new StringBuilder("<table>\n<thead><tr>");
        for (int c = 0; c < header.size(); c++) {
            html.append(c < textColumns ? "<th>" : "<th class=\"num\">").append(LineChart.escape(header.get(c)))
                    .append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            html.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                html.append(c < textColumns ? "<td>" : "<td class=\"num\">").append(LineChart.escape(row.get(c)))
                        .append("</td>");
            }
            html.append("</tr>\n");
        }
        return html.append("</tbody>\n</table>\n").toString();
    }
}
