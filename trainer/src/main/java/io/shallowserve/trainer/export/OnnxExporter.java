package io.shallowserve.trainer.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a {@link FoldedNetwork} as the ONNX files of one model-repository version.
 *
 * <pre>
 * model.onnx                input [batch, C, H, W] -&gt; logits [batch, classes]         (every shape)
 * branches/stem.onnx        input [batch, C, H, W] -&gt; stem [batch, width, mapH, mapW]  (shallow and parnet)
 * branches/branch-k.onnx    stem -&gt; branch = F_k(stem), same shape, k = 0..L-1        (shallow)
 *                           stem -&gt; branch = stream k's increments G_k(stem), k = 0..S-1 (parnet)
 * branches/head.onnx        stem, branch_sum -&gt; logits = head(stem + branch_sum)        (shallow and parnet)
 * </pre>
 *
 * The input is float32 pixels in [0,1]; the normalisation is inside the graphs. The batch dimension is
 * dynamic (named "batch") in every graph. model.json, with the sha256 of each file, is the caller's job.
 */
public final class OnnxExporter {

    /** Pixels, [batch, C, H, W], float in [0,1]: input of model.onnx and stem.onnx. */
    public static final String INPUT = "input";
    /** Class scores before softmax, [batch, classes]: output of model.onnx and head.onnx. */
    public static final String LOGITS = "logits";
    /** h0, [batch, width, mapH, mapW]: output of stem.onnx, input of every branch and of head.onnx. */
    public static final String STEM = "stem";
    /** F_k(h0), same shape as {@link #STEM}: output of branch-k.onnx. */
    public static final String BRANCH = "branch";
    /** Sum of all branch outputs, same shape as {@link #STEM}: second input of head.onnx. */
    public static final String BRANCH_SUM = "branch_sum";

    public static final String MODEL_FILE = "model.onnx";
    public static final String STEM_FILE = "branches/stem.onnx";
    public static final String HEAD_FILE = "branches/head.onnx";

    private OnnxExporter() {
    }

    /** {@code branches/branch-<k>.onnx}, k from 0. */
    public static String branchFile(int k) {
        return "branches/branch-" + k + ".onnx";
    }

    /** The input every exported graph takes, as model.json records it: FP32 [-1, C, H, W]. */
    public static TensorSpec inputTensor(ArchitectureSpec spec) {
        return new TensorSpec(INPUT, Datatype.FP32,
                Arrays.stream(spec.inputShape(-1)).boxed().toList());
    }

    /** The logits every exported graph gives, as model.json records them: FP32 [-1, classes]. */
    public static TensorSpec outputTensor(ArchitectureSpec spec) {
        return new TensorSpec(LOGITS, Datatype.FP32, List.of(-1L, (long) spec.classes()));
    }

    /**
     * Where a shallow or parnet model's split graphs are and how they connect, as model.json records it.
     *
     * @throws IllegalArgumentException for a shape without branches
     */
    public static ModelManifest.Branches branches(ArchitectureSpec spec, NetworkShape shape) {
        checkHasBranches(shape);
        List<String> branchFiles = new ArrayList<>();
        for (int k = 0; k < branchCount(spec, shape); k++) {
            branchFiles.add(OnnxExporter.branchFile(k));
        }
        return new ModelManifest.Branches(
                OnnxExporter.STEM_FILE,
                branchFiles,
                OnnxExporter.HEAD_FILE,
                OnnxExporter.STEM,
                OnnxExporter.BRANCH,
                List.of(OnnxExporter.STEM, OnnxExporter.BRANCH_SUM));
    }

    /** A shallow network's branches are its units, a parnet network's its streams; other shapes have none. */
    private static int branchCount(ArchitectureSpec spec, NetworkShape shape) {
        return switch (shape) {
            case SHALLOW -> spec.units();
            case PARNET -> spec.streams();
            case DEEP, TAT -> 0;
        };
    }

