package io.shallowserve.trainer.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.data.RealData;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.report.ResearchReport;
import io.shallowserve.trainer.train.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny real sweeps on Fashion-MNIST: two configs, a few steps each, stopped by a budget and resumed. */
class SweepTest {

    /** 5 steps of 32 images per epoch out of 1,000 training images: 160 examples; latency measured. */
    private static final SweepSettings SETTINGS =
            new SweepSettings(1, 0, 32, 0.005f, 1_200, 200, 0, 5, 3, true, true, 7, 2, 10);

    /**
     * Without latency, early stopping with patience 1 over at most 3 epochs, a tenth held out: 600 of 1,200 images
     * (the floor of 1,000, but at most half).
     */
    private static final SweepSettings UNTIMED =
            new SweepSettings(3, 1, 32, 0.005f, 1_200, 0, 0.1, 5, 3, true, true, 7, 0, 0);

    /** Two configs: relu and leaky relu of one small spec. */
    private static final SweepGrid GRID = new SweepGrid(List.of(DatasetKind.FASHION_MNIST), List.of(2), List.of(4),
            List.of(3), List.of(Activation.RELU, Activation.LEAKY_RELU), List.of(1L), SweepShape.PAIR, SETTINGS);

    @TempDir
    Path folder;

    private final List<Integer> rowsSeenByListener = new ArrayList<>();

    private Sweep sweep(SweepGrid grid, SweepResults results) {
        return new Sweep(grid, results, folder.resolve("models"),
                Map.of(DatasetKind.FASHION_MNIST, RealData.fashionMnist()), Progress.QUIET,
                appended -> rowsSeenByListener.add(appended.rows().size()));
    }

    private static SweepGrid grid(SweepSettings settings) {
        return new SweepGrid(GRID.datasets(), GRID.units(), GRID.widths(), GRID.unitKernels(), GRID.activations(),
                GRID.seeds(), GRID.shapes(), settings);
    }

    @Test
    void run_budgetSpentThenRunAgain_finishesTheRestAndThenSkipsEverything() throws Exception {
        Path results = folder.resolve("results");

        Sweep.Outcome first = sweep(GRID, SweepResults.openForWriting(results, SETTINGS)).run(Duration.ofNanos(1));
        Sweep.Outcome second = sweep(GRID, SweepResults.openForWriting(results, SETTINGS)).run(null);
        String rowsAfterSecond = Files.readString(results.resolve(SweepResults.ROWS_FILE));
        Sweep.Outcome third = sweep(GRID, SweepResults.openForWriting(results, SETTINGS)).run(null);

        // With latency, a pair's rows are appended together: the budget stops after the first pair.
        assertThat(first).isEqualTo(new Sweep.Outcome(4, 0, 2, true));
        assertThat(second).isEqualTo(new Sweep.Outcome(4, 2, 2, false));
        assertThat(third).isEqualTo(new Sweep.Outcome(4, 4, 0, false));
        assertThat(rowsSeenByListener).containsExactly(2, 4);
        assertThat(Files.readString(results.resolve(SweepResults.ROWS_FILE))).isEqualTo(rowsAfterSecond);

        List<SweepRow> rows = SweepResults.read(results).rows();
        assertThat(rows).extracting(row -> row.point().id() + " " + row.shape().id()).containsExactly(
                "fashion-mnist-L2-C4-k3-relu-s1 deep", "fashion-mnist-L2-C4-k3-relu-s1 shallow",
                "fashion-mnist-L2-C4-k3-leaky-relu-s1 deep", "fashion-mnist-L2-C4-k3-leaky-relu-s1 shallow");
        for (SweepRow row : rows) {
            assertThat(row.parameters()).isEqualTo(row.point().spec(SETTINGS).parameterCount());
            assertThat(row.trainImages()).isEqualTo(1_000);
            assertThat(row.trainExamples()).isEqualTo(160);
            assertThat(row.q()).isEqualTo(160.0 * 10 / row.parameters());
            assertThat(row.test().accuracy()).isBetween(0.0, 1.0);
            assertThat(row.validation().loss()).isPositive();
            assertThat(row.single().p50()).isPositive();
            assertThat(row.branches() == null).isEqualTo(row.shape() == SweepShape.DEEP);
            Path version = folder.resolve("models").resolve(Sweep.modelName(row.point(), row.shape())).resolve("1");
            ModelManifest manifest = ModelRepository.verify(version).manifest();
            assertThat(manifest.metrics().get("test").accuracy()).isEqualTo(row.test().accuracy());
        }
    }

