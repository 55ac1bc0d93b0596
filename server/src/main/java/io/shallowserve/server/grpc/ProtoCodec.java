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
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceRequest;
import io.shallowserve.server.inference.InferenceResponse;
import io.shallowserve.server.inference.ModelMetadata;
import io.shallowserve.server.inference.ModelState;
import io.shallowserve.server.inference.ModelStatistics;
import io.shallowserve.server.inference.RequestedOutput;
import io.shallowserve.server.protocol.InputDatatypes;
import io.shallowserve.server.protocol.TensorBuilder;
import io.shallowserve.server.protocol.TensorShapes;
import io.shallowserve.server.protocol.UnofferedExtensions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Translates between the protobuf messages of the Open Inference Protocol and the engine's protocol-neutral types.
 *
 * <p>Request tensors travel either in {@code raw_input_contents} (little-endian bytes, one entry per input) or in
 * the typed {@code contents}. Responses always carry them in {@code raw_output_contents}, as Triton answers: the
 * clients written for Triton read that form (tritonclient.grpc's {@code as_numpy} reads typed contents only for
 * BYTES, and gets an empty array for FP32 logits sent typed). Inputs of every datatype are read into
 * {@link Tensor}'s raw layout here; whether the model takes them is the engine's check.
 */
final class ProtoCodec {

