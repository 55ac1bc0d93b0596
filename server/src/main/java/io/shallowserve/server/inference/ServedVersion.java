package io.shallowserve.server.inference;

import ai.onnxruntime.OrtException;
import io.micrometer.core.instrument.MeterRegistry;
import io.shallowserve.server.exec.BranchesPlan;
import io.shallowserve.server.exec.ExecutionPlan;
import io.shallowserve.server.exec.PlanResult;
import io.shallowserve.server.repository.ModelManifest;
import io.shallowserve.server.repository.ModelVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One READY model version: checks a request against the manifest, takes a slot in its model's queue, runs the
 * execution plan and builds the requested outputs, recording metrics and statistics on the way.
 */
final class ServedVersion implements AutoCloseable {

    static final String PLATFORM = "onnxruntime_onnx";
    private static final String FP32 = "FP32";
    private static final String BYTES = "BYTES";

    private final ModelVersion model;
    private final ExecutionPlan plan;
    private final Map<String, Double> planMicros;
    private final AdmissionQueue queue;
    private final int maxBatchSize;
    private final VersionMetrics metrics;
    private final ModelManifest.Tensor input;
    private final ModelManifest.Tensor output;
    private final String expectedInput;

    ServedVersion(ModelVersion model, ExecutionPlan plan, Map<String, Double> planMicros, AdmissionQueue queue,
            int maxBatchSize, MeterRegistry registry) {
        this.model = model;
        this.plan = plan;
        this.planMicros = Map.copyOf(planMicros);
        this.queue = queue;
        this.maxBatchSize = maxBatchSize;
        this.input = model.manifest().input();
        this.output = model.manifest().output();
        this.expectedInput = "FP32 " + input.shape() + " (-1 = batch)";
        int branches = plan instanceof BranchesPlan branchesPlan ? branchesPlan.branchCount() : 0;
        this.metrics = new VersionMetrics(registry, model.name(), version(), plan.name(), branches, maxBatchSize);
    }

    String version() {
        return Integer.toString(model.version());
    }

    InferenceResponse infer(InferenceRequest request) throws InferenceException {
        long start = System.nanoTime();
        metrics.entered();
        try {
            InferInput pixels = validInput(request.inputs());
            int batch = (int) pixels.shape()[0];
            List<RequestedOutput> outputs = validOutputs(request.outputs());
            long validated = System.nanoTime();
            long queueNanos = queue.enter(request.deadlineNanoTime());
            long inferStart = System.nanoTime();
            PlanResult result;
            try {
                result = plan.run(pixels.values(), batch);
            } catch (OrtException | RuntimeException e) {
                throw new InferenceException(InferenceException.Status.INTERNAL, "model " + model.name() + " version "
                        + model.version() + " failed to run the batch: " + e.getMessage(), e);
            } finally {
                queue.leave();
            }
            long inferEnd = System.nanoTime();
            List<InferOutput> built = buildOutputs(outputs, result.logits(), batch);
            long end = System.nanoTime();
            metrics.executed(batch, queueNanos, validated - start, inferEnd - inferStart, end - inferEnd,
                    result.branchNanos());
            metrics.succeeded(end - start);
            return new InferenceResponse(model.name(), version(), request.id(), built);
        } catch (InferenceException e) {
            metrics.failed(e.status(), System.nanoTime() - start);
            throw e;
        } finally {
            metrics.left();
        }
    }

    ModelMetadata metadata(List<String> readyVersionsNewestFirst) {
        ModelManifest m = model.manifest();
        return new ModelMetadata(model.name(), readyVersionsNewestFirst, PLATFORM,
                List.of(new TensorMetadata(input.name(), input.datatype(), input.shape())),
                List.of(new TensorMetadata(output.name(), output.datatype(), output.shape())),
                m.shape(), plan.name(), planMicros, m.parameters(), m.labels(), maxBatchSize);
    }

    ModelStatistics statistics() {
        return metrics.statistics();
    }

    /** Closes the plan's sessions and removes the meters; no request may be running. */
    @Override
    public void close() {
        plan.close();
        metrics.remove();
    }

