package io.shallowserve.server.http;

import com.google.gson.stream.JsonWriter;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.ErrorMessages;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceRequest;
import io.shallowserve.server.inference.InferenceResponse;
import io.shallowserve.server.inference.ModelMetadata;
import io.shallowserve.server.inference.ModelState;
import io.shallowserve.server.inference.ModelStatistics;
import io.shallowserve.server.inference.RequestedOutput;
import io.shallowserve.server.protocol.InputDatatypes;
import io.shallowserve.server.protocol.ServerMetadata;
import io.shallowserve.server.protocol.TensorBuilder;
import io.shallowserve.server.protocol.TensorShapes;
import io.shallowserve.server.protocol.UnofferedExtensions;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ServedTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON forms of the Open Inference Protocol's REST API, read with {@link JsonPullReader} (strict JSON with
 * Triton's NaN and infinities) and written with Gson's streaming writer: tensor data goes straight between JSON
 * numbers and the tensor's bytes, without a tree of boxed numbers.
 *
 * <p>Input {@code data} may be flat or nested as the shape; it is read row-major either way. Output data is flat,
 * as Triton sends it. Numbers are read with {@link Float#parseFloat} and written with {@link Float#toString}, so
 * an FP32 value survives the round trip exactly. Tensors sent as binary data after the JSON (Triton's binary tensor
 * data extension) appear here only by their {@code "binary_data_size"}; {@link BinaryTensorData} frames the body
 * around the JSON.
 */
final class JsonCodec {

    /** The body of a successful load or unload. */
    static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);

    private JsonCodec() {
    }

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * The engine request in the JSON of an infer request, for the model and version of the request path, and the
     * outputs it asks back as binary data. Inputs with a {@code "binary_data_size"} take their data from
     * {@code binary} (see {@link BinaryTensorData}).
     */
    static BinaryTensorData.Request inferenceRequest(JsonPullReader reader, BinaryInputs binary, String model,
            String version) throws InferenceException {
        try {
            String id = "";
            List<Tensor> inputs = null;
            List<RequestedOutput> outputs = List.of();
            boolean binaryDataOutput = false;
            Map<String, Boolean> binaryData = new HashMap<>();
            reader.beginObject();
            while (reader.hasNext()) {
                switch (reader.nextName()) {
                    case "id" -> id = reader.nextString();
                    case "inputs" -> inputs = inputs(reader, binary);
                    case "outputs" -> outputs = outputs(reader, binaryData);
                    case "parameters" -> binaryDataOutput = binaryDataOutput(reader);
                    default -> reader.skipValue();
                }
            }
            reader.endObject();
            reader.endDocument();
            if (inputs == null) {
                throw InferenceException.invalid("the request has no \"inputs\"");
            }
            return new BinaryTensorData.Request(
                    new InferenceRequest(model, version, id, inputs, outputs, Long.MAX_VALUE),
                    new BinaryTensorData.BinaryOutputs(binaryDataOutput, binaryData));
        } catch (JsonPullReader.MalformedJsonException e) {
            throw InferenceException.invalid("the request body is not an inference request in JSON: "
                    + e.getMessage());
        }
    }

    /**
     * The repository index request's {@code "ready"} flag; an empty body asks for every model.
     *
     * @throws InferenceException INVALID_ARGUMENT if the body is not a JSON object
     */
    static boolean readyOnly(byte[] body) throws InferenceException {
        if (JsonPullReader.blank(body)) {
            return false;
        }
        JsonPullReader reader = JsonPullReader.of(body);
        try {
            boolean ready = false;
            reader.beginObject();
            while (reader.hasNext()) {
                if (reader.nextName().equals("ready")) {
                    ready = reader.nextBoolean();
                } else {
                    reader.skipValue();
                }
            }
            reader.endObject();
            reader.endDocument();
            return ready;
        } catch (JsonPullReader.MalformedJsonException e) {
            throw InferenceException.invalid("the request body is not a repository index request in JSON"
                    + " ({\"ready\": true} or nothing): " + e.getMessage());
        }
    }

    /**
     * The parameters of a repository load request, {@code {"parameters": {"config": "...", ...}}}, by name: each a
     * string, or null where it is not one. An empty body has none.
     *
     * @throws InferenceException INVALID_ARGUMENT if the body is not such a JSON object
     */
    static Map<String, String> loadParameters(byte[] body) throws InferenceException {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (JsonPullReader.blank(body)) {
            return parameters;
        }
        JsonPullReader reader = JsonPullReader.of(body);
        try {
            reader.beginObject();
            while (reader.hasNext()) {
                if (!reader.nextName().equals("parameters")) {
                    reader.skipValue();
                    continue;
                }
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (reader.peek() == JsonPullReader.Token.STRING) {
                        parameters.put(name, reader.nextString());
                    } else {
                        reader.skipValue();
                        parameters.put(name, null);
                    }
                }
                reader.endObject();
            }
            reader.endObject();
            reader.endDocument();
            return parameters;
        } catch (JsonPullReader.MalformedJsonException e) {
            throw InferenceException.invalid("the request body is not a repository load request in JSON"
                    + " ({\"parameters\": {\"config\": \"<model configuration JSON>\"}} or nothing): "
                    + e.getMessage());
        }
    }

    private static List<Tensor> inputs(JsonPullReader reader, BinaryInputs binary)
            throws JsonPullReader.MalformedJsonException, InferenceException {
        List<Tensor> inputs = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            inputs.add(input(reader, binary));
        }
        reader.endArray();
        return inputs;
    }

    private static Tensor input(JsonPullReader reader, BinaryInputs binary)
            throws JsonPullReader.MalformedJsonException, InferenceException {
        String name = null;
        String datatypeName = null;
        long[] shape = null;
        TensorBuilder read = null;
        JsonPullReader unread = null;
        Long binaryDataSize = null;
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "name" -> name = reader.nextString();
                case "datatype" -> datatypeName = reader.nextString();
                case "shape" -> shape = shape(reader);
                case "data" -> {
                    // Read at once where the name, datatype and shape came first, as clients write them; else
                    // skipped, and read once they are known.
                    if (name != null && datatypeName != null && shape != null) {
                        read = new TensorBuilder(name, InputDatatypes.parse(name, datatypeName), shape, "\"data\"");
                        data(reader, read, name);
                    } else {
                        unread = reader.skipToReader();
                    }
                }
                case "parameters" -> binaryDataSize = binaryDataSize(reader, name);
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (name == null) {
            throw InferenceException.invalid("an input has no \"name\"");
        }
        if (shape == null) {
            throw InferenceException.invalid("input '" + name + "' has no \"shape\"");
        }
        if (datatypeName == null) {
            throw InferenceException.invalid("input '" + name + "' has no \"datatype\"");
        }
        Datatype datatype = InputDatatypes.parse(name, datatypeName);
        boolean hasData = read != null || unread != null;
        if (hasData && binaryDataSize != null) {
            throw InferenceException.invalid("input '" + name + "' has both \"data\" and \"binary_data_size\"; send"
                    + " its data one way: in \"data\", or as binary data after the JSON");
        }
        if (!hasData && binaryDataSize == null) {
            throw InferenceException.invalid("input '" + name + "' has no \"data\" (nor \"parameters\":"
                    + " {\"binary_data_size\": N} with N bytes after the JSON)");
        }
        if (binaryDataSize != null) {
            TensorShapes.elementCount(name, shape);
            return binary.take(name, datatype, binaryDataSize, shape);
        }
        if (read == null) {
            read = new TensorBuilder(name, datatype, shape, "\"data\"");
            data(unread, read, name);
        }
        return read.build();
    }

    private static long[] shape(JsonPullReader reader) throws JsonPullReader.MalformedJsonException {
        List<Long> dimensions = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            dimensions.add(reader.nextLong());
        }
        reader.endArray();
        return dimensions.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Tensor data, flat or nested to any depth, in row-major order, into {@code tensor}: each number, boolean and
     * string (as its UTF-8 bytes) as it is read, so that memory holds the tensor and no more, however many values
     * the data has.
     */
    private static void data(JsonPullReader reader, TensorBuilder tensor, String name)
            throws JsonPullReader.MalformedJsonException, InferenceException {
        int depth = 0;
        do {
            JsonPullReader.Token token = reader.peek();
            switch (token) {
                case BEGIN_ARRAY -> {
                    reader.beginArray();
                    depth++;
                }
                case END_ARRAY -> {
                    reader.endArray();
                    depth--;
                }
                case NUMBER -> tensor.addNumber(reader.nextNumber());
                case BOOLEAN -> tensor.addBoolean(reader.nextBoolean());
                case STRING -> tensor.addBytes(reader.nextStringBytes());
                default -> throw InferenceException.invalid("input '" + name + "' has " + token + " in \"data\"; data"
                        + " is numbers, booleans or strings in (nested) arrays");
            }
        } while (depth > 0);
    }

    /** The input parameter "binary_data_size": how many bytes of binary data the input takes; null when absent. */
    private static Long binaryDataSize(JsonPullReader reader, String input) throws JsonPullReader.MalformedJsonException, InferenceException {
        Long size = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String parameter = reader.nextName();
            if (parameter.equals(UnofferedExtensions.SHARED_MEMORY_REGION)) {
                UnofferedExtensions.sharedMemoryTensor(input == null ? "an input" : "input '" + input + "'",
                        region(reader));
            } else if (parameter.equals("binary_data_size")) {
                String what = (input == null ? "an input's" : "input '" + input + "'") + " \"binary_data_size\"";
                if (reader.peek() != JsonPullReader.Token.NUMBER) {
                    throw InferenceException.invalid(what + " must be a number of bytes, not " + reader.peek());
                }
                size = reader.nextLong();
                if (size < 0) {
                    throw InferenceException.invalid(what + " is " + size + "; it must be a number of bytes, >= 0");
                }
            } else {
                reader.skipValue();
            }
        }
        reader.endObject();
        return size;
    }

    /**
     * The requested outputs; each one's "binary_data" parameter, where given, goes to {@code binaryData} by output
     * name (as Triton keys it).
     */
    private static List<RequestedOutput> outputs(JsonPullReader reader, Map<String, Boolean> binaryData)
            throws JsonPullReader.MalformedJsonException, InferenceException {
        List<RequestedOutput> outputs = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            String name = null;
            OutputParameters parameters = OutputParameters.NONE;
            reader.beginObject();
            while (reader.hasNext()) {
                switch (reader.nextName()) {
                    case "name" -> name = reader.nextString();
                    case "parameters" -> parameters = outputParameters(reader, name);
                    default -> reader.skipValue();
                }
            }
            reader.endObject();
            if (name == null) {
                throw InferenceException.invalid("an output has no \"name\"");
            }
            outputs.add(new RequestedOutput(name, parameters.classification()));
            if (parameters.binaryData() != null) {
                binaryData.put(name, parameters.binaryData());
            }
        }
        reader.endArray();
        return outputs;
    }

    /**
     * An output's parameters: "classification", the number of top classes per image (0 when absent), and
     * "binary_data" (null when absent).
     */
    private record OutputParameters(int classification, Boolean binaryData) {
        static final OutputParameters NONE = new OutputParameters(0, null);
    }

    private static OutputParameters outputParameters(JsonPullReader reader, String output)
            throws JsonPullReader.MalformedJsonException, InferenceException {
        int classification = 0;
        Boolean binaryData = null;
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "classification" -> {
                    if (reader.peek() != JsonPullReader.Token.NUMBER) {
                        throw InferenceException.invalid("output parameter \"classification\" must be a number of"
                                + " classes, not " + reader.peek());
                    }
                    classification = reader.nextInt();
                    if (classification < 1) {
                        throw InferenceException.invalid("output parameter \"classification\" is " + classification
                                + "; it must be at least 1: the number of top classes per image");
                    }
                }
                case "binary_data" -> binaryData = flag(reader, "output parameter \"binary_data\"");
                case UnofferedExtensions.SHARED_MEMORY_REGION -> UnofferedExtensions.sharedMemoryTensor(
                        output == null ? "an output" : "output '" + output + "'", region(reader));
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        return new OutputParameters(classification, binaryData);
    }

    /** The request parameter "binary_data_output": every output as binary data unless it says otherwise. */
    private static boolean binaryDataOutput(JsonPullReader reader) throws JsonPullReader.MalformedJsonException, InferenceException {
        boolean binaryDataOutput = false;
        reader.beginObject();
        while (reader.hasNext()) {
            if (reader.nextName().equals("binary_data_output")) {
                binaryDataOutput = flag(reader, "request parameter \"binary_data_output\"");
            } else {
                reader.skipValue();
            }
        }
        reader.endObject();
        return binaryDataOutput;
    }

    /** The value of a "shared_memory_region" parameter, as written where it is not a string. */
    private static String region(JsonPullReader reader) throws JsonPullReader.MalformedJsonException {
        return reader.peek() == JsonPullReader.Token.STRING ? reader.nextString() : reader.peek().toString();
    }

    private static boolean flag(JsonPullReader reader, String what) throws JsonPullReader.MalformedJsonException, InferenceException {
        if (reader.peek() != JsonPullReader.Token.BOOLEAN) {
            throw InferenceException.invalid(what + " must be true or false, not " + reader.peek());
        }
        return reader.nextBoolean();
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * The JSON of an infer response. {@code binaryData} holds per output, in order, its binary data, written after
     * the JSON by {@link BinaryTensorData}, or null for an output whose data goes in the JSON: a binary output has
     * {@code "parameters": {"binary_data_size": N}} instead of {@code "data"}.
     */
    static byte[] inferResponse(InferenceResponse response, List<byte[]> binaryData) {
        return write(json -> {
            json.beginObject();
            json.name("model_name").value(response.model());
            json.name("model_version").value(response.version());
            if (!response.id().isEmpty()) {
                json.name("id").value(response.id());
            }
            json.name("outputs").beginArray();
            for (int i = 0; i < response.outputs().size(); i++) {
                Tensor output = response.outputs().get(i);
                json.beginObject();
                json.name("name").value(output.name());
                json.name("datatype").value(output.datatype().name());
                json.name("shape").beginArray();
                for (long dimension : output.shape()) {
                    json.value(dimension);
                }
                json.endArray();
                if (binaryData.get(i) != null) {
                    json.name("parameters").beginObject().name("binary_data_size").value(binaryData.get(i).length)
                            .endObject();
                } else {
                    json.name("data");
                    data(json, output);
                }
                json.endObject();
            }
            json.endArray();
            json.endObject();
        });
    }

    /**
     * An output's data, flat: numbers as Java writes them (FP32 with {@link Float#toString}, so a value survives the
     * round trip exactly; INT64 and UINT64 exactly; NaN and infinities as Triton writes them), BOOL as true and false,
     * BYTES as strings (UTF-8).
     */
    private static void data(JsonWriter json, Tensor output) throws IOException {
        json.beginArray();
        switch (output.datatype()) {
            case BYTES -> {
                for (String element : output.strings()) {
                    json.value(element);
                }
            }
            case INT64, UINT64 -> {
                for (int i = 0; i < output.elementCount(); i++) {
                    json.jsonValue(output.exactLong(i));
                }
            }
            default -> {
                for (double value : output.numbers()) {
                    switch (output.datatype()) {
                        case BOOL -> json.value(value != 0);
                        // JSON has no NaN or infinity; Triton writes them as NaN, Infinity and -Infinity (rapidjson's
                        // kWriteNanAndInfFlag), which Python's json and tritonclient read back. null would lose
                        // which one it was: numpy reads it as NaN, so an infinity would silently become NaN.
                        case FP16, FP32, FP64 -> {
                            if (!Double.isFinite(value)) {
                                json.jsonValue(Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
                            } else if (output.datatype() == Datatype.FP64) {
                                json.jsonValue(Double.toString(value));
                            } else {
                                json.jsonValue(Float.toString((float) value));
                            }
                        }
                        default -> json.value((long) value);
                    }
                }
            }
        }
        json.endArray();
    }

    /**
     * The model metadata of the protocol plus a "parameters" object with what this server adds: the network
     * shape (for a model the trainer wrote), the serving plan and, for the auto plan, the latency it measured per
     * candidate plan.
     */
    static byte[] modelMetadata(ModelMetadata metadata) {
        return write(json -> {
            json.beginObject();
            json.name("name").value(metadata.name());
            json.name("versions");
            strings(json, metadata.versions());
            json.name("platform").value(metadata.platform());
            json.name("inputs");
            tensors(json, metadata.inputs());
            json.name("outputs");
            tensors(json, metadata.outputs());
            json.name("parameters").beginObject();
            if (metadata.shape().isPresent()) {
                json.name("shape").value(metadata.shape().get());
            }
            json.name("plan").value(metadata.plan());
            json.name("plan_candidate").value(metadata.planCandidate());
            json.name("plan_micros").beginObject();
            for (Map.Entry<String, Double> entry : metadata.planMicros().entrySet()) {
                json.name(entry.getKey()).value(entry.getValue());
            }
            json.endObject();
            if (metadata.split().isPresent()) {
                json.name("split").value(metadata.split().get());
            }
            json.name("parameter_count").value(metadata.parameters());
            json.name("max_batch_size").value(metadata.maxBatchSize());
            ModelSettings serving = metadata.serving();
            json.name("instances").value(serving.instances());
            json.name("dynamic_batching").beginObject();
            json.name("enabled").value(serving.batching().enabled());
            json.name("max_queue_delay_micros").value(serving.batching().maxQueueDelayMicros());
            json.name("preferred_batch_sizes").beginArray();
            for (int size : serving.batching().preferredBatchSizes()) {
                json.value(size);
            }
            json.endArray();
            json.endObject();
            json.name("version_policy").value(serving.versionPolicy().toString());
            json.name("labels");
            strings(json, metadata.labels());
            json.endObject();
            json.endObject();
        });
    }

    /** The API shapes, as Triton's core reports them (TRITONSERVER_ServerModelMetadata: [-1] + dims). */
    private static void tensors(JsonWriter json, List<ServedTensor> served) throws IOException {
        json.beginArray();
        for (TensorSpec tensor : served.stream().map(ServedTensor::api).toList()) {
            json.beginObject();
            json.name("name").value(tensor.name());
            json.name("datatype").value(tensor.datatype().name());
            json.name("shape").beginArray();
            for (long dimension : tensor.shape()) {
                json.value(dimension);
            }
            json.endArray();
            json.endObject();
        }
        json.endArray();
    }

    private static void strings(JsonWriter json, List<String> strings) throws IOException {
        json.beginArray();
        for (String string : strings) {
            json.value(string);
        }
        json.endArray();
    }

    static byte[] serverMetadata(ServerMetadata server) {
        return write(json -> {
            json.beginObject();
            json.name("name").value(server.name());
            json.name("version").value(server.version());
            json.name("extensions");
            strings(json, server.extensions());
            json.endObject();
        });
    }

    /** Statistics in Triton's JSON form: {@code {"model_stats": [...]}}. */
    static byte[] statistics(List<ModelStatistics> statistics) {
        return write(json -> {
            json.beginObject();
            json.name("model_stats").beginArray();
            for (ModelStatistics model : statistics) {
                json.beginObject();
                json.name("name").value(model.name());
                json.name("version").value(model.version());
                json.name("last_inference").value(model.lastInferenceMillis());
                json.name("inference_count").value(model.inferenceCount());
                json.name("execution_count").value(model.executionCount());
                json.name("inference_stats").beginObject();
                duration(json, "success", model.success());
                duration(json, "fail", model.fail());
                duration(json, "queue", model.queue());
                duration(json, "compute_input", model.computeInput());
                duration(json, "compute_infer", model.computeInfer());
                duration(json, "compute_output", model.computeOutput());
                // No response cache: no hits, no misses, as Triton reports a model without one.
                duration(json, "cache_hit", new ModelStatistics.Duration(0, 0));
                duration(json, "cache_miss", new ModelStatistics.Duration(0, 0));
                json.endObject();
                json.name("batch_stats").beginArray();
                for (ModelStatistics.Batch batch : model.batches()) {
                    json.beginObject();
                    json.name("batch_size").value(batch.batchSize());
                    duration(json, "compute_input", batch.computeInput());
                    duration(json, "compute_infer", batch.computeInfer());
                    duration(json, "compute_output", batch.computeOutput());
                    json.endObject();
                }
                json.endArray();
                json.endObject();
            }
            json.endArray();
            json.endObject();
        });
    }

    private static void duration(JsonWriter json, String name, ModelStatistics.Duration duration) throws IOException {
        json.name(name).beginObject();
        json.name("count").value(duration.count());
        json.name("ns").value(duration.nanos());
        json.endObject();
    }

    /** The repository index as Triton writes it: {@code [{"name", "version", "state", "reason"}, ...]}. */
    static byte[] repositoryIndex(List<ModelState> index, boolean readyOnly) {
        return write(json -> {
            json.beginArray();
            for (ModelState state : index) {
                if (!readyOnly || state.state() == ModelState.State.READY) {
                    json.beginObject();
                    json.name("name").value(state.name());
                    json.name("version").value(state.version());
                    json.name("state").value(state.state().name());
                    json.name("reason").value(state.reason());
                    json.endObject();
                }
            }
            json.endArray();
        });
    }

    /** A readiness or liveness answer: {@code {"<name>": value}}. */
    static byte[] flag(String name, boolean value) {
        return write(json -> json.beginObject().name(name).value(value).endObject());
    }

    /** The model ready answer: {@code {"name": model, "ready": value}}. */
    static byte[] modelReady(String model, boolean ready) {
        return write(json -> json.beginObject().name("name").value(model).name("ready").value(ready).endObject());
    }

    /**
     * The protocol's error body, {@code {"error": message}}: every HTTP error goes through here, so every message is
     * bounded and free of server paths ({@link ErrorMessages}).
     */
    static byte[] error(String message) {
        return write(json -> json.beginObject().name("error").value(ErrorMessages.forClient(message)).endObject());
    }

    private static byte[] write(JsonBody body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonWriter json = new JsonWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8))) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface JsonBody {
        void write(JsonWriter json) throws IOException;
    }
}