    /**
     * Writes model.onnx and, for a shallow or parnet network, the split graphs into {@code versionDirectory}
     * (created if missing; files already there with the same names are replaced).
     */
    public static ExportedModel export(FoldedNetwork network, Path versionDirectory) throws IOException {
        write(wholeModel(network), versionDirectory.resolve(MODEL_FILE));
        List<String> branchFiles = new ArrayList<>();
        if (network.shape().hasBranches()) {
            write(stemModel(network), versionDirectory.resolve(STEM_FILE));
            branchFiles.add(STEM_FILE);
            for (int k = 0; k < branchCount(network.spec(), network.shape()); k++) {
                write(branchModel(network, k), versionDirectory.resolve(branchFile(k)));
                branchFiles.add(branchFile(k));
            }
            write(headModel(network), versionDirectory.resolve(HEAD_FILE));
            branchFiles.add(HEAD_FILE);
        }
        return new ExportedModel(versionDirectory, MODEL_FILE, branchFiles);
    }

    /** The whole network, wired as {@link FoldedNetwork#shape()} says: input -&gt; logits. */
    public static ModelProto wholeModel(FoldedNetwork network) {
        checkMatchesSpec(network);
        ArchitectureSpec spec = network.spec();
        OnnxGraphBuilder graph = new OnnxGraphBuilder(network.shape().id());
        NetworkLayers layers = new NetworkLayers(network, graph);
        graph.input(INPUT, spec.inputChannels(), spec.inputHeight(), spec.inputWidth());
        graph.output(LOGITS, spec.classes());
        String stem = layers.stem(INPUT, STEM);
        switch (network.shape()) {
            case DEEP -> {
                // h_k = h_{k-1} + F_k(h_{k-1})
                String features = stem;
                for (int k = 0; k < spec.units(); k++) {
                    String unit = layers.unit(k, features, NetworkLayers.unitName(k) + ".act");
                    features = layers.add(NetworkLayers.unitName(k) + ".residual", features, unit);
                }
                layers.head(features, LOGITS);
            }
            case TAT -> {
                // h_k = F_k(h_{k-1}): no residual add
                String features = stem;
                for (int k = 0; k < spec.units(); k++) {
                    features = layers.unit(k, features, NetworkLayers.unitName(k) + ".act");
                }
                layers.head(features, LOGITS);
            }
            case SHALLOW -> {
                // y = h0 + sum_k F_k(h0), with the same tensor names the split graphs use at their boundaries.
                List<String> branches = new ArrayList<>();
                for (int k = 0; k < spec.units(); k++) {
                    branches.add(layers.unit(k, stem, NetworkLayers.unitName(k) + ".act"));
                }
                String branchSum = layers.sum("branches.sum", branches, BRANCH_SUM);
                shallowHead(layers, stem, branchSum);
            }
            case PARNET -> {
                // y = h0 + sum_s G_s(h0), each stream's increments G_s, the same head as a shallow network's.
                List<String> streams = new ArrayList<>();
                for (int s = 0; s < spec.streams(); s++) {
                    streams.add(layers.stream(s, stem, "stream" + s + ".out"));
                }
                String branchSum = layers.sum("branches.sum", streams, BRANCH_SUM);
                shallowHead(layers, stem, branchSum);
            }
        }
        return graph.build();
    }

    /** Split graph of a shallow or parnet network: normalisation and stem, input -&gt; stem. */
    public static ModelProto stemModel(FoldedNetwork network) {
        checkSplittable(network);
        ArchitectureSpec spec = network.spec();
        OnnxGraphBuilder graph = new OnnxGraphBuilder("stem");
        graph.input(INPUT, spec.inputChannels(), spec.inputHeight(), spec.inputWidth());
        graph.output(STEM, mapDims(spec));
        new NetworkLayers(network, graph).stem(INPUT, STEM);
        return graph.build();
    }

