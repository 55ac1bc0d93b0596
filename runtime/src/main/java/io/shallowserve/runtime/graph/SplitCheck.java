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
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.RandomTensors;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorAgreement;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that the parts of a split graph ({@link ForkJoinSplit.Parts}) compute what the whole graph computes. Both
 * run on the same random inputs ({@link RandomTensors}), once at batch 1 and once at batch {@value #LARGER_BATCH} (a
 * dynamic first dimension of that size; other dynamic dimensions are 1), and their outputs must agree as
 * {@link TensorAgreement} asks, as the wide plan's fused graph must. Graph inputs and outputs must be float tensors:
 * the check makes and reads ONNX Runtime's tensors as floats.
 */
public final class SplitCheck {

    /** The batch of the second run; the first runs one row. */
    public static final int LARGER_BATCH = 2;

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
        List<TensorSpec> inputs = new ArrayList<>();
        for (ValueInfoProto input : graphInputs(model)) {
            TypeProto.Tensor type = input.getType().getTensorType();
            if (type.getElemType() != TensorProto.DataType.FLOAT.getNumber() || !type.hasShape()) {
                return Optional.of("graph input " + input.getName() + " is not a float tensor of known rank: the"
                        + " check feeds float tensors only");
            }
            inputs.add(new TensorSpec(input.getName(), Datatype.FP32, type.getShape().getDimList().stream()
                    .map(dim -> dim.hasDimValue() && dim.getDimValue() > 0 ? dim.getDimValue() : -1L).toList()));
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
            for (int batch : new int[] {1, LARGER_BATCH}) {
                Optional<String> difference = compare(whole, inOrder, RandomTensors.of(inputs, batch));
                if (difference.isPresent()) {
                    return Optional.of("at batch " + batch + ", " + difference.get());
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

    private static OrtSession opened(GraphOpener opener, ModelProto graph, List<OrtSession> opened)
            throws OrtException {
        OrtSession session = opener.open(graph.toByteArray());
        opened.add(session);
        return session;
    }

    /** Runs the whole graph and then the parts in order on {@code inputs} and compares the outputs. */
    private static Optional<String> compare(OrtSession whole, List<OrtSession> parts, List<Tensor> inputs)
            throws OrtException {
        Map<String, OnnxTensor> values = new HashMap<>();
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            for (Tensor input : inputs) {
                OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                        FloatBuffer.wrap(input.floats()), input.shape());
                owned.add(tensor);
                values.put(input.name(), tensor);
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
            List<Tensor> wanted = new ArrayList<>();
            List<Tensor> got = new ArrayList<>();
            for (Map.Entry<String, OnnxValue> output : expected) {
                if (!(output.getValue() instanceof OnnxTensor tensor && tensor.getInfo().type == OnnxJavaType.FLOAT)) {
                    return Optional.of("graph output " + output.getKey() + " is " + output.getValue().getInfo()
                            + ": the check compares float tensors only");
                }
                wanted.add(floats(output.getKey(), tensor));
                got.add(floats(output.getKey(), values.get(output.getKey())));
            }
            return TensorAgreement.problem(wanted, got);
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

    /** A float tensor's values, read out of ONNX Runtime. */
    private static Tensor floats(String name, OnnxTensor value) throws OrtException {
        FloatBuffer buffer = value.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return Tensor.ofFloats(name, value.getInfo().getShape(), values);
    }

    /** The graph inputs that are not initializers: those a caller feeds. */
    private static List<ValueInfoProto> graphInputs(ModelProto model) {
        Set<String> initializers = new HashSet<>();
        model.getGraph().getInitializerList().forEach(tensor -> initializers.add(tensor.getName()));
        return model.getGraph().getInputList().stream().filter(input -> !initializers.contains(input.getName()))
                .toList();
    }
}
