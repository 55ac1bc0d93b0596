package io.shallowserve.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.shallowserve.proto.inference.InferBatchStatistics;
import io.shallowserve.proto.inference.InferParameter;
import io.shallowserve.proto.inference.InferStatistics;
import io.shallowserve.proto.inference.InferTensorContents;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.shallowserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelInferResponse.InferOutputTensor;
import io.shallowserve.proto.inference.ModelMetadataResponse;
import io.shallowserve.proto.inference.ModelStatisticsResponse;
import io.shallowserve.proto.inference.RepositoryIndexResponse;
import io.shallowserve.proto.inference.StatisticDuration;
import io.shallowserve.runtime.repository.Datatype;
import io.shallowserve.server.inference.InferInput;
import io.shallowserve.server.inference.InferOutput;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceRequest;
import io.shallowserve.server.inference.InferenceResponse;
import io.shallowserve.server.inference.ModelMetadata;
import io.shallowserve.server.inference.ModelState;
import io.shallowserve.server.inference.ModelStatistics;
import io.shallowserve.server.inference.RequestedOutput;
import io.shallowserve.server.inference.TensorMetadata;
import io.shallowserve.server.protocol.TensorShapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Translates between the protobuf messages of the Open Inference Protocol and the engine's protocol-neutral types.
 *
 * <p>Request tensors travel either in {@code raw_input_contents} (little-endian bytes, one entry per input) or in
 * the typed {@code contents}. Responses always carry them in {@code raw_output_contents}, as Triton answers: the
 * clients written for Triton read that form (tritonclient.grpc's {@code as_numpy} reads typed contents only for
 * BYTES, and gets an empty array for FP32 logits sent typed). Only FP32 inputs exist in this server's models, so
 * other input datatypes are refused here, where the bytes are read.
 */
final class ProtoCodec {

    /** The output parameter of the classification extension: how many top classes to return per image. */
    static final String CLASSIFICATION = "classification";

    private static final String BYTES = "BYTES";

    private ProtoCodec() {
    }

