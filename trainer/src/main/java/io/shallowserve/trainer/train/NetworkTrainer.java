package io.shallowserve.trainer.train;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import io.shallowserve.runtime.data.ImageDataset;
import io.shallowserve.trainer.arch.ResidualNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Trains one {@link ResidualNetwork} with DJL on the CPU: Adam with a cosine-decaying learning rate,
 * softmax cross-entropy on the labels (or another {@link TrainingTarget}), optionally stopping early on the
 * validation loss, with a line (and on a terminal a progress bar) per epoch and a CSV row per epoch.
 */
public final class NetworkTrainer implements AutoCloseable {

    private static final int EVALUATION_BATCH = 500;

    private final ResidualNetwork network;
    private final Model model;

    private NetworkTrainer(ResidualNetwork network) {
        this.network = network;
        this.model = Model.newInstance(network.shape().id(), Device.cpu());
        model.setBlock(network.block());
    }

    /** Seeds the engine, so the weights it initialises are the same for the same seed. */
    public static NetworkTrainer create(ResidualNetwork network, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return new NetworkTrainer(network);
    }

    public ResidualNetwork network() {
        return network;
    }

    /**
     * What a training run did.
     *
     * @param epochs    every epoch trained, in order
     * @param keptEpoch the epoch whose weights the network holds now: the last, or with early stopping the one with
     *                  the lowest validation loss
     */
    public record History(List<EpochMetrics> epochs, int keptEpoch) {

        public History {
            epochs = List.copyOf(epochs);
        }

        /** Whether training ended before the most epochs it was allowed. */
        public boolean stoppedEarly(TrainingOptions options) {
            return epochs.size() < options.epochs();
        }
    }

    /**
     * Trains on the class labels for {@code options.epochs()} epochs, validating after each, and appends a row per
     * epoch to {@code metricsCsv} (written fresh; null for none). With {@code options.patience()}, stops after that
     * many epochs without a lower validation loss and puts back the weights of the epoch with the lowest.
     */
    public History train(
            ImageDataset training, ImageDataset validation, TrainingOptions options, Path metricsCsv)
            throws IOException {
        return train(training, validation, options, metricsCsv, TrainingTarget.CLASS_LABELS);
    }

