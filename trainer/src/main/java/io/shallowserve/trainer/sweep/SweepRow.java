package io.shallowserve.trainer.sweep;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.train.Evaluation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One trained network of a sweep: one line of rows.csv.
 *
 * @param point            the spec and seed
 * @param shape            the shape it was trained in; rows.csv writes its id in the column {@code shape} (the
 *                         first column, {@code pair}, is the point's id: its name from when every point was a pair)
 * @param trainImages      images in the training split
 * @param trainExamples    images learnt from per epoch (fewer than {@code trainImages} only when epochs are cut
 *                         short): the training examples of the determination ratio
 * @param validationImages images in the validation split
 * @param testImages       images in the test split
 * @param classes          outputs of the network
 * @param parameters       trainable parameters (the same for deep and both shallow shapes; a tat network has no
 *                         batch norm's)
 * @param train            loss and accuracy on the training split after training, batch norm in inference mode
 * @param validation       the same on the validation split
 * @param test             the same on the test split
 * @param trainingSeconds  wall time of training (without evaluation and export)
 * @param epochsTrained    epochs the run trained; 0 in rows written before this column existed
 * @param keptEpoch        the epoch whose weights were measured and exported: the last, or with early stopping the
 *                         one with the lowest validation loss; 0 in rows written before this column existed
 * @param single           batch-1 latency of model.onnx in one session; null when not measured (a sweep measures
 *                         deep and shallow)
 * @param branches         batch-1 latency of stem, concurrent branches, head; null but for shallow, or not measured
 * @param loadAverage      1-minute load average when the point's latency was measured, or without latency when
 *                         the run ended: others on the machine
 */
public record SweepRow(
        SweepPoint point,
        SweepShape shape,
        int trainImages,
        int trainExamples,
        int validationImages,
        int testImages,
        int classes,
        long parameters,
        Evaluation train,
        Evaluation validation,
        Evaluation test,
        double trainingSeconds,
        int epochsTrained,
        int keptEpoch,
        Percentiles single,
        Percentiles branches,
        double loadAverage) {

    static final List<String> COLUMNS = List.of(
            "pair", "shape", "dataset", "units", "width", "unit_kernel", "activation", "seed",
            "train_images", "train_examples", "validation_images", "test_images", "classes", "parameters", "q",
            "train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "test_loss", "test_accuracy",
            "training_seconds", "epochs_trained", "kept_epoch",
            "single_p50_us", "single_p90_us", "single_p99_us", "single_max_us",
            "branches_p50_us", "branches_p90_us", "branches_p99_us", "branches_max_us",
            "load_average");

    /**
     * The determination ratio of Bermeitinger et al.: constraints (training examples x outputs) over free
     * parameters. Below 1 the network can fit its training set exactly; far above, it cannot.
     */
    public double q() {
        return (double) trainExamples * classes / parameters;
    }

    /** This row with its point's latency and the load average when it was measured. */
    SweepRow withLatency(Percentiles single, Percentiles branches, double loadAverage) {
        return new SweepRow(point, shape, trainImages, trainExamples, validationImages, testImages, classes,
                parameters, train, validation, test, trainingSeconds, epochsTrained, keptEpoch, single, branches,
                loadAverage);
    }

    static String csvHeader() {
        return String.join(",", COLUMNS);
    }

    String csvLine() {
        List<String> values = new ArrayList<>(List.of(
                point.id(), shape.id(), point.dataset().id(), Integer.toString(point.units()),
                Integer.toString(point.width()), Integer.toString(point.unitKernel()),
                point.activation().name().toLowerCase(Locale.ROOT), Long.toString(point.seed()),
                Integer.toString(trainImages), Integer.toString(trainExamples), Integer.toString(validationImages),
                Integer.toString(testImages), Integer.toString(classes), Long.toString(parameters), number(q()),
                number(train.loss()), number(train.accuracy()), number(validation.loss()),
                number(validation.accuracy()), number(test.loss()), number(test.accuracy()),
                String.format(Locale.ROOT, "%.1f", trainingSeconds), Integer.toString(epochsTrained),
                Integer.toString(keptEpoch)));
        values.addAll(latency(single));
        values.addAll(latency(branches));
        values.add(String.format(Locale.ROOT, "%.2f", loadAverage));
        return String.join(",", values);
    }

    /** Reads a line written by {@link #csvLine()}, by column name, under {@code header}. */
    static SweepRow parse(List<String> header, String line) {
        String[] values = line.split(",", -1);
        if (values.length != header.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values, header " + header.size()
                    + ": " + line);
        }
        Map<String, String> byName = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            byName.put(header.get(i), values[i]);
        }
        SweepPoint point = new SweepPoint(
                DatasetKind.fromId(value(byName, "dataset")),
                integer(byName, "units"),
                integer(byName, "width"),
                integer(byName, "unit_kernel"),
                Activation.valueOf(value(byName, "activation").toUpperCase(Locale.ROOT)),
                Long.parseLong(value(byName, "seed")));
        return new SweepRow(
                point,
                SweepShape.fromId(value(byName, "shape")),
                integer(byName, "train_images"),
                integer(byName, "train_examples"),
                integer(byName, "validation_images"),
                integer(byName, "test_images"),
                integer(byName, "classes"),
                Long.parseLong(value(byName, "parameters")),
                evaluation(byName, "train"),
                evaluation(byName, "validation"),
                evaluation(byName, "test"),
                real(byName, "training_seconds"),
                integerOrZero(byName, "epochs_trained"),
                integerOrZero(byName, "kept_epoch"),
                latency(byName, "single"),
                latency(byName, "branches"),
                real(byName, "load_average"));
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }

    private static List<String> latency(Percentiles percentiles) {
        if (percentiles == null) {
            return List.of("NaN", "NaN", "NaN", "NaN");
        }
        return List.of(micros(percentiles.p50()), micros(percentiles.p90()), micros(percentiles.p99()),
                micros(percentiles.max()));
    }

    private static String micros(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static Percentiles latency(Map<String, String> byName, String plan) {
        double p50 = real(byName, plan + "_p50_us");
        return Double.isNaN(p50) ? null : new Percentiles(p50, real(byName, plan + "_p90_us"),
                real(byName, plan + "_p99_us"), real(byName, plan + "_max_us"));
    }

    private static Evaluation evaluation(Map<String, String> byName, String split) {
        return new Evaluation(real(byName, split + "_loss"), real(byName, split + "_accuracy"));
    }

    private static int integer(Map<String, String> byName, String column) {
        return Integer.parseInt(value(byName, column));
    }

    /** A column added later: rows written before it have none. */
    private static int integerOrZero(Map<String, String> byName, String column) {
        return byName.containsKey(column) ? integer(byName, column) : 0;
    }

    private static double real(Map<String, String> byName, String column) {
        return Double.parseDouble(value(byName, column));
    }

    private static String value(Map<String, String> byName, String column) {
        String value = byName.get(column);
        if (value == null) {
            throw new IllegalArgumentException("rows.csv has no column " + column);
        }
        return value;
    }
}
