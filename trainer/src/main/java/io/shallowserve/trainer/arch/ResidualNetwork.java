package io.shallowserve.trainer.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.shallowserve.trainer.export.FoldedNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * The DJL form of one {@link ArchitectureSpec} in one {@link NetworkShape}. It keeps typed references to
 * its layers so that the trained parameters can be folded and exported without guessing at block names. (A tat
 * network is the residual stack without its residual adds, a parnet network residual stacks side by side: the same
 * class builds them, and every shape keeps its units in one list, a parnet network's stream by stream.)
 *
 * <p>Input: float pixels in [0,1], NCHW. The per-channel normalisation is the first step of the network,
 * so the exported graph takes the same input and clients need not know the statistics.
 *
 * <p>For mimic learning (Ba and Caruana) the head's dense layer can be trained as two: a linear bottleneck of rank
 * r without bias or activation, then the dense layer to the classes. Their product is one dense layer, so
 * {@link #fold()} multiplies them and the exported model has the spec's plain head: the repository format does not
 * change.
 */
public final class ResidualNetwork {

    /** Batch-norm epsilon, shared by training and the folding at export. */
    static final float BATCH_NORM_EPSILON = 1e-5f;

    private final ArchitectureSpec spec;
    private final NetworkShape shape;
    private final float[] channelMean;
    private final float[] channelStd;
    private final ConvLayer stem;
    private final List<ConvLayer> units;
    private final Linear bottleneck;
    private final Linear head;
    private final SequentialBlock block;

    private ResidualNetwork(
            ArchitectureSpec spec, NetworkShape shape, float[] channelMean, float[] channelStd, int bottleneckRank) {
        if (channelMean.length != spec.inputChannels() || channelStd.length != spec.inputChannels()) {
            throw new IllegalArgumentException("normalisation needs one mean and std per input channel ("
                    + spec.inputChannels() + "), got " + channelMean.length + " and " + channelStd.length);
        }
        this.spec = spec.forShape(shape);
        this.shape = shape;
        this.channelMean = channelMean.clone();
        this.channelStd = channelStd.clone();
        this.stem = ConvLayer.of(this.spec, this.spec.stemKernel(), shape);
        List<ConvLayer> layers = new ArrayList<>();
        for (int k = 0; k < this.spec.units(); k++) {
            layers.add(ConvLayer.of(this.spec, this.spec.unitKernel(), shape));
        }
        this.units = List.copyOf(layers);
        if (bottleneckRank < 0) {
            throw new IllegalArgumentException(
                    "bottleneck rank must not be negative (0 = none), got " + bottleneckRank);
        }
        this.bottleneck = bottleneckRank == 0 ? null
                : Linear.builder().setUnits(bottleneckRank).optBias(false).build();
        this.head = Linear.builder().setUnits(this.spec.classes()).build();
        this.block = assemble();
    }

    /**
     * Builds the network from {@code spec.forShape(shape)}; {@code channelMean} and {@code channelStd} come from the
     * training split.
     */
    public static ResidualNetwork create(
            ArchitectureSpec spec, NetworkShape shape, float[] channelMean, float[] channelStd) {
        return new ResidualNetwork(spec, shape, channelMean, channelStd, 0);
    }

    /**
     * Builds the network with a linear bottleneck of rank {@code bottleneckRank} before the head's dense layer
     * (0 = none, as {@link #create}). It trains {@code rank * (headFeatures + classes)} head weights instead of
     * {@code headFeatures * classes}, and folds into the plain head at export.
     */
    public static ResidualNetwork withBottleneck(
            ArchitectureSpec spec, NetworkShape shape, float[] channelMean, float[] channelStd, int bottleneckRank) {
        return new ResidualNetwork(spec, shape, channelMean, channelStd, bottleneckRank);
    }

    /** The spec the network is built from: {@code forShape(shape)} of the one it was created with. */
    public ArchitectureSpec spec() {
        return spec;
    }

    public NetworkShape shape() {
        return shape;
    }

    /** The network as a training log names it ({@link NetworkShape#label}). */
    public String label() {
        return shape.label(spec.branchMean());
    }

    /** The DJL block to train and run: [N, C, H, W] pixels in [0,1] to [N, classes] logits. */
    public Block block() {
        return block;
    }

    private SequentialBlock assemble() {
        SequentialBlock network = new SequentialBlock();
        network.add(LambdaBlock.singleton(this::normalise, "normalise"));
        network.add(stem.block(spec));
        if (spec.stemPool()) {
            network.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        switch (shape) {
            case DEEP -> units.forEach(unit -> network.add(residual(unit.block(spec))));
            case SHALLOW -> network.add(parallelSum());
            case PARNET -> network.add(streamSum());
            case TAT -> units.forEach(unit -> network.add(unit.block(spec)));
        }
        if (spec.headPool() == 1) {
            network.add(Pool.globalAvgPool2dBlock());
        } else {
            Shape window = new Shape(spec.mapHeight() / spec.headPool(), spec.mapWidth() / spec.headPool());
            network.add(Pool.avgPool2dBlock(window, window));
        }
        network.add(Blocks.batchFlattenBlock());
        if (bottleneck != null) {
            network.add(bottleneck);
        }
        network.add(head);
        return network;
    }

    private NDArray normalise(NDArray pixels) {
        long[] perChannel = {1, channelMean.length, 1, 1};
        NDArray mean = pixels.getManager().create(channelMean, new Shape(perChannel));
        NDArray std = pixels.getManager().create(channelStd, new Shape(perChannel));
        return pixels.sub(mean).div(std);
    }

    /** h + F(h). */
    private static Block residual(Block unit) {
        return new ParallelBlock(ResidualNetwork::sum, List.of(Blocks.identityBlock(), unit));
    }

    /** x + sum_k F_k(x), or x + (1/L) sum_k F_k(x) with branchMean: every unit sees the same input. */
    private Block parallelSum() {
        List<Block> branches = new ArrayList<>();
        branches.add(Blocks.identityBlock());
        units.forEach(unit -> branches.add(unit.block(spec)));
        if (!spec.branchMean()) {
            return new ParallelBlock(ResidualNetwork::sum, branches);
        }
        float scale = 1f / units.size();
        return new ParallelBlock(outputs -> new NDList(outputs.getFirst().singletonOrThrow()
                .add(sum(outputs.subList(1, outputs.size())).singletonOrThrow().mul(scale))), branches);
    }

    /**
     * x + sum_s G_s(x) over the parnet streams, each its residual increments ({@link NetworkShape#PARNET}): stream 0
     * at the map's resolution, the others on a 2x2 average-pooled copy, upsampled back by repeating each value 2x2.
     */
    private Block streamSum() {
        List<Block> branches = new ArrayList<>();
        branches.add(Blocks.identityBlock());
        int length = spec.unitsPerStream();
        for (int s = 0; s < spec.streams(); s++) {
            SequentialBlock chain = new SequentialBlock();
            units.subList(s * length, (s + 1) * length).forEach(unit -> chain.add(residual(unit.block(spec))));
            // R(z) - z: what the chain adds to its input.
            Block increments = new ParallelBlock(outputs -> new NDList(outputs.get(0).singletonOrThrow()
                    .sub(outputs.get(1).singletonOrThrow())), List.of(chain, Blocks.identityBlock()));
            branches.add(s == 0 ? increments : new SequentialBlock()
                    .add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(increments)
                    .add(LambdaBlock.singleton(x -> x.repeat(2, 2).repeat(3, 2), "upsample")));
        }
        return new ParallelBlock(ResidualNetwork::sum, branches);
    }

    private static NDList sum(List<NDList> outputs) {
        NDArray total = outputs.get(0).singletonOrThrow();
        for (int i = 1; i < outputs.size(); i++) {
            total = total.add(outputs.get(i).singletonOrThrow());
        }
        return new NDList(total);
    }

    /** The trained parameters with batch norm folded into each convolution, ready for ONNX export. */
    public FoldedNetwork fold() {
        List<FoldedNetwork.Conv> foldedUnits = units.stream().map(ConvLayer::fold).toList();
        if (shape == NetworkShape.SHALLOW && spec.branchMean()) {
            // (1/L) act(z) = act(z / L) for the positively homogeneous relu and leaky relu: the scale goes into each
            // unit's convolution and the exported graphs keep the plain sum.
            float scale = 1f / foldedUnits.size();
            foldedUnits = foldedUnits.stream().map(conv -> conv.scaled(scale)).toList();
        }
        float[] weight = head.getParameters().get("weight").getArray().toFloatArray();
        if (bottleneck != null) {
            weight = foldBottleneck(weight);
        }
        FoldedNetwork.Dense dense = new FoldedNetwork.Dense(
                spec.classes(),
                spec.headFeatures(),
                weight,
                head.getParameters().get("bias").getArray().toFloatArray());
        return new FoldedNetwork(spec, shape, channelMean, channelStd, stem.fold(), foldedUnits, dense);
    }

    /**
     * head(bottleneck(x)) = W2 (W1 x) + b = (W2 W1) x + b: the (classes x features) weight of the one dense layer
     * that computes the same, from the head's (classes x rank) weight W2 and the bottleneck's (rank x features) W1.
     */
    private float[] foldBottleneck(float[] headWeight) {
        float[] bottleneckWeight = bottleneck.getParameters().get("weight").getArray().toFloatArray();
        int classes = spec.classes();
        int features = spec.headFeatures();
        int rank = bottleneckWeight.length / features;
        float[] product = new float[classes * features];
        for (int c = 0; c < classes; c++) {
            for (int r = 0; r < rank; r++) {
                float scale = headWeight[c * rank + r];
                for (int f = 0; f < features; f++) {
                    product[c * features + f] += scale * bottleneckWeight[r * features + f];
                }
            }
        }
        return product;
    }

    /** A convolution with "same" padding and its optional batch norm. */
    private record ConvLayer(Conv2d conv, BatchNorm norm, int kernel) {

        /** A tat network's convolutions start from TAT's Delta-orthogonal weights, the others from DJL's default. */
        static ConvLayer of(ArchitectureSpec spec, int kernel, NetworkShape shape) {
            Conv2d conv = Conv2d.builder()
                    .setKernelShape(new Shape(kernel, kernel))
                    .optPadding(new Shape(kernel / 2, kernel / 2))
                    .setFilters(spec.width())
                    .build();
            if (shape == NetworkShape.TAT) {
                // DJL's biases start at zero, as TAT's do.
                conv.setInitializer(new DeltaOrthogonal(), Parameter.Type.WEIGHT);
            }
            BatchNorm norm = spec.batchNorm()
                    ? BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).build()
                    : null;
            return new ConvLayer(conv, norm, kernel);
        }

        /** conv, [batch norm], the spec's activation. */
        Block block(ArchitectureSpec spec) {
            SequentialBlock sequence = new SequentialBlock().add(conv);
            if (norm != null) {
                sequence.add(norm);
            }
            return sequence.add(switch (spec.activation()) {
                case RELU -> ai.djl.nn.Activation.reluBlock();
                case LEAKY_RELU -> ai.djl.nn.Activation.leakyReluBlock(Activation.LEAKY_RELU_ALPHA);
                case TAT_LEAKY_RELU -> tatLeakyRelu(TatSlope.of(spec));
            });
        }

        /** sqrt(2 / (1 + a^2)) * LeakyReLU_a, in float as the ONNX graph computes it. */
        private static Block tatLeakyRelu(float slope) {
            float scale = (float) TatSlope.outputScale(slope);
            return LambdaBlock.singleton(x -> ai.djl.nn.Activation.leakyRelu(x, slope).mul(scale), "tat-leaky-relu");
        }

        FoldedNetwork.Conv fold() {
            NDArray weight = conv.getParameters().get("weight").getArray();
            long[] dims = weight.getShape().getShape();
            int out = (int) dims[0];
            int in = (int) dims[1];
            float[] w = weight.toFloatArray();
            float[] b = conv.getParameters().get("bias").getArray().toFloatArray();
            if (norm != null) {
                float[] gamma = norm.getParameters().get("gamma").getArray().toFloatArray();
                float[] beta = norm.getParameters().get("beta").getArray().toFloatArray();
                float[] mean = norm.getParameters().get("runningMean").getArray().toFloatArray();
                float[] variance = norm.getParameters().get("runningVar").getArray().toFloatArray();
                int perOutput = w.length / out;
                for (int o = 0; o < out; o++) {
                    float scale = (float) (gamma[o] / Math.sqrt(variance[o] + BATCH_NORM_EPSILON));
                    for (int i = 0; i < perOutput; i++) {
                        w[o * perOutput + i] *= scale;
                    }
                    b[o] = (b[o] - mean[o]) * scale + beta[o];
                }
            }
            return new FoldedNetwork.Conv(out, in, kernel, w, b);
        }
    }
}
