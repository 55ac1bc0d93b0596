package io.shallowserve.trainer.arch;

import io.shallowserve.runtime.repository.ModelManifest;
import java.util.ArrayList;
import java.util.List;

/**
 * One network description from which every shape is built ({@link #forShape} says what a shape changes).
 *
 * <pre>
 * stem:  conv stemKernel x stemKernel (inputChannels -> width), [batch norm], activation, [2x2 max pool]
 * unit:  conv unitKernel x unitKernel (width -> width), [batch norm], activation      (units of them)
 * head:  average pool to headPool x headPool cells, flatten, dense -> classes
 * </pre>
 *
 * All convolutions keep the map size ("same" padding, stride 1), so every unit sees and returns a
 * width x mapHeight x mapWidth tensor and the units can be chained (deep) or summed (shallow).
 *
 * @param branchMean the shallow shape's sum scaled by 1/L: x + (1/L) sum_k F_k(x) instead of the paper's
 *                   x + sum_k F_k(x), whose branch sum starts about L times the scale of one unit; the deep and tat
 *                   shapes have no branch sum and ignore it, the parnet shape refuses it
 * @param streams    the parnet shape's streams S, each a chain of L/S units ({@link NetworkShape#PARNET}); the other
 *                   shapes are one stream, and their specs say 1 ({@link #forShape}); 0 reads as 1
 */
