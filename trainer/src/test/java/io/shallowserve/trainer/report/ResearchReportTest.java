package io.shallowserve.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.trainer.sweep.SweepRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the report computes and shows for rows whose numbers are known. */
class ResearchReportTest {

    /**
     * Six pairs, two per bin [0,1), [1,3), [10,inf): deep always lower on training loss, shallow always lower on
     * validation loss (the paper's direction); shallow-branches always slower than deep-single.
     */
    private static List<SweepRow> paperLikeRows() {
        List<SweepRow> rows = new ArrayList<>();
        double[] qs = {0.5, 0.8, 1.0, 2.5, 10, 40};
        for (int i = 0; i < qs.length; i++) {
            rows.addAll(KnownRows.pair(8 + i, 1, qs[i],
                    new double[] {0.10 + i * 0.01, 0.40, 0.85, 100},
                    new double[] {0.12 + i * 0.01, 0.38, 0.86, 101, 150}));
        }
        return rows;
    }

    @Test
    void binOf_edgesOfThePaperBins_lowerEdgeBelongsToTheBin() {
        assertThat(DeterminationBins.Bin.of(0)).isEqualTo(DeterminationBins.Bin.BELOW_1);
        assertThat(DeterminationBins.Bin.of(0.999)).isEqualTo(DeterminationBins.Bin.BELOW_1);
        assertThat(DeterminationBins.Bin.of(1)).isEqualTo(DeterminationBins.Bin.FROM_1_TO_3);
        assertThat(DeterminationBins.Bin.of(3)).isEqualTo(DeterminationBins.Bin.FROM_3_TO_10);
        assertThat(DeterminationBins.Bin.of(9.99)).isEqualTo(DeterminationBins.Bin.FROM_3_TO_10);
        assertThat(DeterminationBins.Bin.of(10)).isEqualTo(DeterminationBins.Bin.FROM_10);
        assertThat(DeterminationBins.Bin.of(1e6)).isEqualTo(DeterminationBins.Bin.FROM_10);
    }

    @Test
    void of_knownRows_meanLossesPerBinAndShape() {
        List<DeterminationBins.Cell> cells = DeterminationBins.of(RowPair.of(paperLikeRows()));

        assertThat(cells).extracting(DeterminationBins.Cell::bin).containsExactly(DeterminationBins.Bin.BELOW_1,
                DeterminationBins.Bin.FROM_1_TO_3, DeterminationBins.Bin.FROM_10);
        DeterminationBins.Cell below1 = cells.get(0);
        assertThat(below1.pairs()).hasSize(2);
        assertThat(below1.deepTrain()).isCloseTo(0.105, within(1e-12));
        assertThat(below1.shallowTrain()).isCloseTo(0.125, within(1e-12));
        assertThat(below1.deepValidation()).isCloseTo(0.40, within(1e-12));
        assertThat(below1.shallowValidation()).isCloseTo(0.38, within(1e-12));
        assertThat(DeterminationBins.table(cells).rows().get(2))
                .containsExactly("fashion-mnist", "[10, ∞)", "2", "0.14500", "0.40000", "0.16500", "0.38000");
    }

    @Test
    void findings_paperLikeRows_sayBothDirectionsAgreeWithThePaper() {
        String findings = String.join("\n", findings(paperLikeRows()));

        assertThat(findings).contains("Training loss: the deep shape ended lower in 6 of 6 pairs, the shallow shape"
                + " in 0 (sign test p = 0.031)").contains("this agrees with the paper (deep slightly lower)");
        assertThat(findings).contains("Validation loss: the deep shape ended lower in 0 of 6 pairs, the shallow"
                + " shape in 6").contains("this agrees with the paper (shallow slightly lower)");
        assertThat(findings).contains("the branches plan was faster than deep-single in 0 of 6 pairs");
    }

