package io.shallowserve.runtime.exec;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import com.google.protobuf.InvalidProtocolBufferException;
import io.shallowserve.runtime.graph.ParallelConvFusion;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code wide} plan: one session, like {@code single}, on model.onnx with its parallel convolutions fused into
 * one broad convolution per layer ({@link ParallelConvFusion}), made in memory when the plan opens. The parallel
 * layers of a shallow model then run as one operator instead of one per branch. Opening checks the fused graph
 * against model.onnx on random inputs at batch 1 and 8 and refuses it if an output value differs by more than
 * {@value #TOLERANCE} of the largest. Any graph may be fused: a deep model, or one without parallel convolutions,
 * has nothing to fuse and is refused.
 */
public final class WidePlan implements ExecutionPlan {

    public static final String NAME = "wide";

    /** Largest difference allowed from model.onnx's logits, relative to the largest of them. */
    static final double TOLERANCE = 1e-5;
    private static final int[] CHECKED_BATCHES = {1, 8};

    private final GraphSession graph;

    /**
     * Fuses and opens model.onnx with {@code intraOpThreads} threads per operator.
     *
     * @throws ModelVersionException if model.onnx has no parallel convolutions to fuse (a deep model), or the fused
     *                               graph does not open or does not compute what model.onnx computes
     */
    public WidePlan(SessionFactory sessions, ServableVersion model, int intraOpThreads) throws ModelVersionException {
        String description = model.file(ModelManifest.MODEL_FILE) + " with its parallel convolutions fused";
        byte[] fused = fusedGraph(model);
        this.graph = GraphSession.open(sessions, model, description, fused, intraOpThreads);
        try {
            checkAgainstSingle(sessions, model, description);
        } catch (ModelVersionException | RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<TensorSpec> inputs() {
        return graph.inputs();
    }

    @Override
    public List<TensorSpec> outputs() {
        return graph.outputs();
    }

    @Override
    public PlanResult run(List<Tensor> inputs) throws OrtException {
        return graph.run(inputs);
    }

    @Override
    public void close() {
        graph.close();
    }

    /** model.onnx with its parallel convolutions fused, as bytes for ONNX Runtime; the model folder is not written. */
    private static byte[] fusedGraph(ServableVersion model) throws ModelVersionException {
        Path file = model.file(ModelManifest.MODEL_FILE);
        ModelProto original;
        try {
            original = ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelVersionException(file + " is not an ONNX model (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelVersionException(file + " cannot be read: " + e, e);
        }
        ParallelConvFusion.Fused fused = ParallelConvFusion.fuse(original);
        if (fused.fusedLayers().isEmpty()) {
            throw new ModelVersionException(file + " has no parallel convolutions that read one tensor and are summed,"
                    + " so the wide plan has nothing to fuse (a deep model has none); serve it with plan single");
        }
        return fused.model().toByteArray();
    }

    /** Runs model.onnx as the single plan and this plan on the same random inputs and compares their outputs. */
    private void checkAgainstSingle(SessionFactory sessions, ServableVersion model, String description)
            throws ModelVersionException {
        try (SinglePlan single = new SinglePlan(sessions, model, 1)) {
            for (int batch : CHECKED_BATCHES) {
                List<Tensor> inputs = PlanTiming.randomInputs(single.inputs(), batch);
                List<Tensor> expected = single.run(inputs).outputs();
                List<Tensor> actual = run(inputs).outputs();
                for (int o = 0; o < expected.size(); o++) {
                    Tensor want = expected.get(o);
                    Tensor got = actual.get(o);
                    if (want.datatype() == Datatype.BYTES) {
                        if (!Arrays.equals(want.raw(), got.raw())) {
                            throw new ModelVersionException(description + " gives other strings in " + want.name()
                                    + " than model.onnx at batch " + batch + "; serve it with plan single");
                        }
                        continue;
                    }
                    double largest = 0;
                    double difference = 0;
                    for (int i = 0; i < want.elementCount(); i++) {
                        largest = Math.max(largest, Math.abs(want.number(i)));
                        difference = Math.max(difference, Math.abs(want.number(i) - got.number(i)));
                    }
                    if (!(difference <= TOLERANCE * largest)) { // NaN fails too
                        throw new ModelVersionException(description + " gives " + want.name() + " values up to "
                                + difference + " away from model.onnx's at batch " + batch + " (allowed: "
                                + TOLERANCE + " of the largest, " + largest + "); serve it with plan single");
                    }
                }
            }
        } catch (OrtException e) {
            throw new ModelVersionException(description + ": a test run failed (" + e.getMessage()
                    + "); serve it with plan single", e);
        }
    }
}
