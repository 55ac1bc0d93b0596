package io.shallowserve.server.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.shallowserve.proto.inference.ModelConfig;
import io.shallowserve.proto.inference.ModelDynamicBatching;
import io.shallowserve.proto.inference.ModelInput;
import io.shallowserve.proto.inference.ModelInstanceGroup;
import io.shallowserve.proto.inference.ModelOutput;
import io.shallowserve.proto.inference.ModelParameter;
import io.shallowserve.proto.inference.ModelQueuePolicy;
import io.shallowserve.proto.inference.ModelTensorReshape;
import io.shallowserve.proto.inference.ModelVersionPolicy;
import io.shallowserve.proto.inference.ModelWarmup;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.ModelMetadata;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ServedTensor;
import io.shallowserve.server.repository.TritonModelConfig;
import io.shallowserve.server.repository.TritonModelConfig.QueuePolicy;
import io.shallowserve.server.repository.VersionPolicy;
import io.shallowserve.server.repository.WarmupSample;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Triton's model configuration extension: what the server says a model's configuration is (the ModelConfig RPC,
 * {@code GET /v2/models/{model}[/versions/{version}]/config}), one {@link ModelConfig} message for both protocols,
 * made from what the serving version really has: its tensors, the server's largest batch, its dynamic batching,
 * instances and version policy, and what its Triton configuration set that the server applies (the queue policy, the
 * parameters shallowserve.plan and intra_op_thread_count, the warm-up samples, each run at least once: count 1 for
 * count 0). A tensor's dims are its API shape and its reshape the graph's shape where they
 * differ, both without the batch dimension where max_batch_size is over 0: a tensor of the batch alone, [-1] in the
 * graph, is dims [1] with reshape { shape: [] }, as Triton's ONNX Runtime backend completes it
 * ({@link ServedTensor#autoCompleted}).
 */
public final class ModelConfiguration {


    /** The rank of an image input with its batch dimension: [batch, channels, height, width]. */
    private static final int IMAGE_RANK = 4;

    private ModelConfiguration() {
    }

    /**
     * The configuration of the version {@code metadata} describes.
     *
     * @param cudaDevice the CUDA device its sessions run on, -1 for the CPU
     */
    public static ModelConfig of(ModelMetadata metadata, int cudaDevice) {
        ModelSettings serving = metadata.serving();
        ModelConfig.Builder config = ModelConfig.newBuilder()
                .setName(metadata.name())
                .setPlatform(metadata.platform())
                .setBackend(TritonModelConfig.BACKEND)
                .setVersionPolicy(versionPolicy(serving.versionPolicy()))
                .setMaxBatchSize(metadata.maxBatchSize());
        boolean batches = metadata.maxBatchSize() > 0;
        for (ServedTensor served : metadata.inputs()) {
            TensorSpec tensor = served.api();
            ModelInput.Builder input = ModelInput.newBuilder()
                    .setName(tensor.name())
                    .setDataType(TritonModelConfig.dataType(tensor.datatype()))
                    // The trainer's models take images as [batch, channels, height, width]; any other graph says
                    // nothing of its layout.
                    .setFormat(metadata.shape().isPresent() && tensor.shape().size() == IMAGE_RANK
                            ? ModelInput.Format.FORMAT_NCHW : ModelInput.Format.FORMAT_NONE)
                    .addAllDims(withoutBatch(tensor.shape(), batches));
            reshape(served, batches).ifPresent(input::setReshape);
            config.addInput(input);
        }
        for (ServedTensor served : metadata.outputs()) {
            TensorSpec tensor = served.api();
            ModelOutput.Builder output = ModelOutput.newBuilder()
                    .setName(tensor.name())
                    .setDataType(TritonModelConfig.dataType(tensor.datatype()))
                    .addAllDims(withoutBatch(tensor.shape(), batches));
            reshape(served, batches).ifPresent(output::setReshape);
            config.addOutput(output);
        }
        ModelSettings.Batching batching = serving.batching();
        Optional<TritonModelConfig> configured = metadata.configuration();
        if (batching.enabled()) {
            ModelDynamicBatching.Builder dynamic = ModelDynamicBatching.newBuilder()
                    .addAllPreferredBatchSize(batching.preferredBatchSizes())
                    .setMaxQueueDelayMicroseconds(batching.maxQueueDelayMicros());
            configured.map(TritonModelConfig::queuePolicy).filter(queue -> !queue.equals(QueuePolicy.NONE))
                    .ifPresent(queue -> dynamic.setDefaultQueuePolicy(ModelQueuePolicy.newBuilder()
                            .setMaxQueueSize(queue.maxQueued().orElse(0))
                            .setDefaultTimeoutMicroseconds(queue.timeoutMicros())));
            config.setDynamicBatching(dynamic);
        }
        configured.flatMap(TritonModelConfig::plan).ifPresent(plan -> config.putParameters(
                PlanChoice.CONFIG_PARAMETER, parameter(plan.name().toLowerCase(Locale.ROOT))));
        configured.map(TritonModelConfig::intraOpThreads).filter(OptionalInt::isPresent).ifPresent(threads ->
                config.putParameters(TritonModelConfig.INTRA_OP_THREADS,
                        parameter(Integer.toString(threads.getAsInt()))));
        configured.map(TritonModelConfig::warmups).orElse(List.of())
                .forEach(sample -> config.addModelWarmup(warmup(sample)));
        ModelInstanceGroup.Builder instances = ModelInstanceGroup.newBuilder()
                // Triton's name for a model's first instance group.
                .setName(metadata.name() + "_0")
                .setCount(serving.instances());
        if (cudaDevice >= 0) {
            instances.setKind(ModelInstanceGroup.Kind.KIND_GPU).addGpus(cudaDevice);
        } else {
            instances.setKind(ModelInstanceGroup.Kind.KIND_CPU);
        }
        return config.addInstanceGroup(instances).build();
    }

    /**
     * The configuration in Triton's JSON form, as Triton's HTTP server writes it (core, model_config_utils.cc,
     * ModelConfigToJson): protobuf's JSON mapping with the proto field names and every field without presence
     * printed, then every 64-bit integer, which protobuf's mapping quotes, written as a JSON number.
     */
    public static byte[] json(ModelConfig config) {
        String printed;
        try {
            printed = JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence()
                    .print(config);
        } catch (InvalidProtocolBufferException e) {
            // Only Any fields with an unknown type fail to print; ModelConfig has none.
            throw new IllegalStateException("ModelConfig could not be printed as JSON", e);
        }
        JsonObject json = JsonParser.parseString(printed).getAsJsonObject();
        unquoteInt64(json, ModelConfig.getDescriptor());
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ModelParameter parameter(String value) {
        return ModelParameter.newBuilder().setStringValue(value).build();
    }

    /** A warm-up sample as config.pbtxt gives it. */
    private static ModelWarmup warmup(WarmupSample sample) {
        ModelWarmup.Builder warmup = ModelWarmup.newBuilder().setName(sample.name())
                .setBatchSize(sample.batchSize()).setCount(sample.runs());
        for (WarmupSample.Input input : sample.inputs()) {
            ModelWarmup.Input.Builder proto = ModelWarmup.Input.newBuilder()
                    .setDataType(TritonModelConfig.dataType(input.datatype()))
                    .addAllDims(input.dims());
            switch (input.source()) {
                case ZEROS -> proto.setZeroData(true);
                case RANDOM -> proto.setRandomData(true);
                case FILE -> proto.setInputDataFile(input.file());
            }
            warmup.putInputs(input.name(), proto.build());
        }
        return warmup.build();
    }

    /** The dimensions without the batch dimension (the first) where the model batches, as Triton's dims are. */
    private static List<Long> withoutBatch(List<Long> shape, boolean batches) {
        return batches ? shape.subList(1, shape.size()) : shape;
    }

    /** The graph's shape as Triton's reshape, where it is not the API shape. */
    private static Optional<ModelTensorReshape> reshape(ServedTensor served, boolean batches) {
        return served.reshaped() ? Optional.of(ModelTensorReshape.newBuilder()
                .addAllShape(withoutBatch(served.modelShape(), batches)).build()) : Optional.empty();
    }

    private static ModelVersionPolicy versionPolicy(VersionPolicy policy) {
        ModelVersionPolicy.Builder proto = ModelVersionPolicy.newBuilder();
        switch (policy.kind()) {
            case ALL -> proto.setAll(ModelVersionPolicy.All.getDefaultInstance());
            case LATEST -> proto.setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(policy.latest()));
            case SPECIFIC -> proto.setSpecific(ModelVersionPolicy.Specific.newBuilder()
                    .addAllVersions(policy.specific().stream().map(Integer::longValue).toList()));
        }
        return proto.build();
    }

    /** Rewrites the quoted 64-bit integers of {@code json}, a message of {@code type}, as numbers, recursively. */
    private static void unquoteInt64(JsonObject json, Descriptor type) {
        for (Map.Entry<String, JsonElement> member : json.entrySet()) {
            FieldDescriptor field = type.findFieldByName(member.getKey());
            if (field == null) {
                continue;
            }
            JsonElement value = member.getValue();
            if (field.isMapField()) {
                FieldDescriptor mapValue = field.getMessageType().findFieldByName("value");
                for (Map.Entry<String, JsonElement> entry : value.getAsJsonObject().entrySet()) {
                    entry.setValue(unquoted(entry.getValue(), mapValue));
                }
            } else if (field.isRepeated()) {
                JsonArray array = value.getAsJsonArray();
                for (int i = 0; i < array.size(); i++) {
                    array.set(i, unquoted(array.get(i), field));
                }
            } else {
                member.setValue(unquoted(value, field));
            }
        }
    }

    private static JsonElement unquoted(JsonElement value, FieldDescriptor field) {
        switch (field.getType()) {
            case MESSAGE -> unquoteInt64(value.getAsJsonObject(), field.getMessageType());
            case INT64, SINT64, SFIXED64, UINT64, FIXED64 -> {
                return new JsonPrimitive(new BigInteger(value.getAsString()));
            }
            default -> {
            }
        }
        return value;
    }
}
