package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Checks that the parts of a split graph ({@link ForkJoinSplit.Parts}) compute what the whole graph computes. Both
 * run on the same random inputs (uniform in [-1, 1), from a fixed seed), once with every dynamic dimension 1 and once
 * with every dynamic dimension {@value #LARGER_DYNAMIC_SIZE} (a batch of more than one). Each graph output the head
 * returns may differ from the whole graph's by at most {@value #TOLERANCE} of the largest absolute value of that
 * output, as the wide plan checks its fused graph. Graph inputs and outputs must be float tensors: the models served
 * take and return FP32.
 */
public final class SplitCheck {

    /** Largest difference allowed from an output of the whole graph, relative to that output's largest value. */
    public static final double TOLERANCE = 1e-5;

    /** The size of every dynamic dimension in the second run; 1 in the first. */
    public static final int LARGER_DYNAMIC_SIZE = 2;

    private static final System.Logger LOG = System.getLogger(SplitCheck.class.getName());

    /** Opens a graph held in memory, as the plan that runs the parts would (its device and threads). */
    @FunctionalInterface
    public interface GraphOpener {
        OrtSession open(byte[] graph) throws OrtException;
    }

    private SplitCheck() {}

    /**
     * Runs {@code model} and its {@code parts} and compares their outputs.
     *
     * @param opener opens the whole graph and each part; every session it opens is closed here
     * @return empty when the parts compute what {@code model} computes; otherwise what differs, for an error message
     * @throws OrtException if ONNX Runtime cannot open or run the whole graph or a part
     */
    public static Optional<String> mismatch(ModelProto model, ForkJoinSplit.Parts parts, GraphOpener opener)
            throws OrtException {
        Optional<String> unfed = unfedInput(model);
        if (unfed.isPresent()) {
            return unfed;
        }
        List<OrtSession> opened = new ArrayList<>();
        try {
            OrtSession whole = opened(opener, model, opened);
            List<OrtSession> inOrder = new ArrayList<>();
            if (parts.stem().isPresent()) {
                inOrder.add(opened(opener, parts.stem().get(), opened));
            }
            for (ModelProto branch : parts.branches()) {
                inOrder.add(opened(opener, branch, opened));
            }
            inOrder.add(opened(opener, parts.head(), opened));
            for (int size : new int[] {1, LARGER_DYNAMIC_SIZE}) {
                Optional<String> difference = compare(model, whole, inOrder, size);
                if (difference.isPresent()) {
                    return difference;
                }
            }
            return Optional.empty();
        } finally {
            for (OrtSession session : opened) {
                try {
                    session.close();
                } catch (OrtException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing an ONNX Runtime session failed", e);
                }
            }
        }
    }

    /** A graph input the check cannot make random values for, if there is one. */
    private static Optional<String> unfedInput(ModelProto model) {
        for (ValueInfoProto input : graphInputs(model)) {
            TypeProto.Tensor type = input.getType().getTensorType();
            if (type.getElemType() != TensorProto.DataType.FLOAT.getNumber() || !type.hasShape()) {
                return Optional.of("graph input " + input.getName() + " is not a float tensor of known rank: the"
                        + " check feeds float tensors only");
            }
        }
        return Optional.empty();
    }

    private static OrtSession opened(GraphOpener opener, ModelProto graph, List<OrtSession> opened)
            throws OrtException {
        OrtSession session = opener.open(graph.toByteArray());
        opened.add(session);
        return session;
    }

    /** Runs the whole graph and then the parts in order on one set of random inputs and compares the outputs. */
    private static Optional<String> compare(ModelProto model, OrtSession whole, List<OrtSession> parts, int size)
            throws OrtException {
        Map<String, OnnxTensor> values = new HashMap<>();
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            SplittableRandom random = new SplittableRandom(1);
            for (ValueInfoProto input : graphInputs(model)) {
                long[] shape = input.getType().getTensorType().getShape().getDimList().stream()
                        .mapToLong(dim -> dim.hasDimValue() && dim.getDimValue() > 0 ? dim.getDimValue() : size)
                        .toArray();
                float[] data = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) random.nextDouble(-1, 1);
                }
                OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(data),
                        shape);
                owned.add(tensor);
                values.put(input.getName(), tensor);
            }
            OrtSession.Result expected = whole.run(fed(whole, values));
            owned.add(expected);
            for (OrtSession part : parts) {
                OrtSession.Result result = part.run(fed(part, values));
                owned.add(result);
                for (Map.Entry<String, OnnxValue> output : result) {
                    if (!(output.getValue() instanceof OnnxTensor tensor)) {
                        return Optional.of(output.getKey() + " is not a tensor: the check compares tensors only");
                    }
                    values.put(output.getKey(), tensor);
                }
            }
            for (Map.Entry<String, OnnxValue> output : expected) {
                Optional<String> difference = difference(output.getKey(), output.getValue(),
                        values.get(output.getKey()), size);
                if (difference.isPresent()) {
                    return difference;
                }
            }
            return Optional.empty();
        } finally {
            for (AutoCloseable value : owned) {
                try {
                    value.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "closing an ONNX Runtime value failed", e);
                }
            }
        }
    }

    /** The tensors {@code session} declares as inputs, from those computed so far. */
    private static Map<String, OnnxTensor> fed(OrtSession session, Map<String, OnnxTensor> values) {
        Map<String, OnnxTensor> feed = new HashMap<>();
        session.getInputNames().forEach(name -> feed.put(name, values.get(name)));
        return feed;
    }

    private static Optional<String> difference(String name, OnnxValue whole, OnnxTensor actual, int size) {
        String where = "graph output " + name + " (dynamic dimensions " + size + ")";
        if (!(whole instanceof OnnxTensor expected) || expected.getInfo().type != OnnxJavaType.FLOAT) {
            return Optional.of(where + " is " + whole.getInfo() + ": the check compares float tensors only");
        }
        if (!Arrays.equals(expected.getInfo().getShape(), actual.getInfo().getShape())) {
            return Optional.of(where + " has shape " + Arrays.toString(actual.getInfo().getShape())
                    + " from the parts, " + Arrays.toString(expected.getInfo().getShape()) + " from the whole graph");
        }
        FloatBuffer wanted = expected.getFloatBuffer();
        FloatBuffer got = actual.getFloatBuffer();
        double largest = 0;
        double largestDifference = 0;
        for (int i = 0; i < wanted.limit(); i++) {
            largest = Math.max(largest, Math.abs(wanted.get(i)));
            largestDifference = Math.max(largestDifference, Math.abs(wanted.get(i) - got.get(i)));
        }
        if (!(largestDifference <= TOLERANCE * largest)) { // NaN fails too
            return Optional.of(where + " differs from the whole graph's by up to " + largestDifference
                    + " (allowed: " + TOLERANCE + " of its largest value, " + largest + ")");
        }
        return Optional.empty();
    }

    /** The graph inputs that are not initializers: those a caller feeds. */
    private static List<ValueInfoProto> graphInputs(ModelProto model) {
        Set<String> initializers = new HashSet<>();
        model.getGraph().getInitializerList().forEach(tensor -> initializers.add(tensor.getName()));
        return model.getGraph().getInputList().stream().filter(input -> !initializers.contains(input.getName()))
                .toList();
    }
}
