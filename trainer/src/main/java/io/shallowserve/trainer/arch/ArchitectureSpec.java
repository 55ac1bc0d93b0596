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
 *                   shapes have no branch sum and ignore it
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
        boolean branchMean) {

    /** A spec whose shallow shape sums its branches as the paper does, unscaled. */
    public ArchitectureSpec(int inputChannels, int inputHeight, int inputWidth, int classes, int width,
            int stemKernel, boolean stemPool, int units, int unitKernel, Activation activation, boolean batchNorm,
            int headPool) {
        this(inputChannels, inputHeight, inputWidth, classes, width, stemKernel, stemPool, units, unitKernel,
                activation, batchNorm, headPool, false);
    }

    public ArchitectureSpec {
        List<String> problems = new ArrayList<>();
        positive(problems, "inputChannels", inputChannels);
        positive(problems, "inputHeight", inputHeight);
        positive(problems, "inputWidth", inputWidth);
        if (classes < 2) {
            problems.add("classes must be at least 2, got " + classes);
        }
        positive(problems, "width", width);
        positive(problems, "units", units);
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
     * The spec a network of {@code shape} is built from. Deep and shallow build this one. A tat network builds it
     * without batch norm and with {@link Activation#TAT_LEAKY_RELU}: TAT replaces both normalisation and shortcuts
     * with the activation's slope, so the spec's batchNorm and activation are the other shapes' choices.
     *
     * @throws IllegalArgumentException for a deep or shallow network of {@link Activation#TAT_LEAKY_RELU}, whose
     *                                  slope is solved for a chain without shortcuts
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
        return this;
    }

    /**
     * This spec as model.json records it; with {@link Activation#TAT_LEAKY_RELU}, its slope too, and branchMean only
     * when set (a model.json without it sums unscaled).
     */
    public ModelManifest.Architecture toManifest() {
        return new ModelManifest.Architecture(inputChannels, inputHeight, inputWidth, classes, width, stemKernel,
                stemPool, units, unitKernel, activation.name(), batchNorm, headPool,
                activation == Activation.TAT_LEAKY_RELU ? TatSlope.of(this) : null, branchMean ? true : null);
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
                recorded.headPool(), Boolean.TRUE.equals(recorded.branchMean()));
    }

    /** Height of the feature map the units work on. */
    public int mapHeight() {
        return stemPool ? inputHeight / 2 : inputHeight;
    }

    /** Width of the feature map the units work on. */
    public int mapWidth() {
        return stemPool ? inputWidth / 2 : inputWidth;
    }

    /** Features entering the dense layer of the head. */
    public int headFeatures() {
        return width * headPool * headPool;
    }

    /**
     * Trainable parameters: convolution and dense weights and biases, and batch-norm scale and shift.
     * The wiring does not enter: deep and shallow hold the same layers (a tat network's spec has no batch norm).
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
