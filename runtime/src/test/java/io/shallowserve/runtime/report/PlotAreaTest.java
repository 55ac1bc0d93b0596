package io.shallowserve.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlotAreaTest {

    private static final PlotArea AREA = new PlotArea(400, 300, 50, 30, 20, 40);

    @Test
    void scales_spanThePlotsRectangle() {
        assertThat(AREA.x(false, 0, 1).map(0)).isEqualTo(50);
        assertThat(AREA.x(false, 0, 1).map(1)).isEqualTo(370);
        assertThat(AREA.y(false, 0, 1).map(0)).isEqualTo(260);
        assertThat(AREA.y(false, 0, 1).map(1)).isEqualTo(20);
        assertThat(AREA.plotCentre()).isEqualTo(210);
    }

    @Test
    void axes_drawGridAndLabelsAtTheTicksThenFrameAndTitles() {
        Svg svg = new Svg(AREA.width(), AREA.height(), null);
        Scale x = AREA.x(false, 0, 10);
        Scale y = AREA.y(false, 0, 1);

        AREA.axes(svg, x, List.of(new Tick(5, "5")), "seconds", 285, y, List.of(new Tick(1, "100%")), "share");

        assertThat(svg.end()).contains("""
                <line x1="210.0" y1="20.0" x2="210.0" y2="260.0" stroke="#e5e5e5"/>
                <text x="210.0" y="276.0" text-anchor="middle">5</text>
                <line x1="50.0" y1="20.0" x2="370.0" y2="20.0" stroke="#e5e5e5"/>
                <text x="44.0" y="24.0" text-anchor="end">100%</text>
                <rect x="50" y="20" width="320" height="240" fill="none" stroke="#555"/>
                <text x="210.0" y="285.0" text-anchor="middle">seconds</text>
                <text x="16" y="140.0" text-anchor="middle" transform="rotate(-90 16 140.0)">share</text>
                """);
    }
}
