package io.shallowserve.trainer.report;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.exec.Machine;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.sweep.SweepGrid;
import io.shallowserve.trainer.sweep.SweepPoint;
import io.shallowserve.trainer.sweep.SweepResults;
import io.shallowserve.trainer.sweep.SweepRow;
import io.shallowserve.trainer.sweep.SweepShape;
import io.shallowserve.trainer.train.Evaluation;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows with chosen numbers, for checking what the report computes from them. Each pair is one config with one seed;
 * its Q is set through the examples: 1,000 parameters and 10 classes, so Q = examples / 100.
 */
final class KnownRows {

    static final SweepResults.Description DESCRIPTION = new SweepResults.Description("shallowserve-sweep/1",
            SweepGrid.DEFAULT.settings(), new Machine(2, "test CPU", "Linux amd64", "25", "1.29.0"));

    private KnownRows() {
    }

    /**
     * A deep and a shallow row of one point.
     *
     * @param width   makes the point (and its config) distinct
     * @param q       the pair's determination ratio
     * @param deep    {train loss, validation loss, test accuracy, single p50 µs}
     * @param shallow {train loss, validation loss, test accuracy, single p50 µs, branches p50 µs}
     */
    static List<SweepRow> pair(int width, long seed, double q, double[] deep, double[] shallow) {
        SweepPoint point = new SweepPoint(DatasetKind.FASHION_MNIST, 2, width, 3, Activation.RELU, seed);
        int examples = (int) Math.round(q * 100);
        List<SweepRow> rows = new ArrayList<>();
        rows.add(new SweepRow(point, SweepShape.DEEP, examples, examples, 2000, 10000, 10, 1000,
                new Evaluation(deep[0], 0.9), new Evaluation(deep[1], 0.85), new Evaluation(deep[1], deep[2]), 10, 3, 3,
                latency(deep[3]), null, 0.5));
        rows.add(new SweepRow(point, SweepShape.SHALLOW, examples, examples, 2000, 10000, 10, 1000,
                new Evaluation(shallow[0], 0.9), new Evaluation(shallow[1], 0.85),
                new Evaluation(shallow[1], shallow[2]), 10, 3, 3, latency(shallow[3]), latency(shallow[4]), 0.5));
        return rows;
    }

    /**
     * One row of {@code shape} of the point {@link #pair} makes for this width and seed at Q 2, without latency.
     *
     * @param metrics {train loss, validation loss, test accuracy}
     */
    static SweepRow row(int width, long seed, SweepShape shape, double[] metrics) {
        SweepPoint point = new SweepPoint(DatasetKind.FASHION_MNIST, 2, width, 3, Activation.RELU, seed);
        return new SweepRow(point, shape, 200, 200, 2000, 10000, 10, 1000, new Evaluation(metrics[0], 0.9),
                new Evaluation(metrics[1], 0.85), new Evaluation(metrics[1], metrics[2]), 10, 3, 3, null, null, 0.5);
    }

    private static Percentiles latency(double p50) {
        return new Percentiles(p50, p50 * 1.2, p50 * 1.5, p50 * 3);
    }
}
