package io.shallowserve.trainer.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.train.Evaluation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepRowTest {

    private static final SweepPoint POINT =
            new SweepPoint(DatasetKind.FASHION_MNIST, 4, 32, 3, Activation.LEAKY_RELU, 7);

    @Test
    void parse_lineItWrote_givesTheSameRow() {
        SweepRow row = new SweepRow(POINT, SweepShape.SHALLOW, 8000, 8000, 2000, 10000, 10, 53322,
                new Evaluation(0.25, 0.9125), new Evaluation(0.3125, 0.875), new Evaluation(0.375, 0.8625), 12.5, 17, 12,
                new Percentiles(150.5, 180.5, 250.5, 900.5), new Percentiles(220.5, 330.5, 990.5, 9000.5), 1.25);

        SweepRow parsed = SweepRow.parse(SweepRow.COLUMNS, row.csvLine());

        assertThat(parsed).isEqualTo(row);
        assertThat(row.csvLine()).startsWith("fashion-mnist-L4-C32-k3-leaky-relu-s7,shallow,fashion-mnist,4,32,3,"
                + "leaky_relu,7,8000,8000,2000,10000,10,53322,1.500319,");
    }

    @Test
    void parse_shallowMeanAndTatLines_giveTheSameRowsWithTheShapeIdInTheShapeColumn() {
        for (SweepShape shape : List.of(SweepShape.SHALLOW_MEAN, SweepShape.TAT)) {
            SweepRow row = new SweepRow(POINT, shape, 8000, 8000, 2000, 10000, 10, 53322,
                    new Evaluation(0.25, 0.9125), new Evaluation(0.3125, 0.875), new Evaluation(0.375, 0.8625), 12.5,
                    17, 12, null, null, 1.25);

            assertThat(row.csvLine()).startsWith("fashion-mnist-L4-C32-k3-leaky-relu-s7," + shape.id() + ",");
            assertThat(SweepRow.parse(SweepRow.COLUMNS, row.csvLine())).isEqualTo(row);
        }
    }

    @Test
    void parse_lineOfTheConvergedGridsBuild_isTheDeepRowWrittenAgainTheSame() {
        // The first line of research/converged-grid/rows.csv, written before shapes beyond deep and shallow existed.
        String line = "fashion-mnist-L2-C8-k3-relu-s1,deep,fashion-mnist,2,8,3,relu,1,54000,54000,6000,10000,10,5226,"
                + "103.329506,0.194226,0.929926,0.251700,0.910000,0.263847,0.909400,1043.3,22,17,"
                + "NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,3.89";

        SweepRow row = SweepRow.parse(SweepRow.COLUMNS, line);

        assertThat(row.shape()).isEqualTo(SweepShape.DEEP);
        assertThat(row.csvLine()).isEqualTo(line);
    }

    @Test
    void parse_unknownShape_namesTheShapes() {
        String line = new SweepRow(POINT, SweepShape.DEEP, 8000, 8000, 2000, 10000, 10, 53322,
                new Evaluation(0.25, 0.9125), new Evaluation(0.3125, 0.875), new Evaluation(0.375, 0.8625), 12.5, 17, 12,
                null, null, 1.25).csvLine().replace(",deep,", ",wide,");

        assertThatThrownBy(() -> SweepRow.parse(SweepRow.COLUMNS, line))
                .hasMessageContaining("unknown shape 'wide'").hasMessageContaining("shallow-mean");
    }

    @Test
    void parse_deepRowWithoutBranches_hasNoBranchLatency() {
        SweepRow row = new SweepRow(POINT, SweepShape.DEEP, 8000, 8000, 2000, 10000, 10, 53322,
                new Evaluation(0.25, 0.9125), new Evaluation(0.3125, 0.875), new Evaluation(0.375, 0.8625), 12.5, 17, 12,
                new Percentiles(150.5, 180.5, 250.5, 900.5), null, 1.25);

        assertThat(SweepRow.parse(SweepRow.COLUMNS, row.csvLine()).branches()).isNull();
    }

    @Test
    void parse_rowWrittenBeforeTheEpochColumns_hasZeroEpochs() {
        SweepRow row = new SweepRow(POINT, SweepShape.DEEP, 8000, 8000, 2000, 10000, 10, 53322,
                new Evaluation(0.25, 0.9125), new Evaluation(0.3125, 0.875), new Evaluation(0.375, 0.8625), 12.5, 3, 3,
                null, null, 1.25);
        List<String> oldHeader = SweepRow.COLUMNS.stream()
                .filter(column -> !column.equals("epochs_trained") && !column.equals("kept_epoch")).toList();
        List<String> values = new ArrayList<>(List.of(row.csvLine().split(",")));
        int epochs = SweepRow.COLUMNS.indexOf("epochs_trained");
        values.remove(epochs);
        values.remove(epochs);

        SweepRow parsed = SweepRow.parse(oldHeader, String.join(",", values));

        assertThat(parsed.epochsTrained()).isZero();
        assertThat(parsed.keptEpoch()).isZero();
        assertThat(parsed.trainingSeconds()).isEqualTo(12.5);
    }
}
