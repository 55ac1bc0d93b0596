package io.shallowserve.trainer.export;

import static io.shallowserve.trainer.export.OnnxGraphBuilder.integer;
import static io.shallowserve.trainer.export.OnnxGraphBuilder.ints;
import static io.shallowserve.trainer.export.OnnxGraphBuilder.real;
import static io.shallowserve.trainer.export.OnnxGraphBuilder.text;

import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.TatSlope;
import java.util.List;

/**
 * Writes the pieces of one {@link FoldedNetwork} (stem, unit k, head) into a graph.
 *
 * <p>The whole model and every split graph are assembled from these same methods, which is what makes the
 * split pipeline compute exactly what the whole model computes. Each method takes the name of the tensor it
 * reads and the name its result must carry (a graph boundary such as {@code stem} or {@code logits}, or an
 * inner name), and adds only the weights it uses, so a split graph holds only its own weights.
 *
 * <p>Names: weights are {@code <piece>.<layer>.weight|bias} (e.g. {@code unit3.conv.weight}); a node and the
 * tensor it produces share a name (e.g. node {@code unit3.act} produces {@code unit3.act}) unless the
 * tensor is a graph boundary; TAT's activation {@code unit3.act} is the LeakyRelu {@code unit3.act.leaky_relu} times
 * the scalar {@code unit3.act.scale}. Units are numbered from 0, like the list in {@link FoldedNetwork#units()}
 * and a shallow network's files {@code branches/branch-<k>.onnx}; a parnet network's streams are numbered from 0
 * too, like its branch files, and their own nodes are {@code stream<s>.pool|increments|upsample}.
 */
final class NetworkLayers {

    private final FoldedNetwork network;
    private final ArchitectureSpec spec;
    private final OnnxGraphBuilder graph;

    NetworkLayers(FoldedNetwork network, OnnxGraphBuilder graph) {
        this.network = network;
        this.spec = network.spec();
        this.graph = graph;
    }

    /** Input normalisation, stem convolution, activation and (if the spec says so) 2x2 max pool: h0. */
    String stem(String pixels, String output) {
        long[] perChannel = {1, spec.inputChannels(), 1, 1};
        String mean = graph.initializer("normalise.mean", perChannel, network.channelMean());
        String std = graph.initializer("normalise.std", perChannel, network.channelStd());
        String centred = graph.node("Sub", "normalise.sub", List.of(pixels, mean), "normalise.sub");
        String normalised = graph.node("Div", "normalise.div", List.of(centred, std), "normalise.div");
        String convolved = conv("stem.conv", network.stem(), normalised);
        if (!spec.stemPool()) {
            return activation("stem.act", convolved, output);
        }
        String activated = activation("stem.act", convolved, "stem.act");
        // No pads and ceil_mode 0: an odd row or column is dropped, as the spec's mapHeight()/mapWidth() say.
        return graph.node("MaxPool", "stem.pool", List.of(activated), output,
                ints("kernel_shape", 2, 2), ints("strides", 2, 2));
    }

    /** Unit F_k (k from 0): convolution and activation, same map size in and out. */
    String unit(int k, String features, String output) {
        String prefix = unitName(k);
        String convolved = conv(prefix + ".conv", network.units().get(k), features);
        return activation(prefix + ".act", convolved, output);
    }