    /**
     * Trains towards {@code target} (e.g. a teacher's logits). The train loss in the metrics is {@code target}'s
     * loss; the train accuracy and the validation metrics are always against the labels.
     */
    public History train(
            ImageDataset training, ImageDataset validation, TrainingOptions options, Path metricsCsv,
            TrainingTarget target)
            throws IOException {
        int stepsPerEpoch = Math.ceilDiv(training.size(), options.batchSize());
        if (options.maxStepsPerEpoch() > 0) {
            stepsPerEpoch = Math.min(stepsPerEpoch, options.maxStepsPerEpoch());
        }
        Tracker learningRate = Tracker.cosine()
                .setBaseValue(options.learningRate())
                .optFinalValue(options.learningRate() / 100)
                .setMaxUpdates(Math.max(1, stepsPerEpoch * options.epochs()))
                .build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(target.loss())
                .optOptimizer(Adam.builder().optLearningRateTracker(learningRate).build())
                .optDevices(new Device[] {Device.cpu()});
        if (options.stopsEarly() && validation.size() == 0) {
            throw new IllegalArgumentException("early stopping (patience " + options.patience()
                    + ") needs validation images");
        }
        Random order = new Random(options.seed());
        List<EpochMetrics> history = new ArrayList<>();
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        byte[] bestWeights = null;
        try (Trainer trainer = model.newTrainer(config);
                PrintWriter csv = metricsCsv == null ? null : new PrintWriter(Files.newBufferedWriter(metricsCsv))) {
            trainer.initialize(new Shape(network.spec().inputShape(1)));
            if (csv != null) {
                csv.println(EpochMetrics.CSV_HEADER);
            }
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                EpochMetrics metrics =
                        trainEpoch(trainer, training, validation, options, target, stepsPerEpoch, epoch, order);
                history.add(metrics);
                if (csv != null) {
                    csv.println(metrics.csvRow());
                    csv.flush();
                }
                if (!options.stopsEarly()) {
                    continue;
                }
                // A NaN loss (a diverged run) is never lower: it counts as an epoch without improvement.
                if (metrics.validationLoss() < bestLoss) {
                    bestLoss = metrics.validationLoss();
                    bestEpoch = epoch;
                    bestWeights = weights();
                } else if (epoch - bestEpoch >= options.patience()) {
                    print(options, String.format(Locale.ROOT, "%-7s stopped after epoch %d: no lower validation"
                            + " loss for %d epochs", network.label(), epoch, options.patience()));
                    break;
                }
            }
        }
        if (!options.stopsEarly()) {
            return new History(history, history.size());
        }
        if (bestWeights == null) {
            throw new IllegalStateException("the validation loss was never a number: training diverged");
        }
        if (bestEpoch < history.size()) {
            restore(bestWeights);
        }
        print(options, String.format(Locale.ROOT, "%-7s keeps the weights of epoch %d (validation loss %.4f)",
                network.label(), bestEpoch, bestLoss));
        return new History(history, bestEpoch);
    }

    /** Every parameter of the network, batch-norm running statistics included, as DJL saves them. */
    private byte[] weights() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            network.block().saveParameters(out);
        }
        return bytes.toByteArray();
    }

    private void restore(byte[] weights) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
            network.block().loadParameters(model.getNDManager(), in);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("could not put back the weights saved a moment ago", e);
        }
    }

    private static void print(TrainingOptions options, String line) {
        if (options.progress() != Progress.QUIET) {
            System.out.println(line);
        }
    }

    private EpochMetrics trainEpoch(
            Trainer trainer,
            ImageDataset training,
            ImageDataset validation,
            TrainingOptions options,
            TrainingTarget target,
            int steps,
            int epoch,
            Random order) {
        int[] permutation = Permutation.of(training.size(), order);
        long started = System.nanoTime();
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        String task = String.format("%-7s epoch %d/%d", network.label(), epoch, options.epochs());
        ProgressBarBuilder progress = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .continuousUpdate();
        if (options.progress() != Progress.BAR) {
            progress.setConsumer(new DelegatingProgressBarConsumer(line -> { }));
        }
        try (ProgressBar bar = progress.build()) {
            for (int step = 0; step < steps; step++) {
                int from = step * options.batchSize();
                int to = Math.min(from + options.batchSize(), training.size());
                int[] indices = Arrays.copyOfRange(permutation, from, to);
                ImageDataset selected = training.select(indices);
                try (NDManager batch = model.getNDManager().newSubManager()) {
                    NDArray images = batch.create(
                            selected.pixelsAsFloats(0, selected.size()),
                            new Shape(network.spec().inputShape(selected.size())));
                    NDArray labels = batch.create(selected.labels());
                    NDArray targets = target.targets(batch, selected, indices);
                    try (GradientCollector gradients = trainer.newGradientCollector()) {
                        NDArray logits = trainer.forward(new NDList(images)).singletonOrThrow();
                        NDArray loss = trainer.getLoss().evaluate(new NDList(targets), new NDList(logits));
                        gradients.backward(loss);
                        lossSum += loss.getFloat() * (to - from);
                        correct += countCorrect(logits, labels);
                    }
                    trainer.step();
                }
                seen += to - from;
                double seconds = (System.nanoTime() - started) / 1e9;
                bar.step();
                bar.setExtraMessage(String.format(" loss %.4f acc %.4f %5.0f img/s",
                        lossSum / seen, (double) correct / seen, seen / seconds));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Evaluation validated = validation.size() == 0 ? null : evaluate(validation);
        EpochMetrics metrics = new EpochMetrics(
                epoch,
                lossSum / seen,
                (double) correct / seen,
                validated == null ? Double.NaN : validated.loss(),
                validated == null ? Double.NaN : validated.accuracy(),
                seconds,
                seen / seconds);
        print(options, String.format(Locale.ROOT,
                "%-7s epoch %d/%d: train loss %.4f acc %.4f | validation loss %.4f acc %.4f | %.1f s",
                network.label(), epoch, options.epochs(), metrics.trainLoss(), metrics.trainAccuracy(),
                metrics.validationLoss(), metrics.validationAccuracy(), seconds));
        return metrics;
    }

    /** Loss and accuracy with batch norm in inference mode, as the exported graph computes them. */
    public Evaluation evaluate(ImageDataset data) {
        double lossSum = 0;
        long correct = 0;
        Loss loss = Loss.softmaxCrossEntropyLoss();
        for (int from = 0; from < data.size(); from += EVALUATION_BATCH) {
            int to = Math.min(from + EVALUATION_BATCH, data.size());
            try (NDManager batch = model.getNDManager().newSubManager()) {
                NDArray logits = forward(batch, data.pixelsAsFloats(from, to), to - from);
                NDArray labels = batch.create(Arrays.copyOfRange(data.labels(), from, to));
                lossSum += loss.evaluate(new NDList(labels), new NDList(logits)).getFloat() * (to - from);
                correct += countCorrect(logits, labels);
            }
        }
        return new Evaluation(lossSum / data.size(), (double) correct / data.size());
    }

    /** Logits for {@code count} images of [0,1] pixels, NCHW, row-major [count x classes]. */
    public float[] logits(float[] pixels, int count) {
        try (NDManager batch = model.getNDManager().newSubManager()) {
            return forward(batch, pixels, count).toFloatArray();
        }
    }

    private NDArray forward(NDManager manager, float[] pixels, int count) {
        NDArray images = manager.create(pixels, new Shape(network.spec().inputShape(count)));
        ParameterStore parameters = new ParameterStore(manager, false);
        return network.block().forward(parameters, new NDList(images), false).singletonOrThrow();
    }

    private static long countCorrect(NDArray logits, NDArray labels) {
        return logits.argMax(1).toType(DataType.INT32, false).eq(labels.toType(DataType.INT32, false))
                .sum().getLong();
    }

    @Override
    public void close() {
        model.close();
    }
}
