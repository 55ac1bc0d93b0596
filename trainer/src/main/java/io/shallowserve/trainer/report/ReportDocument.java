package io.shallowserve.trainer.report;

import io.shallowserve.runtime.report.Html;
import io.shallowserve.runtime.report.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report as a list of blocks, written once as Markdown (figures as separate .svg files next to it) and once as
 * one self-contained HTML file (figures inline, no script, nothing fetched): one source, so the two cannot differ.
 */
final class ReportDocument {

    private sealed interface Block permits Heading, Paragraph, Bullets, TableBlock, Figure {}

    /** A section heading, one level below the title. */
    private record Heading(String text) implements Block {}

    private record Paragraph(String text) implements Block {}

    private record Bullets(List<String> items) implements Block {}

    private record TableBlock(Table table) implements Block {}

    private record Figure(String fileName, String svg, String caption) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    ReportDocument(String title) {
        this.title = title;
    }

    ReportDocument heading(String text) {
        blocks.add(new Heading(text));
        return this;
    }

    ReportDocument paragraph(String text) {
        blocks.add(new Paragraph(text));
        return this;
    }

    ReportDocument bullets(List<String> items) {
        blocks.add(new Bullets(List.copyOf(items)));
        return this;
    }

    ReportDocument table(Table table) {
        blocks.add(new TableBlock(table));
        return this;
    }

    /** @param fileName the .svg file the Markdown links to */
    ReportDocument figure(String fileName, String svg, String caption) {
        blocks.add(new Figure(fileName, svg, caption));
        return this;
    }

    /** The figures by file name, to write next to the Markdown. */
    Map<String, String> figures() {
        Map<String, String> figures = new LinkedHashMap<>();
        for (Block block : blocks) {
            if (block instanceof Figure figure) {
                figures.put(figure.fileName(), figure.svg());
            }
        }
        return figures;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        for (Block block : blocks) {
            switch (block) {
                case Heading heading -> md.append("## ").append(heading.text());
                case Paragraph paragraph -> md.append(paragraph.text());
                case Bullets bullets -> bullets.items().forEach(item -> md.append("- ").append(item).append('\n'));
                case TableBlock table -> md.append(table.table().markdown());
                case Figure figure -> md.append("![").append(figure.fileName()).append("](").append(figure.fileName())
                        .append(")\n\n*").append(figure.caption()).append('*');
            }
            if (md.charAt(md.length() - 1) != '\n') {
                md.append('\n');
            }
            md.append('\n');
        }
        return md.toString();
    }

    String html() {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(Html.escape(title)).append("</title>\n<style>\n")
                .append("body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;"
                        + " color: #222; line-height: 1.45; }\n")
                .append("table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }\n")
                .append("th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }\n")
                .append("th { background: #f3f3f3; }\n")
                .append("td.number { text-align: right; font-variant-numeric: tabular-nums; }\n")
                .append("figure { margin: 1.5em 0; }\n")
                .append("figcaption { font-style: italic; color: #555; }\n")
                .append("</style>\n</head>\n<body>\n<h1>").append(Html.escape(title)).append("</h1>\n");
        for (Block block : blocks) {
            switch (block) {
                case Heading heading -> html.append("<h2>").append(Html.escape(heading.text())).append("</h2>\n");
                case Paragraph paragraph -> html.append("<p>").append(Html.escape(paragraph.text())).append("</p>\n");
                case Bullets bullets -> {
                    html.append("<ul>\n");
                    bullets.items().forEach(item -> html.append("<li>").append(Html.escape(item)).append("</li>\n"));
                    html.append("</ul>\n");
                }
                case TableBlock table -> html.append(table.table().html());
                case Figure figure -> html.append("<figure>\n").append(figure.svg()).append("<figcaption>")
                        .append(Html.escape(figure.caption())).append("</figcaption>\n</figure>\n");
            }
        }
        return html.append("</body>\n</html>\n").toString();
    }
}