    /**
     * Parnet stream s (from 0), its residual increments R_s(z) - z with R_s its units' residual chain: z is
     * {@code features} for stream 0, for the others {@code features} average-pooled 2x2, their increments then
     * upsampled back to the map's size by repeating each value 2x2 (Resize, nearest, exact at scale 2).
     */
    String stream(int s, String features, String output) {
        String prefix = "stream" + s;
        String input = s == 0 ? features : graph.node("AveragePool", prefix + ".pool", List.of(features),
                prefix + ".pool", ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        String chained = input;
        int length = spec.unitsPerStream();
        for (int k = s * length; k < (s + 1) * length; k++) {
            String unit = unit(k, chained, unitName(k) + ".act");
            chained = add(unitName(k) + ".residual", chained, unit);
        }
        String increments = graph.node("Sub", prefix + ".increments", List.of(chained, input),
                s == 0 ? output : prefix + ".increments");
        if (s == 0) {
            return increments;
        }
        String scales = graph.initializer(prefix + ".upsample.scales", new long[] {4}, new float[] {1, 1, 2, 2});
        // Asymmetric coordinates and floor: output pixel (y, x) reads input (y / 2, x / 2), rounded down.
        return graph.node("Resize", prefix + ".upsample", List.of(increments, OnnxGraphBuilder.OMITTED, scales),
                output, text("mode", "nearest"), text("coordinate_transformation_mode", "asymmetric"),
                text("nearest_mode", "floor"));
    }

    /** Default name of unit k's result inside a graph, where it is not a graph boundary. */
    static String unitName(int k) {
        return "unit" + k;
    }

    /** Residual connection {@code a + b} as its own node. */
    String add(String nodeName, String a, String b) {
        return graph.node("Add", nodeName, List.of(a, b), nodeName);
    }

    /** Sum of any number of same-shaped tensors in one node (ONNX Sum is variadic and takes one input too). */
    String sum(String nodeName, List<String> terms, String output) {
        return graph.node("Sum", nodeName, terms, output);
    }

    /** Average pool to headPool x headPool cells, flatten, dense layer to the class logits. */
    String head(String features, String output) {
        String pooled;
        if (spec.headPool() == 1) {
            pooled = graph.node("GlobalAveragePool", "head.pool", List.of(features), "head.pool");
        } else {
            long cellHeight = spec.mapHeight() / spec.headPool();
            long cellWidth = spec.mapWidth() / spec.headPool();
            pooled = graph.node("AveragePool", "head.pool", List.of(features), "head.pool",
                    ints("kernel_shape", cellHeight, cellWidth), ints("strides", cellHeight, cellWidth));
        }
        // Flatten keeps channel-major order (c, y, x), the order the trained dense weights expect.
        String flat = graph.node("Flatten", "head.flatten", List.of(pooled), "head.flatten", integer("axis", 1));
        FoldedNetwork.Dense dense = network.head();
        String weight = graph.initializer("head.dense.weight", new long[] {dense.outFeatures(), dense.inFeatures()},
                dense.weight());
        String bias = graph.initializer("head.dense.bias", new long[] {dense.outFeatures()}, dense.bias());
        // The weight is stored (out, in), so Gemm multiplies by its transpose.
        return graph.node("Gemm", "head.dense", List.of(flat, weight, bias), output, integer("transB", 1));
    }

    private String conv(String name, FoldedNetwork.Conv conv, String features) {
        String weight = graph.initializer(name + ".weight",
                new long[] {conv.outChannels(), conv.inChannels(), conv.kernel(), conv.kernel()}, conv.weight());
        String bias = graph.initializer(name + ".bias", new long[] {conv.outChannels()}, conv.bias());
        long pad = (conv.kernel() - 1) / 2;
        return graph.node("Conv", name, List.of(features, weight, bias), name,
                ints("kernel_shape", conv.kernel(), conv.kernel()),
                ints("pads", pad, pad, pad, pad),
                ints("strides", 1, 1));
    }

    private String activation(String nodeName, String features, String output) {
        Activation activation = spec.activation();
        return switch (activation) {
            case RELU -> graph.node("Relu", nodeName, List.of(features), output);
            case LEAKY_RELU -> graph.node("LeakyRelu", nodeName, List.of(features), output,
                    real("alpha", Activation.LEAKY_RELU_ALPHA));
            case TAT_LEAKY_RELU -> tatLeakyRelu(nodeName, features, output);
        };
    }

    /** sqrt(2 / (1 + a^2)) * LeakyReLU_a: the slope is the LeakyRelu's alpha, the scale a scalar weight. */
    private String tatLeakyRelu(String nodeName, String features, String output) {
        float slope = TatSlope.of(spec);
        String leaky = graph.node("LeakyRelu", nodeName + ".leaky_relu", List.of(features), nodeName + ".leaky_relu",
                real("alpha", slope));
        String scale = graph.initializer(nodeName + ".scale", new long[0],
                new float[] {(float) TatSlope.outputScale(slope)});
        return graph.node("Mul", nodeName, List.of(leaky, scale), output);
    }
}
