package io.shallowserve.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SvgTest {

    @Test
    void end_untitled_isAWhiteCanvasOfTheSize() {
        assertThat(new Svg(200, 100, null).end()).isEqualTo("""
                <svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100" \
                font-family="sans-serif" font-size="12">
                <rect width="100%" height="100%" fill="white"/>
                </svg>
                """);
    }

    @Test
    void end_titled_isAnImageNamedByItsEscapedTitle() {
        assertThat(new Svg(200, 100, "p50 < 1 ms").end()).contains("font-size=\"12\" role=\"img\">\n"
                + "<title>p50 &lt; 1 ms</title>\n<rect ");
    }

    @Test
    void text_escapesContentAndWritesOneDecimal() {
        String svg = new Svg(10, 10, null).text(1, 2.25, "end", "", "a & b").text(3, 4, "start", "fill=\"red\"", "c")
                .end();

        assertThat(svg).contains("<text x=\"1.0\" y=\"2.3\" text-anchor=\"end\">a &amp; b</text>\n",
                "<text x=\"3.0\" y=\"4.0\" text-anchor=\"start\" fill=\"red\">c</text>\n");
    }

    @Test
    void upwardText_turnsAboutItsOwnPosition() {
        assertThat(new Svg(10, 10, null).upwardText(16, 50, "loss").end()).contains(
                "<text x=\"16\" y=\"50.0\" text-anchor=\"middle\" transform=\"rotate(-90 16 50.0)\">loss</text>\n");
    }

    @Test
    void line_writesItsEndsAndStroke() {
        assertThat(new Svg(10, 10, null).line(0, 1, 2, 3.04, "stroke=\"#999\"").end())
                .contains("<line x1=\"0.0\" y1=\"1.0\" x2=\"2.0\" y2=\"3.0\" stroke=\"#999\"/>\n");
    }

    @Test
    void element_isWrittenAsGivenBeforeTheEnd() {
        assertThat(new Svg(10, 10, null).element("<circle r=\"1\"/>\n").end()).endsWith("<circle r=\"1\"/>\n</svg>\n");
    }
}
