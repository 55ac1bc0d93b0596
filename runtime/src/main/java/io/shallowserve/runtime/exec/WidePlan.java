package io.shallowserve.runtime.exec;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import com.google.protobuf.InvalidProtocolBufferException;
import io.shallowserve.runtime.graph.ParallelConvFusion;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code wide} plan: one session, like {@code single}, on model.onnx with its parallel convolutions fused into
 * one broad convolution per layer ({@link ParallelConvFusion}), made in memory when the plan opens. The parallel
 * layers of a shallow model then run as one operator instead of one per branch. Opening checks the fused graph
 * against model.onnx on random pixels at batch 1 and 8 and refuses it if a logit differs by more than
 * {@value #TOLERANCE} of the largest.
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
    public WidePlan(SessionFactory sessions, ModelVersion model, int intraOpThreads) throws ModelVersionException {
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
    public PlanResult run(float[] pixels, int batch) throws OrtException {
        return graph.run(pixels, batch);
    }

    @Override
    public void close() {
        graph.close();
    }

    /** model.onnx with its parallel convolutions fused, as bytes for ONNX Runtime; the model folder is not written. */
    private static byte[] fusedGraph(ModelVersion model) throws ModelVersionException {
        Path file = model.file(ModelManifest.MODEL_FILE);
        ModelProto original;
        try {
            original = ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelVersionException(file + " is not an ONNX model (" + e.getMessage()
                    + "); re-export the model with the trainer", e);
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

    /** Runs model.onnx as the single plan and this plan on the same random pixels and compares their logits. */
    private void checkAgainstSingle(SessionFactory sessions, ModelVersion model, String description)
            throws ModelVersionException {
        try (SinglePlan single = new SinglePlan(sessions, model, 1)) {
            for (int batch : CHECKED_BATCHES) {
                float[] pixels = PlanTiming.randomPixels(batch * model.imageSize());
                float[] expected = single.run(pixels, batch).logits();
                float[] actual = run(pixels, batch).logits();
                double largest = 0;
                double difference = 0;
                for (int i = 0; i < expected.length; i++) {
                    largest = Math.max(largest, Math.abs(expected[i]));
                    difference = Math.max(difference, Math.abs(expected[i] - actual[i]));
                }
                if (!(difference <= TOLERANCE * largest)) { // NaN fails too
                    throw new ModelVersionException(description + " gives logits up to " + difference
                            + " away from model.onnx's at batch " + batch + " (allowed: " + TOLERANCE
                            + " of the largest logit, " + largest + "); serve it with plan single or branches");
                }
            }
        } catch (OrtException e) {
            throw new ModelVersionException(description + ": a test run failed (" + e.getMessage()
                    + "); serve it with plan single or branches", e);
        }
    }
}