    /** The output parameter of the classification extension: how many top classes to return per image. */
    static final String CLASSIFICATION = "classification";

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
        List<Tensor> inputs = new ArrayList<>(request.getInputsCount());
        for (int i = 0; i < request.getInputsCount(); i++) {
            InferInputTensor tensor = request.getInputs(i);
            long[] shape = tensor.getShapeList().stream().mapToLong(Long::longValue).toArray();
            refuseSharedMemory("input '" + tensor.getName() + "'", tensor.getParametersMap());
            Datatype datatype = InputDatatypes.parse(tensor.getName(), tensor.getDatatype());
            TensorShapes.elementCount(tensor.getName(), shape);
            inputs.add(raw ? rawTensor(tensor, datatype, shape, request.getRawInputContents(i))
                    : typedTensor(tensor, datatype, shape));
        }
        List<RequestedOutput> outputs = new ArrayList<>(request.getOutputsCount());
        for (InferRequestedOutputTensor output : request.getOutputsList()) {
            refuseSharedMemory("output '" + output.getName() + "'", output.getParametersMap());
            outputs.add(new RequestedOutput(output.getName(), classificationTopK(output)));
        }
        return new InferenceRequest(request.getModelName(), request.getModelVersion(), request.getId(), inputs,
                outputs, deadlineNanoTime);
    }

    /** Refuses a tensor whose parameters put it in a shared memory region ({@link UnofferedExtensions}). */
    private static void refuseSharedMemory(String tensor, Map<String, InferParameter> parameters)
            throws InferenceException {
        InferParameter region = parameters.get(UnofferedExtensions.SHARED_MEMORY_REGION);
        if (region != null) {
            UnofferedExtensions.sharedMemoryTensor(tensor, region.getStringParam());
        }
    }

    private static Tensor rawTensor(InferInputTensor tensor, Datatype datatype, long[] shape, ByteString bytes)
            throws InferenceException {
        if (tensor.hasContents()) {
            throw InferenceException.invalid("input '" + tensor.getName() + "' has contents although the request"
                    + " carries raw_input_contents; send every input one way");
        }
        byte[] raw = bytes.toByteArray();
        Optional<String> problem = Tensor.layoutProblem(datatype, shape, raw);
        if (problem.isPresent()) {
            throw InferenceException.invalid("input '" + tensor.getName() + "' in raw_input_contents: "
                    + problem.get());
        }
        return new Tensor(tensor.getName(), datatype, shape, raw);
    }

    /**
     * An input sent in typed contents, in the field the protocol gives its datatype: bool_contents, int_contents
     * (INT8 to INT32), int64_contents, uint_contents (UINT8 to UINT32), uint64_contents, fp32_contents,
     * fp64_contents or bytes_contents. FP16 has none: it travels in raw_input_contents only.
     */
    private static Tensor typedTensor(InferInputTensor tensor, Datatype datatype, long[] shape)
            throws InferenceException {
        InferTensorContents contents = tensor.getContents();
        TensorBuilder values = new TensorBuilder(tensor.getName(), datatype, shape, "contents." + switch (datatype) {
            case BOOL -> "bool_contents";
            case INT8, INT16, INT32 -> "int_contents";
            case INT64 -> "int64_contents";
            case UINT8, UINT16, UINT32 -> "uint_contents";
            case UINT64 -> "uint64_contents";
            case FP32, FP16 -> "fp32_contents";
            case FP64 -> "fp64_contents";
            case BYTES -> "bytes_contents";
        });
        switch (datatype) {
            case BOOL -> {
                for (boolean value : contents.getBoolContentsList()) {
                    values.addBoolean(value);
                }
            }
            case INT8, INT16, INT32 -> {
                for (int value : contents.getIntContentsList()) {
                    values.addLong(value);
                }
            }
            case INT64 -> {
                for (long value : contents.getInt64ContentsList()) {
                    values.addLong(value);
                }
            }
            case UINT8, UINT16, UINT32 -> {
                for (int value : contents.getUintContentsList()) {
                    values.addUnsigned(Integer.toUnsignedLong(value));
                }
            }
            case UINT64 -> {
                for (long value : contents.getUint64ContentsList()) {
                    values.addUnsigned(value);
                }
            }
            case FP32 -> {
                for (float value : contents.getFp32ContentsList()) {
                    values.addDouble(value);
                }
            }
            case FP64 -> {
                for (double value : contents.getFp64ContentsList()) {
                    values.addDouble(value);
                }
            }
            case BYTES -> {
                for (ByteString value : contents.getBytesContentsList()) {
                    values.addBytes(value.toByteArray());
                }
            }
            case FP16 -> throw InferenceException.invalid("input '" + tensor.getName() + "' is FP16, which has no"
                    + " typed contents in the protocol; send it in raw_input_contents");
        }
        return values.build();
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

    /**
     * The protobuf response, its tensor data in raw_output_contents; a builder, which a streamed answer adds to
     * before it is built.
     */
    static ModelInferResponse.Builder modelInferResponse(InferenceResponse response) {
        ModelInferResponse.Builder builder = ModelInferResponse.newBuilder()
                .setModelName(response.model())
                .setModelVersion(response.version())
                .setId(response.id());
        for (Tensor output : response.outputs()) {
            InferOutputTensor.Builder tensor = InferOutputTensor.newBuilder()
                    .setName(output.name())
                    .setDatatype(output.datatype().name());
            for (long dimension : output.shape()) {
                tensor.addShape(dimension);
            }
            // The array is never touched again, so protobuf may keep it instead of a copy.
            builder.addRawOutputContents(UnsafeByteOperations.unsafeWrap(output.raw()));
            builder.addOutputs(tensor);
        }
        return builder;
    }

    static ModelMetadataResponse modelMetadataResponse(ModelMetadata metadata) {
        ModelMetadataResponse.Builder builder = ModelMetadataResponse.newBuilder()
                .setName(metadata.name())
                .addAllVersions(metadata.versions())
                .setPlatform(metadata.platform());
        // The API shapes, as Triton's core reports them (TRITONSERVER_ServerModelMetadata: [-1] + dims).
        metadata.inputs().forEach(tensor -> builder.addInputs(tensorMetadata(tensor.api())));
        metadata.outputs().forEach(tensor -> builder.addOutputs(tensorMetadata(tensor.api())));
        return builder.build();
    }

    private static ModelMetadataResponse.TensorMetadata tensorMetadata(TensorSpec tensor) {
        return ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(tensor.name())
                .setDatatype(tensor.datatype().name())
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