    @Test
    void findings_fewPairsTheOtherWay_sayNoDirectionRatherThanDisagree() {
        List<SweepRow> rows = new ArrayList<>();
        rows.addAll(KnownRows.pair(8, 1, 2, new double[] {0.2, 0.3, 0.9, 100}, new double[] {0.1, 0.4, 0.9, 100, 90}));
        rows.addAll(KnownRows.pair(8, 2, 2, new double[] {0.2, 0.3, 0.9, 100}, new double[] {0.1, 0.4, 0.9, 100, 90}));

        String findings = String.join("\n", findings(rows));

        assertThat(findings).contains("(sign test p = 0.500)").contains("no direction beyond chance here")
                .doesNotContain("disagrees");
    }

    @Test
    void findings_manyPairsTheOtherWay_sayItDisagrees() {
        List<SweepRow> rows = new ArrayList<>();
        for (int seed = 1; seed <= 8; seed++) {
            rows.addAll(KnownRows.pair(8, seed, 2, new double[] {0.2, 0.3, 0.9, 100},
                    new double[] {0.1, 0.4, 0.9, 100, 90}));
        }

        String findings = String.join("\n", findings(rows));

        assertThat(findings).contains("this disagrees with the paper (deep slightly lower)")
                .contains("this disagrees with the paper (shallow slightly lower)");
    }

    @Test
    void pareto_pointsOfKnownLatencyAndAccuracy_keepsOnlyTheUnbeaten() {
        List<SweepRow> rows = new ArrayList<>();
        rows.addAll(KnownRows.pair(8, 1, 2, new double[] {0.2, 0.3, 0.80, 50}, new double[] {0.2, 0.3, 0.81, 55, 90}));
        rows.addAll(KnownRows.pair(16, 1, 2, new double[] {0.2, 0.3, 0.90, 100},
                new double[] {0.2, 0.3, 0.88, 95, 60}));

        List<Frontier.Point> frontier = Frontier.pareto(Frontier.points(ConfigSummary.of(RowPair.of(rows))));

        assertThat(frontier).extracting(p -> p.config().configId() + " " + p.plan().label()).containsExactly(
                "fashion-mnist-L2-C8-k3-relu deep-single", "fashion-mnist-L2-C8-k3-relu shallow-single",
                "fashion-mnist-L2-C16-k3-relu shallow-branches", "fashion-mnist-L2-C16-k3-relu deep-single");
    }

    @Test
    void document_knownRows_markdownAndHtmlHoldTheTablesPlotsAndStatement() {
        ReportDocument document = ResearchReport.document(KnownRows.DESCRIPTION, paperLikeRows(), null);

        String markdown = document.markdown();
        String html = document.html();

        assertThat(markdown).contains("## What the data says", "## The paper's comparison by determination ratio",
                "| data set | Q | pairs | deep train loss |", "![train-validation.svg](train-validation.svg)",
                "![frontier.svg](frontier.svg)", "| config | plan | p50 µs |").doesNotContain("## Mimic learning");
        assertThat(document.figures()).containsOnlyKeys("train-validation.svg", "frontier.svg");
        assertThat(document.figures().values()).allSatisfy(svg -> assertThat(svg).startsWith("<svg ")
                .contains("<circle", "<polyline").endsWith("</svg>\n"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<table>", "<svg ", "<li>Training loss:")
                .doesNotContain("<script", "src=", "href=");
        assertThat(ResearchReport.document(KnownRows.DESCRIPTION, paperLikeRows(), null).html()).isEqualTo(html);
    }

    @Test
    void signTest_sixOfSix_isTwoOverSixtyFour() {
        assertThat(Stats.signTest(6, 0)).isCloseTo(2.0 / 64, within(1e-12));
        assertThat(Stats.signTest(3, 3)).isEqualTo(1.0);
        assertThat(Stats.signTest(0, 0)).isEqualTo(1.0);
    }

    private static List<String> findings(List<SweepRow> rows) {
        List<RowPair> pairs = RowPair.of(rows);
        List<ConfigSummary> configs = ConfigSummary.of(pairs);
        return Findings.of(pairs, DeterminationBins.of(pairs), configs,
                Frontier.pareto(Frontier.points(configs)), KnownRows.DESCRIPTION.settings(), null);
    }
}