    @Test
    void run_stoppedAfterOneRunThenRunAgain_skipsTheFinishedRunAndRetrainsTheInterruptedOne() throws Exception {
        Path results = folder.resolve("results");
        SweepGrid grid = grid(UNTIMED);

        Sweep.Outcome first = sweep(grid, SweepResults.openForWriting(results, UNTIMED)).run(Duration.ofNanos(1));
        List<String> linesAfterFirst = Files.readAllLines(results.resolve(SweepResults.ROWS_FILE));
        Path firstModel = folder.resolve("models/fashion-mnist-L2-C4-k3-relu-s1-deep/1/model.json");
        String firstManifest = Files.readString(firstModel);
        // What a sweep killed in the middle of the next run leaves: a partial model folder and no row.
        Path interrupted = folder.resolve("models/fashion-mnist-L2-C4-k3-relu-s1-shallow/1");
        Files.createDirectories(interrupted);
        Files.writeString(interrupted.resolve("model.onnx"), "half written");
        Sweep.Outcome second = sweep(grid, SweepResults.openForWriting(results, UNTIMED)).run(null);

        assertThat(first).isEqualTo(new Sweep.Outcome(4, 0, 1, true));
        assertThat(linesAfterFirst).hasSize(2);
        assertThat(second).isEqualTo(new Sweep.Outcome(4, 1, 3, false));
        assertThat(rowsSeenByListener).containsExactly(1, 2, 3, 4);
        List<String> lines = Files.readAllLines(results.resolve(SweepResults.ROWS_FILE));
        assertThat(lines.subList(0, 2)).isEqualTo(linesAfterFirst);
        assertThat(Files.readString(firstModel)).isEqualTo(firstManifest);
        assertThat(ModelRepository.verify(interrupted).manifest().shape()).isEqualTo("shallow");

        List<SweepRow> rows = SweepResults.read(results).rows();
        assertThat(rows).extracting(row -> row.point().id() + " " + row.shape().id()).containsExactly(
                "fashion-mnist-L2-C4-k3-relu-s1 deep", "fashion-mnist-L2-C4-k3-relu-s1 shallow",
                "fashion-mnist-L2-C4-k3-leaky-relu-s1 deep", "fashion-mnist-L2-C4-k3-leaky-relu-s1 shallow");
        for (SweepRow row : rows) {
            assertThat(row.validationImages()).isEqualTo(600);
            assertThat(row.trainImages()).isEqualTo(600);
            assertThat(row.epochsTrained()).isBetween(1, 3);
            assertThat(row.keptEpoch()).isBetween(1, row.epochsTrained());
            assertThat(row.single()).isNull();
            assertThat(row.branches()).isNull();
        }
    }

    @Test
    void run_everyShapeWithLatency_trainsThePointInEachShapeTimesThePairAndReportsEveryShapeAgainstDeep()
            throws Exception {
        Path results = folder.resolve("results");
        SweepGrid grid = new SweepGrid(GRID.datasets(), GRID.units(), GRID.widths(), GRID.unitKernels(),
                List.of(Activation.RELU), GRID.seeds(), List.of(SweepShape.values()), SETTINGS);

        Sweep.Outcome outcome = sweep(grid, SweepResults.openForWriting(results, SETTINGS)).run(null);

        assertThat(outcome).isEqualTo(new Sweep.Outcome(5, 0, 5, false));
        // With latency, the point's rows are appended together, after the pair's latency.
        assertThat(rowsSeenByListener).containsExactly(5);
        SweepResults written = SweepResults.read(results);
        assertThat(written.finishedPoints(grid.shapes())).containsExactly("fashion-mnist-L2-C4-k3-relu-s1");
        List<SweepRow> rows = written.rows();
        assertThat(rows).extracting(SweepRow::shape).containsExactly(SweepShape.DEEP, SweepShape.SHALLOW,
                SweepShape.SHALLOW_MEAN, SweepShape.TAT, SweepShape.PARNET);
        for (SweepRow row : rows) {
            Path version = folder.resolve("models").resolve(Sweep.modelName(row.point(), row.shape())).resolve("1");
            ModelManifest manifest = ModelRepository.verify(version).manifest();
            assertThat(manifest.shape()).isEqualTo(row.shape().network().id());
            assertThat(Boolean.TRUE.equals(manifest.architecture().branchMean()))
                    .isEqualTo(row.shape() == SweepShape.SHALLOW_MEAN);
            assertThat(manifest.parameters()).isEqualTo(row.parameters());
            assertThat(manifest.metrics().get("test").accuracy()).isEqualTo(row.test().accuracy());
            assertThat(row.single() != null).isEqualTo(SweepShape.PAIR.contains(row.shape()));
            assertThat(row.branches() != null).isEqualTo(row.shape() == SweepShape.SHALLOW);
        }
        SweepRow tat = rows.get(3);
        ModelManifest tatManifest = ModelRepository.verify(folder.resolve("models")
                .resolve(Sweep.modelName(tat.point(), SweepShape.TAT)).resolve("1")).manifest();
        assertThat(tatManifest.architecture().activation()).isEqualTo(Activation.TAT_LEAKY_RELU.name());
        assertThat(tatManifest.architecture().batchNorm()).isFalse();
        assertThat(tat.parameters()).isLessThan(rows.get(0).parameters());
        assertThat(ResearchReport.render(results).get(ResearchReport.MARKDOWN_FILE))
                .contains("## Every shape against deep", "- shallow-mean against deep, 1 point:",
                        "- tat against deep, 1 point:", "- parnet against deep, 1 point:");
        ModelManifest parnet = ModelRepository.verify(folder.resolve("models")
                .resolve(Sweep.modelName(rows.get(4).point(), SweepShape.PARNET)).resolve("1")).manifest();
        assertThat(parnet.architecture().streams()).isEqualTo(2);
        assertThat(parnet.branches().branches()).hasSize(2);
        assertThat(rows.get(4).parameters()).isEqualTo(rows.get(0).parameters());
    }

    @Test
    void openForWriting_folderOfOtherSettings_refusesToMixRows() throws Exception {
        Path results = folder.resolve("results");
        SweepResults.openForWriting(results, SETTINGS);
        SweepSettings moreEpochs = new SweepSettings(2, 0, 32, 0.005f, 1_200, 200, 0, 5, 3, true, true, 7, 2, 10);

        assertThatThrownBy(() -> SweepResults.openForWriting(results, moreEpochs))
                .hasMessageContaining("other settings").hasMessageContaining("--output");
    }
}
