package io.shallowserve.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

    private static final Table TABLE = new Table(List.of("model", "plan", "p50 µs"),
            List.of(List.of("deep", "single", "12.5"), List.of("shallow", "branches", "9.0")), 2);

    @Test
    void markdown_alignsTextLeftAndNumbersRight() {
        assertThat(TABLE.markdown()).isEqualTo("""
                | model | plan | p50 µs |
                |---|---|---:|
                | deep | single | 12.5 |
                | shallow | branches | 9.0 |
                """);
    }

    @Test
    void markdown_pipeInHeaderOrCell_isEscaped() {
        Table table = new Table(List.of("a|b"), List.of(List.of("x | y")), 1);

        assertThat(table.markdown()).isEqualTo("""
                | a\\|b |
                |---|
                | x \\| y |
                """);
    }

    @Test
    void html_marksNumberCellsAndEscapesText() {
        Table table = new Table(List.of("name <i>", "count"), List.of(List.of("a & \"b\"", "3")), 1);

        assertThat(table.html()).isEqualTo("""
                <table>
                <thead><tr><th>name &lt;i&gt;</th><th>count</th></tr></thead>
                <tbody>
                <tr><td>a &amp; &quot;b&quot;</td><td class="number">3</td></tr>
                </tbody>
                </table>
                """);
    }

    @Test
    void html_pipe_isLeftAsIs() {
        Table table = new Table(List.of("a|b"), List.of(), 1);

        assertThat(table.html()).contains("<th>a|b</th>");
    }

    @Test
    void constructor_rowWithOtherCellCountThanHeader_isRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Table(List.of("a", "b"), List.of(List.of("only one")), 1))
                .withMessageContaining("has 1 cells, the header 2");
    }

    @Test
    void constructor_copiesTheLists() {
        List<String> row = new ArrayList<>(List.of("x"));
        Table table = new Table(List.of("a"), List.of(row), 1);
        row.set(0, "changed");

        assertThat(table.rows()).containsExactly(List.of("x"));
    }
}
