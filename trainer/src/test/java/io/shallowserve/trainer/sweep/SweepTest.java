package io.shallowserve.trainer.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.data.DatasetKind;
import io.shallowserve.trainer.data.RealData;
import io.shallowserve.trainer.repository.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny real sweep on Fashion-MNIST: two configs, a few steps each, stopped by its budget and resumed. */
class SweepTest {

    /** 5 steps of 32 images per epoch out of 1,000 training images: 160 examples. */
    private static final SweepSettings SETTINGS =
            new SweepSettings(1, 32, 0.005f, 1_200, 200, 5, 3, true, true, 7, 2, 10);

    /** Two configs: relu and leaky relu of one small spec. */
    private static final SweepGrid GRID = new SweepGrid(List.of(DatasetKind.FASHION_MNIST), List.of(2), List.of(4),
            List.of(3), List.of(Activation.RELU, Activation.LEAKY_RELU), List.of(1L), SETTINGS);

    @TempDir
    Path folder;

    private Sweep sweep(SweepResults results) {
        return new Sweep(GRID, results, folder.resolve("models"),
                Map.of(DatasetKind.FASHION_MNIST, RealData.fashionMnist()));
    }

    @Test
    void run_budgetSpentThenRunAgain_finishesTheRestAndThenSkipsEverything() throws Exception {
        Path results = folder.resolve("results");

        Sweep.Outcome first = sweep(SweepResults.openForWriting(results, SETTINGS)).run(Duration.ofNanos(1));
        Sweep.Outcome second = sweep(SweepResults.openForWriting(results, SETTINGS)).run(null);
        String rowsAfterSecond = Files.readString(results.resolve(SweepResults.ROWS_FILE));
        Sweep.Outcome third = sweep(SweepResults.openForWriting(results, SETTINGS)).run(null);

        assertThat(first).isEqualTo(new Sweep.Outcome(2, 0, 1, true));
        assertThat(second).isEqualTo(new Sweep.Outcome(2, 1, 1, false));
        assertThat(third).isEqualTo(new Sweep.Outcome(2, 2, 0, false));
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
            assertThat(row.branches() == null).isEqualTo(row.shape() == NetworkShape.DEEP);
            Path version = folder.resolve("models").resolve(Sweep.modelName(row.point(), row.shape())).resolve("1");
            ModelManifest manifest = ModelManifest.read(version.resolve(ModelManifest.FILE_NAME));
            assertThat(manifest.metrics().get("test").accuracy()).isEqualTo(row.test().accuracy());
        }
    }

    @Test
    void openForWriting_folderOfOtherSettings_refusesToMixRows() throws Exception {
        Path results = folder.resolve("results");
        SweepResults.openForWriting(results, SETTINGS);
        SweepSettings moreEpochs = new SweepSettings(2, 32, 0.005f, 1_200, 200, 5, 3, true, true, 7, 2, 10);

        assertThatThrownBy(() -> SweepResults.openForWriting(results, moreEpochs))
                .hasMessageContaining("other settings").hasMessageContaining("--output");
    }
}