    /**
     * Split graph of a shallow or parnet network, stem -&gt; branch: a shallow network's unit k (from 0), a parnet
     * network's stream k.
     */
    public static ModelProto branchModel(FoldedNetwork network, int k) {
        checkSplittable(network);
        int branches = branchCount(network.spec(), network.shape());
        if (k < 0 || k >= branches) {
            throw new IndexOutOfBoundsException("branch " + k + " of " + branches);
        }
        OnnxGraphBuilder graph = new OnnxGraphBuilder("branch-" + k);
        graph.input(STEM, mapDims(network.spec()));
        graph.output(BRANCH, mapDims(network.spec()));
        NetworkLayers layers = new NetworkLayers(network, graph);
        if (network.shape() == NetworkShape.PARNET) {
            layers.stream(k, STEM, BRANCH);
        } else {
            layers.unit(k, STEM, BRANCH);
        }
        return graph.build();
    }

    /** Split graph of a shallow or parnet network: residual sum and head, (stem, branch_sum) -&gt; logits. */
    public static ModelProto headModel(FoldedNetwork network) {
        checkSplittable(network);
        OnnxGraphBuilder graph = new OnnxGraphBuilder("head");
        graph.input(STEM, mapDims(network.spec()));
        graph.input(BRANCH_SUM, mapDims(network.spec()));
        graph.output(LOGITS, network.spec().classes());
        shallowHead(new NetworkLayers(network, graph), STEM, BRANCH_SUM);
        return graph.build();
    }

    /**
     * y = h0 + branch_sum, then the head: shared by model.onnx and head.onnx of a shallow network (branch_sum the sum
     * of its units) and of a parnet network (the sum of its streams' increments).
     */
    private static void shallowHead(NetworkLayers layers, String stem, String branchSum) {
        String features = layers.add("head.residual", stem, branchSum);
        layers.head(features, LOGITS);
    }

    private static long[] mapDims(ArchitectureSpec spec) {
        return new long[] {spec.width(), spec.mapHeight(), spec.mapWidth()};
    }

    private static void checkSplittable(FoldedNetwork network) {
        checkHasBranches(network.shape());
        checkMatchesSpec(network);
    }

    private static void checkHasBranches(NetworkShape shape) {
        if (!shape.hasBranches()) {
            throw new IllegalArgumentException("only a shallow or parnet network splits into branches; this one is "
                    + shape.id());
        }
    }

    /**
     * The layer sizes must be the ones the spec describes; otherwise the graph would be written and only fail
     * when ONNX Runtime loads or runs it, far from the cause.
     */
    static void checkMatchesSpec(FoldedNetwork network) {
        ArchitectureSpec spec = network.spec();
        List<String> problems = new ArrayList<>();
        checkConv(problems, "stem", network.stem(), spec.width(), spec.inputChannels(), spec.stemKernel());
        for (int k = 0; k < network.units().size(); k++) {
            checkConv(problems, "unit " + k, network.units().get(k), spec.width(), spec.width(), spec.unitKernel());
        }
        FoldedNetwork.Dense head = network.head();
        if (head.outFeatures() != spec.classes() || head.inFeatures() != spec.headFeatures()) {
            problems.add("head dense is " + head.outFeatures() + "x" + head.inFeatures() + ", spec needs "
                    + spec.classes() + "x" + spec.headFeatures());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("network does not match its spec: " + String.join("; ", problems));
        }
    }

    private static void checkConv(List<String> problems, String name, FoldedNetwork.Conv conv, int out, int in,
            int kernel) {
        if (conv.outChannels() != out || conv.inChannels() != in || conv.kernel() != kernel) {
            problems.add(name + " conv is " + conv.outChannels() + "x" + conv.inChannels() + "x" + conv.kernel()
                    + ", spec needs " + out + "x" + in + "x" + kernel);
        }
    }

    private static void write(ModelProto model, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, model.toByteArray());
    }
}