    private InferInput validInput(List<InferInput> inputs) throws InferenceException {
        if (inputs == null || inputs.isEmpty()) {
            throw invalid("missing input '" + input.name() + "': model " + model.name() + " expects one input, "
                    + expectedInput);
        }
        for (InferInput given : inputs) {
            if (!input.name().equals(given.name())) {
                throw invalid("unknown input '" + given.name() + "': model " + model.name() + " has one input, '"
                        + input.name() + "', " + expectedInput);
            }
        }
        if (inputs.size() > 1) {
            throw invalid("input '" + input.name() + "' appears " + inputs.size() + " times; send it once");
        }
        InferInput given = inputs.getFirst();
        if (!FP32.equals(given.datatype())) {
            throw invalid("input '" + input.name() + "' has datatype " + given.datatype() + "; model " + model.name()
                    + " expects " + FP32);
        }
        long[] shape = given.shape();
        if (shape == null || shape.length != input.shape().size()) {
            throw invalid("input '" + input.name() + "' has shape " + Arrays.toString(shape) + " of rank "
                    + (shape == null ? 0 : shape.length) + "; model " + model.name() + " expects rank "
                    + input.shape().size() + ", " + expectedInput);
        }
        for (int d = 1; d < shape.length; d++) {
            if (shape[d] != input.shape().get(d)) {
                throw invalid("input '" + input.name() + "' has shape " + Arrays.toString(shape) + "; dimension " + d
                        + " must be " + input.shape().get(d) + " (model " + model.name() + " expects "
                        + expectedInput + ")");
            }
        }
        if (shape[0] < 1) {
            throw invalid("input '" + input.name() + "' has batch size " + shape[0] + "; send at least one image");
        }
        if (shape[0] > maxBatchSize) {
            throw invalid("input '" + input.name() + "' has batch size " + shape[0] + "; model " + model.name()
                    + " takes at most " + maxBatchSize + " images per request, split the batch");
        }
        long expectedValues = shape[0] * model.imageSize();
        int values = given.values() == null ? 0 : given.values().length;
        if (values != expectedValues) {
            throw invalid("input '" + input.name() + "' has " + values + " values; shape " + Arrays.toString(shape)
                    + " needs " + expectedValues);
        }
        return given;
    }

    private List<RequestedOutput> validOutputs(List<RequestedOutput> requested) throws InferenceException {
        if (requested == null || requested.isEmpty()) {
            return List.of(new RequestedOutput(output.name(), 0));
        }
        for (RequestedOutput wanted : requested) {
            if (!output.name().equals(wanted.name())) {
                throw invalid("unknown output '" + wanted.name() + "': model " + model.name() + " has one output, '"
                        + output.name() + "'");
            }
            if (wanted.classificationTopK() < 0 || wanted.classificationTopK() > model.classes()) {
                throw invalid("output '" + output.name() + "' asks for the top " + wanted.classificationTopK()
                        + " classes; model " + model.name() + " has " + model.classes()
                        + " (ask for 1 to " + model.classes() + ", or 0 for the raw logits)");
            }
        }
        return requested;
    }

    private List<InferOutput> buildOutputs(List<RequestedOutput> requested, float[] logits, int batch) {
        List<InferOutput> built = new ArrayList<>(requested.size());
        int classes = model.classes();
        for (RequestedOutput wanted : requested) {
            int k = wanted.classificationTopK();
            if (k == 0) {
                built.add(new InferOutput(output.name(), FP32, new long[] {batch, classes}, logits, null));
            } else {
                built.add(new InferOutput(output.name(), BYTES, new long[] {batch, k}, null,
                        topClasses(logits, batch, k)));
            }
        }
        return built;
    }

    /**
     * The classification extension as Triton writes it: per image the k highest logits as "score:index:label",
     * highest first, the score being the raw output value formatted like C++'s std::to_string (six decimals).
     */
    private List<String> topClasses(float[] logits, int batch, int k) {
        int classes = model.classes();
        List<String> labels = model.manifest().labels();
        List<String> strings = new ArrayList<>(batch * k);
        Integer[] order = new Integer[classes];
        for (int image = 0; image < batch; image++) {
            int row = image * classes;
            for (int c = 0; c < classes; c++) {
                order[c] = c;
            }
            Arrays.sort(order, (a, b) -> Float.compare(logits[row + b], logits[row + a]));
            for (int rank = 0; rank < k; rank++) {
                int c = order[rank];
                strings.add(String.format(Locale.ROOT, "%f:%d:%s", logits[row + c], c, labels.get(c)));
            }
        }
        return strings;
    }

    private static InferenceException invalid(String message) {
        return InferenceException.invalid(message);
    }
}
