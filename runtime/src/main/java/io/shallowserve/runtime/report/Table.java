package io.shallowserve.runtime.report;

import java.util.List;

/**
 * A table of text cells for a report, written as Markdown or HTML.
 *
 * @param header      column names
 * @param rows        cells, one list per row, as many as the header
 * @param textColumns the first this many columns are text (left-aligned); the rest are numbers (right-aligned, HTML
 *                    class {@code number})
 */
public record Table(List<String> header, List<List<String>> rows, int textColumns) {

    public Table {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("row " + row + " has " + row.size() + " cells, the header "
                        + header.size());
            }
        }
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(markdownRow(header)).append('|');
        for (int column = 0; column < header.size(); column++) {
            md.append(column < textColumns ? "---|" : "---:|");
        }
        md.append('\n');
        for (List<String> row : rows) {
            md.append(markdownRow(row));
        }
        return md.toString();
    }

    public String html() {
        StringBuilder html = new StringBuilder("<table>\n<thead><tr>");
        for (String name : header) {
            html.append("<th>").append(Html.escape(name)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            html.append("<tr>");
            for (int column = 0; column < row.size(); column++) {
                html.append(column < textColumns ? "<td>" : "<td class=\"number\">")
                        .append(Html.escape(row.get(column))).append("</td>");
            }
            html.append("</tr>\n");
        }
        return html.append("</tbody>\n</table>\n").toString();
    }

    private static String markdownRow(List<String> cells) {
        return "| " + String.join(" | ", cells.stream().map(Table::markdownCell).toList()) + " |\n";
    }

    /** A '|' inside a cell would end it. */
    private static String markdownCell(String cell) {
        return cell.replace("|", "\\|");
    }
}
