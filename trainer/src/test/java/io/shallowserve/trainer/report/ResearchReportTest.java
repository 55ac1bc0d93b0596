package io.shallowserve.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.runtime.report.Table;
import io.shallowserve.trainer.sweep.SweepGrid;
import io.shallowserve.trainer.sweep.SweepRow;
import io.shallowserve.trainer.sweep.SweepShape;
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

    /**
     * Two configs (C 8 and 16) of three seeds in every shape, and a third config (C 32) of one seed in the pair only:
     * shallow as deep; shallow-mean's training loss lower than deep's in seeds 1 and 2 (4 points), higher in seed 3 (2
     * points), its validation loss the same; tat higher than deep on both losses at every point.
     */
    private static List<SweepRow> everyShapeRows() {
        List<SweepRow> rows = new ArrayList<>();
        for (int width : new int[] {8, 16}) {
            for (long seed = 1; seed <= 3; seed++) {
                rows.addAll(KnownRows.pair(width, seed, 2, new double[] {0.30, 0.40, 0.85, 100},
                        new double[] {0.30, 0.40, 0.85, 100, 150}));
                rows.add(KnownRows.row(width, seed, SweepShape.SHALLOW_MEAN,
                        new double[] {seed == 3 ? 0.31 : 0.29, 0.40, 0.86}));
                rows.add(KnownRows.row(width, seed, SweepShape.TAT, new double[] {0.50, 0.60, 0.80}));
            }
        }
        rows.addAll(KnownRows.pair(32, 1, 2, new double[] {0.30, 0.40, 0.85, 100},
                new double[] {0.30, 0.40, 0.85, 100, 150}));
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
    void rowPairs_rowsOfEveryShape_pairOnlyDeepWithShallow() {
        List<RowPair> pairs = RowPair.of(everyShapeRows());

        assertThat(pairs).hasSize(7);
        assertThat(pairs).allSatisfy(pair -> {
            assertThat(pair.deep().shape()).isEqualTo(SweepShape.DEEP);
            assertThat(pair.shallow().shape()).isEqualTo(SweepShape.SHALLOW);
        });
    }

    @Test
    void shapeFindings_everyShapeRows_statePerShapeAgainstDeepWithTheSignTest() {
        List<PointRows> points = PointRows.of(everyShapeRows());

        List<SweepShape> beyondPair = ShapeComparison.beyondPair(points);

        assertThat(beyondPair).containsExactly(SweepShape.SHALLOW_MEAN, SweepShape.TAT);
        assertThat(ShapeComparison.findings(points, beyondPair)).containsExactly(
                "shallow-mean against deep, 6 points: training loss lower than deep's in 4, higher in 2 (sign test"
                        + " p = 0.688; mean 0.2967 against 0.3000): no direction beyond chance; validation loss lower"
                        + " than deep's in 0, higher in 0 (sign test p = 1.000; mean 0.4000 against 0.4000): no"
                        + " direction beyond chance; test accuracy mean 0.8600 against 0.8500.",
                "tat against deep, 6 points: training loss lower than deep's in 0, higher in 6 (sign test p = 0.031;"
                        + " mean 0.5000 against 0.3000): deep lower beyond chance; validation loss lower than deep's"
                        + " in 0, higher in 6 (sign test p = 0.031; mean 0.6000 against 0.4000): deep lower beyond"
                        + " chance; test accuracy mean 0.8000 against 0.8500.");
    }

    @Test
    void shapeDescription_threeShapes_setApartBySemicolonsAsTheirDescriptionsHoldCommas() {
        assertThat(ShapeComparison.description(List.of(SweepShape.SHALLOW_MEAN, SweepShape.TAT, SweepShape.PARNET)))
                .startsWith("Besides deep and shallow, the points were trained as shallow-mean (the shallow sum"
                        + " scaled by 1/L, y = x + (1/L) Σ_k F_k(x)); tat (the units chained without shortcuts or batch"
                        + " norm, TAT's leaky ReLU); and parnet (the units in 2 residual streams side by side, the"
                        + " second at half resolution, summed late), with the same seed");
    }

    @Test
    void shapeTable_everyShapeRows_oneColumnGroupPerShapeMeanOverSeeds() {
        Table table = ShapeComparison.table(PointRows.of(everyShapeRows()));

        assertThat(table.header()).containsExactly("config", "seeds",
                "deep train loss", "deep validation loss", "deep test accuracy",
                "shallow train loss", "shallow validation loss", "shallow test accuracy",
                "shallow-mean train loss", "shallow-mean validation loss", "shallow-mean test accuracy",
                "tat train loss", "tat validation loss", "tat test accuracy");
        assertThat(table.rows()).containsExactly(
                List.of("fashion-mnist-L2-C8-k3-relu", "3", "0.3000", "0.4000", "0.8500", "0.3000", "0.4000", "0.8500",
                        "0.2967", "0.4000", "0.8600", "0.5000", "0.6000", "0.8000"),
                List.of("fashion-mnist-L2-C16-k3-relu", "3", "0.3000", "0.4000", "0.8500", "0.3000", "0.4000",
                        "0.8500", "0.2967", "0.4000", "0.8600", "0.5000", "0.6000", "0.8000"),
                List.of("fashion-mnist-L2-C32-k3-relu", "1", "0.3000", "0.4000", "0.8500", "0.3000", "0.4000",
                        "0.8500", "-", "-", "-", "-", "-", "-"));
    }

    @Test
    void document_everyShapeRows_addsTheShapesSectionThatAPairSweepLacks() {
        String everyShape = ResearchReport.document(KnownRows.DESCRIPTION, everyShapeRows(), null).markdown();
        String pairOnly = ResearchReport.document(KnownRows.DESCRIPTION, paperLikeRows(), null).markdown();

        assertThat(everyShape).contains("## Every shape against deep",
                "trained as shallow-mean (the shallow sum scaled by 1/L, y = x + (1/L) Σ_k F_k(x)) and tat (the units"
                        + " chained without shortcuts or batch norm, TAT's leaky ReLU)",
                "- tat against deep, 6 points:", "| config | seeds | deep train loss |",
                "Training loss: the deep shape ended lower in 0 of 7 pairs");
        assertThat(pairOnly).doesNotContain("Every shape against deep");
    }

    @Test
    void document_everyShapeRows_trainValidationPlotHasASeriesPerShape() {
        String everyShape = ResearchReport.document(KnownRows.DESCRIPTION, everyShapeRows(), null).figures()
                .get("train-validation.svg");
        String pairOnly = ResearchReport.document(KnownRows.DESCRIPTION, paperLikeRows(), null).figures()
                .get("train-validation.svg");

        assertThat(everyShape).contains(">deep</text>", ">shallow</text>", ">shallow-mean</text>", ">tat</text>",
                "<polygon");
        assertThat(pairOnly).contains(">deep</text>", ">shallow</text>").doesNotContain(">shallow-mean</text>",
                ">tat</text>");
    }

    @Test
    void findings_shortRunsWithAFractionHeldOut_sayHowManyImagesWereHeldOut() {
        List<RowPair> pairs = RowPair.of(paperLikeRows());
        List<ConfigSummary> configs = ConfigSummary.of(pairs);

        List<String> findings = Findings.of(pairs, DeterminationBins.of(pairs), configs,
                Frontier.pareto(Frontier.points(configs)), SweepGrid.SHAPES.settings(), null);

        assertThat(findings.getLast()).contains("each run trained 3 epoch(s) on the first 10000 training images (1000"
                + " of them held out for validation)");
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