    /** The engine request for {@code request}, checking every input's datatype, shape and data length. */
    static InferenceRequest inferenceRequest(ModelInferRequest request, long deadlineNanoTime)
            throws InferenceException {
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw InferenceException.invalid("raw_input_contents has " + request.getRawInputContentsCount()
                    + " entries for " + request.getInputsCount() + " inputs; send one entry per input, in the order"
                    + " of 'inputs'");
        }
        List<InferInput> inputs = new ArrayList<>(request.getInputsCount());
        for (int i = 0; i < request.getInputsCount(); i++) {
            InferInputTensor tensor = request.getInputs(i);
            long[] shape = tensor.getShapeList().stream().mapToLong(Long::longValue).toArray();
            if (!Datatype.FP32.name().equals(tensor.getDatatype())) {
                throw InferenceException.invalid("input '" + tensor.getName() + "' has datatype '"
                        + tensor.getDatatype() + "'; this server takes FP32 inputs");
            }
            int count = TensorShapes.elementCount(tensor.getName(), shape);
            float[] values = raw ? rawValues(tensor, shape, count, request.getRawInputContents(i))
                    : typedValues(tensor, shape, count);
            inputs.add(new InferInput(tensor.getName(), tensor.getDatatype(), shape, values));
        }
        List<RequestedOutput> outputs = new ArrayList<>(request.getOutputsCount());
        for (InferRequestedOutputTensor output : request.getOutputsList()) {
            outputs.add(new RequestedOutput(output.getName(), classificationTopK(output)));
        }
        return new InferenceRequest(request.getModelName(), request.getModelVersion(), request.getId(), inputs,
                outputs, deadlineNanoTime);
    }

    private static float[] rawValues(InferInputTensor tensor, long[] shape, int count, ByteString bytes)
            throws InferenceException {
        if (tensor.hasContents()) {
            throw InferenceException.invalid("input '" + tensor.getName() + "' has contents although the request"
                    + " carries raw_input_contents; send every input one way");
        }
        if (bytes.size() != (long) count * Float.BYTES) {
            throw InferenceException.invalid("input '" + tensor.getName() + "' has " + bytes.size()
                    + " bytes in raw_input_contents; FP32 shape " + Arrays.toString(shape) + " needs "
                    + (long) count * Float.BYTES);
        }
        float[] values = new float[count];
        bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static float[] typedValues(InferInputTensor tensor, long[] shape, int count) throws InferenceException {
        InferTensorContents contents = tensor.getContents();
        if (contents.getFp32ContentsCount() != count) {
            throw InferenceException.invalid("input '" + tensor.getName() + "' has "
                    + contents.getFp32ContentsCount() + " values in contents.fp32_contents; shape "
                    + Arrays.toString(shape) + " needs " + count);
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = contents.getFp32Contents(i);
        }
        return values;
    }

    private static int classificationTopK(InferRequestedOutputTensor output) throws InferenceException {
        InferParameter parameter = output.getParametersMap().get(CLASSIFICATION);
        if (parameter == null) {
            return 0;
        }
        long topK = switch (parameter.getParameterChoiceCase()) {
            case INT64_PARAM -> parameter.getInt64Param();
            case UINT64_PARAM -> parameter.getUint64Param();
            default -> -1;
        };
        if (topK < 1 || topK > Integer.MAX_VALUE) {
            throw InferenceException.invalid("output '" + output.getName()
                    + "' has parameter 'classification' " + parameter.toString().trim()
                    + "; it must be an int64 of at least 1: the number of top classes per image");
        }
        return (int) topK;
    }

    /** The protobuf response, its tensor data in raw_output_contents. */
    static ModelInferResponse modelInferResponse(InferenceResponse response) {
        ModelInferResponse.Builder builder = ModelInferResponse.newBuilder()
                .setModelName(response.model())
                .setModelVersion(response.version())
                .setId(response.id());
        for (InferOutput output : response.outputs()) {
            InferOutputTensor.Builder tensor = InferOutputTensor.newBuilder()
                    .setName(output.name())
                    .setDatatype(output.datatype());
            for (long dimension : output.shape()) {
                tensor.addShape(dimension);
            }
            builder.addRawOutputContents(rawContents(output));
            builder.addOutputs(tensor);
        }
        return builder.build();
    }

    private static ByteString rawContents(InferOutput output) {
        ByteBuffer buffer;
        if (output.values() != null) {
            buffer = ByteBuffer.allocate(output.values().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(output.values());
        } else {
            // BYTES elements travel as a 4-byte little-endian length followed by the bytes.
            List<byte[]> elements = output.strings().stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
            buffer = ByteBuffer.allocate(elements.stream().mapToInt(e -> Integer.BYTES + e.length).sum())
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (byte[] element : elements) {
                buffer.putInt(element.length).put(element);
            }
        }
        // The array is never touched again, so protobuf may keep it instead of a copy.
        return UnsafeByteOperations.unsafeWrap(buffer.array());
    }

    static ModelMetadataResponse modelMetadataResponse(ModelMetadata metadata) {
        ModelMetadataResponse.Builder builder = ModelMetadataResponse.newBuilder()
                .setName(metadata.name())
                .addAllVersions(metadata.versions())
                .setPlatform(metadata.platform());
        metadata.inputs().forEach(tensor -> builder.addInputs(tensorMetadata(tensor)));
        metadata.outputs().forEach(tensor -> builder.addOutputs(tensorMetadata(tensor)));
        return builder.build();
    }

    private static ModelMetadataResponse.TensorMetadata tensorMetadata(TensorMetadata tensor) {
        return ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(tensor.name())
                .setDatatype(tensor.datatype())
                .addAllShape(tensor.shape())
                .build();
    }

    static ModelStatisticsResponse modelStatisticsResponse(List<ModelStatistics> statistics) {
        ModelStatisticsResponse.Builder builder = ModelStatisticsResponse.newBuilder();
        for (ModelStatistics model : statistics) {
            builder.addModelStats(io.shallowserve.proto.inference.ModelStatistics.newBuilder()
                    .setName(model.name())
                    .setVersion(model.version())
                    .setLastInference(model.lastInferenceMillis())
                    .setInferenceCount(model.inferenceCount())
                    .setExecutionCount(model.executionCount())
                    .setInferenceStats(InferStatistics.newBuilder()
                            .setSuccess(duration(model.success()))
                            .setFail(duration(model.fail()))
                            .setQueue(duration(model.queue()))
                            .setComputeInput(duration(model.computeInput()))
                            .setComputeInfer(duration(model.computeInfer()))
                            .setComputeOutput(duration(model.computeOutput()))
                            // No response cache: no hits, no misses, as Triton reports a model without one.
                            .setCacheHit(StatisticDuration.getDefaultInstance())
                            .setCacheMiss(StatisticDuration.getDefaultInstance()))
                    .addAllBatchStats(model.batches().stream().map(batch -> InferBatchStatistics.newBuilder()
                            .setBatchSize(batch.batchSize())
                            .setComputeInput(duration(batch.computeInput()))
                            .setComputeInfer(duration(batch.computeInfer()))
                            .setComputeOutput(duration(batch.computeOutput()))
                            .build()).toList()));
        }
        return builder.build();
    }

    private static StatisticDuration duration(ModelStatistics.Duration duration) {
        return StatisticDuration.newBuilder().setCount(duration.count()).setNs(duration.nanos()).build();
    }

    /** The repository index; {@code readyOnly}: only the READY versions. */
    static RepositoryIndexResponse repositoryIndexResponse(List<ModelState> index, boolean readyOnly) {
        RepositoryIndexResponse.Builder response = RepositoryIndexResponse.newBuilder();
        for (ModelState state : index) {
            if (!readyOnly || state.state() == ModelState.State.READY) {
                response.addModels(RepositoryIndexResponse.ModelIndex.newBuilder()
                        .setName(state.name())
                        .setVersion(state.version())
                        .setState(state.state().name())
                        .setReason(state.reason()));
            }
        }
        return response.build();
    }

    /**
     * The gRPC status of a failed request, with the exception's message for the client. Its bound
     * ({@link io.shallowserve.server.inference.ErrorMessages}) keeps grpc-message, percent-encoded, well under the
     * 8 KiB header block a C-core client (Python grpcio, C++, perf_analyzer) accepts: past it, that client gets
     * RESOURCE_EXHAUSTED instead of the status.
     */
    static Status status(InferenceException e) {
        Status status = switch (e.status()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            case CANCELLED -> Status.CANCELLED;
            case INTERNAL -> Status.INTERNAL;
        };
        return status.withDescription(e.getMessage());
    }
}