public record ArchitectureSpec(
        int inputChannels,
        int inputHeight,
        int inputWidth,
        int classes,
        int width,
        int stemKernel,
        boolean stemPool,
        int units,
        int unitKernel,
        Activation activation,
        boolean batchNorm,
        int headPool,
        boolean branchMean,
        int streams) {

    /** A spec whose shallow shape sums its branches as the paper does, unscaled, of one stream. */
    public ArchitectureSpec(int inputChannels, int inputHeight, int inputWidth, int classes, int width,
            int stemKernel, boolean stemPool, int units, int unitKernel, Activation activation, boolean batchNorm,
            int headPool) {
        this(inputChannels, inputHeight, inputWidth, classes, width, stemKernel, stemPool, units, unitKernel,
                activation, batchNorm, headPool, false);
    }

    /** A spec of one stream: every shape's but parnet's. */
    public ArchitectureSpec(int inputChannels, int inputHeight, int inputWidth, int classes, int width,
            int stemKernel, boolean stemPool, int units, int unitKernel, Activation activation, boolean batchNorm,
            int headPool, boolean branchMean) {
        this(inputChannels, inputHeight, inputWidth, classes, width, stemKernel, stemPool, units, unitKernel,
                activation, batchNorm, headPool, branchMean, 1);
    }

    public ArchitectureSpec {
        // 0 is how Gson reads a spec written before streams existed (research/default-grid/distill.json): one stream.
        if (streams == 0) {
            streams = 1;
        }
        List<String> problems = new ArrayList<>();
        positive(problems, "inputChannels", inputChannels);
        positive(problems, "inputHeight", inputHeight);
        positive(problems, "inputWidth", inputWidth);
        if (classes < 2) {
            problems.add("classes must be at least 2, got " + classes);
        }
        positive(problems, "width", width);
        positive(problems, "units", units);
        positive(problems, "streams", streams);
        oddKernel(problems, "stemKernel", stemKernel);
        oddKernel(problems, "unitKernel", unitKernel);
        if (activation == null) {
            problems.add("activation is required (relu, leaky_relu or tat_leaky_relu)");
        }
        if (problems.isEmpty()) {
            if (stemKernel > inputHeight || stemKernel > inputWidth) {
                problems.add("stemKernel " + stemKernel + " is larger than the " + inputHeight + "x" + inputWidth
                        + " input");
            }
            if (stemPool && (inputHeight < 2 || inputWidth < 2)) {
                problems.add("stemPool needs an input of at least 2x2");
            }
            int mapHeight = stemPool ? inputHeight / 2 : inputHeight;
            int mapWidth = stemPool ? inputWidth / 2 : inputWidth;
            if (unitKernel > mapHeight || unitKernel > mapWidth) {
                problems.add("unitKernel " + unitKernel + " is larger than the " + mapHeight + "x" + mapWidth
                        + " feature map the units see");
            }
            if (headPool < 1 || mapHeight % headPool != 0 || mapWidth % headPool != 0) {
                problems.add("headPool " + headPool + " must divide the " + mapHeight + "x" + mapWidth
                        + " feature map (1 = global average pool)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Impossible architecture: " + String.join("; ", problems));
        }
    }

    private static void positive(List<String> problems, String name, int value) {
        if (value < 1) {
            problems.add(name + " must be positive, got " + value);
        }
    }

    private static void oddKernel(List<String> problems, String name, int value) {
        if (value < 1 || value % 2 == 0) {
            problems.add(name + " must be an odd positive size so that padding keeps the map size, got " + value);
        }
    }

    /**
     * The spec a network of {@code shape} is built from. Parnet builds this one, checked for its streams. Deep and
     * shallow build it with one stream: streams is the parnet shape's choice. A tat network builds it of one stream,
     * without batch norm and with {@link Activation#TAT_LEAKY_RELU}: TAT replaces both normalisation and shortcuts
     * with the activation's slope, so the spec's batchNorm and activation are the other shapes' choices.
     *
     * @throws IllegalArgumentException for a deep, shallow or parnet network of {@link Activation#TAT_LEAKY_RELU},
     *                                  whose slope is solved for a chain without shortcuts, or a parnet network its
     *                                  streams do not fit ({@link #parnetProblems})
     */
    public ArchitectureSpec forShape(NetworkShape shape) {
        if (shape == NetworkShape.TAT) {
            return new ArchitectureSpec(inputChannels, inputHeight, inputWidth, classes, width, stemKernel, stemPool,
                    units, unitKernel, Activation.TAT_LEAKY_RELU, false, headPool, branchMean);
        }
        if (activation == Activation.TAT_LEAKY_RELU) {
            throw new IllegalArgumentException("tat_leaky_relu is the tat shape's activation, its slope solved for a"
                    + " chain without shortcuts; a " + shape.id() + " network takes relu or leaky_relu");
        }
        if (shape == NetworkShape.PARNET) {
            List<String> problems = parnetProblems();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Impossible parnet network: " + String.join("; ", problems));
            }
            return this;
        }
        return streams == 1 ? this : new ArchitectureSpec(inputChannels, inputHeight, inputWidth, classes, width,
                stemKernel, stemPool, units, unitKernel, activation, batchNorm, headPool, branchMean);
    }

    /**
     * Why the units cannot be wired as parnet streams: fewer than 2 streams (one is the deep shape), units that do not
     * split evenly, a map that the later streams' 2x2 average pool cannot halve exactly (an odd side) or that leaves
     * them a map smaller than the unit kernel, or branchMean, which scales a sum of single units.
     */
    private List<String> parnetProblems() {
        List<String> problems = new ArrayList<>();
        if (streams < 2) {
            problems.add("streams must be at least 2 (one stream is the deep shape), got " + streams);
        } else if (units % streams != 0) {
            problems.add("the " + units + " units must split into " + streams + " streams of equal length");
        }
        if (mapHeight() % 2 != 0 || mapWidth() % 2 != 0) {
            problems.add("the streams after the first work on the " + mapHeight() + "x" + mapWidth()
                    + " feature map average-pooled 2x2 and upsampled back, so both its sides must be even");
        } else if (unitKernel > coarseHeight() || unitKernel > coarseWidth()) {
            problems.add("unitKernel " + unitKernel + " is larger than the " + coarseHeight() + "x" + coarseWidth()
                    + " map the streams after the first see");
        }
        if (branchMean) {
            problems.add("branchMean scales the shallow shape's sum of single units; a parnet network sums its"
                    + " streams unscaled");
        }
        return problems;
    }

    /**
     * This spec as model.json records it; with {@link Activation#TAT_LEAKY_RELU}, its slope too, branchMean only
     * when set (a model.json without it sums unscaled), and streams only when more than one (a parnet model's; a
     * model.json without it is of one stream).
     */
    public ModelManifest.Architecture toManifest() {
        return new ModelManifest.Architecture(inputChannels, inputHeight, inputWidth, classes, width, stemKernel,
                stemPool, units, unitKernel, activation.name(), batchNorm, headPool,
                activation == Activation.TAT_LEAKY_RELU ? TatSlope.of(this) : null, branchMean ? true : null,
                streams == 1 ? null : streams);
    }

    /**
     * The spec a model.json records.
     *
     * @throws IllegalArgumentException if it names no {@link Activation} or is impossible
     */
    public static ArchitectureSpec fromManifest(ModelManifest.Architecture recorded) {
        return new ArchitectureSpec(recorded.inputChannels(), recorded.inputHeight(), recorded.inputWidth(),
                recorded.classes(), recorded.width(), recorded.stemKernel(), recorded.stemPool(), recorded.units(),
                recorded.unitKernel(), Activation.valueOf(recorded.activation()), recorded.batchNorm(),
                recorded.headPool(), Boolean.TRUE.equals(recorded.branchMean()),
                recorded.streams() == null ? 1 : recorded.streams());
    }

    /** Height of the feature map the units work on. */
    public int mapHeight() {
        return stemPool ? inputHeight / 2 : inputHeight;
    }

    /** Width of the feature map the units work on. */
    public int mapWidth() {
        return stemPool ? inputWidth / 2 : inputWidth;
    }

    /** Height of the map the parnet shape's streams after the first work on: the feature map pooled 2x2. */
    public int coarseHeight() {
        return mapHeight() / 2;
    }

    /** Width of the map the parnet shape's streams after the first work on. */
    public int coarseWidth() {
        return mapWidth() / 2;
    }

    /** Units in each of the parnet shape's streams. */
    public int unitsPerStream() {
        return units / streams;
    }

    /** Features entering the dense layer of the head. */
    public int headFeatures() {
        return width * headPool * headPool;
    }

    /**
     * Trainable parameters: convolution and dense weights and biases, and batch-norm scale and shift.
     * The wiring does not enter: deep, shallow and parnet hold the same layers (a tat network's spec has no batch
     * norm).
     */
    public long parameterCount() {
        long perNorm = batchNorm ? 2L * width : 0;
        long stem = (long) width * inputChannels * stemKernel * stemKernel + width + perNorm;
        long unit = (long) width * width * unitKernel * unitKernel + width + perNorm;
        long head = (long) headFeatures() * classes + classes;
        return stem + units * unit + head;
    }

    /** Input tensor shape for a batch of {@code batch} images, NCHW. */
    public long[] inputShape(long batch) {
        return new long[] {batch, inputChannels, inputHeight, inputWidth};
    }

    /** Shape of the feature map between stem, units and head for a batch of {@code batch} images. */
    public long[] mapShape(long batch) {
        return new long[] {batch, width, mapHeight(), mapWidth()};
    }
}
