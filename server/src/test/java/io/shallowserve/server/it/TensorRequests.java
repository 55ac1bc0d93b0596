package io.shallowserve.server.it;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelInferResponse.InferOutputTensor;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Inference requests of any tensors, in the three forms a client sends them, and the answers decoded back into
 * tensors: HTTP JSON (every value in "data"), HTTP with Triton's binary tensor data extension (every input and output
 * as binary data after the JSON), and gRPC raw contents. Each sends the inputs and returns every output, as the
 * server names it, in the order it answers.
 */
final class TensorRequests {

    /** The protocol a request goes by, as failure messages name it. */
    enum Protocol {
        HTTP_JSON, HTTP_BINARY, GRPC_RAW
    }

    private final RunningServer server;

    TensorRequests(RunningServer server) {
        this.server = server;
    }

    /** The outputs of {@code model} for {@code inputs}, sent by {@code protocol}. */
    List<Tensor> infer(Protocol protocol, String model, List<Tensor> inputs) {
        return switch (protocol) {
            case HTTP_JSON -> json(model, inputs);
            case HTTP_BINARY -> binary(model, inputs);
            case GRPC_RAW -> grpcRaw(model, inputs);
        };
    }

    /**
     * Whether JSON can carry {@code tensor}'s values as they are: its strings are Unicode text, so a BYTES element
     * must be valid UTF-8. NaN and the infinities go as Triton's JSON writes and reads them (NaN, Infinity).
     */
    static boolean jsonCarries(Tensor tensor) {
        return tensor.datatype() != Datatype.BYTES || tensor.bytesElements().stream().allMatch(TensorRequests::utf8);
    }

    private List<Tensor> json(String model, List<Tensor> inputs) {
        JsonArray tensors = new JsonArray();
        for (Tensor input : inputs) {
            JsonObject tensor = header(input);
            tensor.add("data", jsonData(input));
            tensors.add(tensor);
        }
        JsonObject request = new JsonObject();
        request.add("inputs", tensors);
        HttpResponse<String> response = server.post("/v2/models/" + model + "/infer", request.toString());
        if (response.statusCode() != 200) {
            throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
        }
        List<Tensor> outputs = new ArrayList<>();
        for (JsonElement element : JsonParser.parseString(response.body()).getAsJsonObject()
                .getAsJsonArray("outputs")) {
            JsonObject output = element.getAsJsonObject();
            Datatype datatype = Datatype.valueOf(output.get("datatype").getAsString());
            long[] shape = shape(output.getAsJsonArray("shape"));
            JsonArray data = output.getAsJsonArray("data");
            byte[] raw = datatype == Datatype.BYTES
                    ? Tensor.ofBytes("", shape, data.asList().stream()
                            .map(value -> value.getAsString().getBytes(StandardCharsets.UTF_8)).toList()).raw()
                    : numbers(datatype, data);
            outputs.add(new Tensor(output.get("name").getAsString(), datatype, shape, raw));
        }
        return outputs;
    }

    private List<Tensor> binary(String model, List<Tensor> inputs) {
        JsonArray tensors = new JsonArray();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        for (Tensor input : inputs) {
            JsonObject tensor = header(input);
            JsonObject parameters = new JsonObject();
            parameters.addProperty("binary_data_size", input.raw().length);
            tensor.add("parameters", parameters);
            tensors.add(tensor);
            buffer.writeBytes(input.raw());
        }
        JsonObject request = new JsonObject();
        request.add("inputs", tensors);
        JsonObject parameters = new JsonObject();
        parameters.addProperty("binary_data_output", true);
        request.add("parameters", parameters);
        byte[] json = request.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(("POST /v2/models/" + model + "/infer HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + server.server().port() + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Inference-Header-Content-Length: " + json.length + "\r\n"
                + "Content-Length: " + (json.length + buffer.size()) + "\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        message.writeBytes(json);
        message.writeBytes(buffer.toByteArray());
        RawHttp.Response response;
        try (RawHttp connection = RawHttp.connect(server.server().port())) {
            response = connection.send(message.toByteArray()).read();
        }
        if (response.status() != 200) {
            throw new AssertionError("HTTP " + response.status() + ": " + response.body());
        }
        TritonInferResult result = new TritonInferResult(response);
        List<Tensor> outputs = new ArrayList<>();
        for (JsonElement element : result.json().getAsJsonArray("outputs")) {
            String name = element.getAsJsonObject().get("name").getAsString();
            outputs.add(new Tensor(name, Datatype.valueOf(element.getAsJsonObject().get("datatype").getAsString()),
                    result.shape(name).stream().mapToLong(Long::longValue).toArray(), result.raw(name)));
        }
        return outputs;
    }

    private List<Tensor> grpcRaw(String model, List<Tensor> inputs) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
        for (Tensor input : inputs) {
            InferInputTensor.Builder tensor = InferInputTensor.newBuilder().setName(input.name())
                    .setDatatype(input.datatype().name());
            for (long dim : input.shape()) {
                tensor.addShape(dim);
            }
            request.addInputs(tensor).addRawInputContents(ByteString.copyFrom(input.raw()));
        }
        ModelInferResponse response = server.grpc().modelInfer(request.build());
        List<Tensor> outputs = new ArrayList<>();
        for (int i = 0; i < response.getOutputsCount(); i++) {
            InferOutputTensor output = response.getOutputs(i);
            outputs.add(new Tensor(output.getName(), Datatype.valueOf(output.getDatatype()),
                    output.getShapeList().stream().mapToLong(Long::longValue).toArray(),
                    response.getRawOutputContents(i).toByteArray()));
        }
        return outputs;
    }

    /** name, shape and datatype of an input. */
    private static JsonObject header(Tensor input) {
        JsonObject tensor = new JsonObject();
        tensor.addProperty("name", input.name());
        JsonArray shape = new JsonArray();
        for (long dim : input.shape()) {
            shape.add(dim);
        }
        tensor.add("shape", shape);
        tensor.addProperty("datatype", input.datatype().name());
        return tensor;
    }

    /**
     * The values as JSON writes them, flat: floats as Java's shortest decimal that reads back as the same value
     * (FP16 through its float), INT64 exactly, BOOL as true and false, BYTES as strings.
     */
    private static JsonArray jsonData(Tensor tensor) {
        JsonArray data = new JsonArray();
        int count = Math.toIntExact(tensor.elementCount());
        switch (tensor.datatype()) {
            case BYTES -> tensor.strings().forEach(data::add);
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    data.add(tensor.number(i) != 0);
                }
            }
            case INT64 -> {
                for (int i = 0; i < count; i++) {
                    data.add(Long.parseLong(tensor.exactLong(i)));
                }
            }
            case FP16, FP32 -> {
                for (int i = 0; i < count; i++) {
                    data.add((float) tensor.number(i));
                }
            }
            case FP64 -> {
                for (int i = 0; i < count; i++) {
                    data.add(tensor.number(i));
                }
            }
            default -> {
                for (int i = 0; i < count; i++) {
                    data.add((long) tensor.number(i));
                }
            }
        }
        return data;
    }

    /**
     * JSON numbers (or true and false) in the raw layout, each read from its own text: INT64 exactly, floats to the
     * nearest value of their width (NaN, Infinity and -Infinity as Triton writes them).
     */
    private static byte[] numbers(Datatype datatype, JsonArray data) {
        ByteBuffer raw = ByteBuffer.allocate(data.size() * datatype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonElement value : data) {
            if (datatype == Datatype.BOOL) {
                raw.put((byte) (value.getAsBoolean() ? 1 : 0));
                continue;
            }
            String text = value.getAsString();
            switch (datatype) {
                case FP16 -> raw.putShort(Float.floatToFloat16(Float.parseFloat(text)));
                case FP32 -> raw.putFloat(Float.parseFloat(text));
                case FP64 -> raw.putDouble(Double.parseDouble(text));
                case INT64 -> raw.putLong(Long.parseLong(text));
                case INT32 -> raw.putInt(Integer.parseInt(text));
                case INT16 -> raw.putShort(Short.parseShort(text));
                case INT8 -> raw.put(Byte.parseByte(text));
                case UINT8 -> raw.put((byte) Integer.parseInt(text));
                default -> throw new AssertionError("no " + datatype + " output is expected");
            }
        }
        return raw.array();
    }

    private static long[] shape(JsonArray dims) {
        return dims.asList().stream().mapToLong(JsonElement::getAsLong).toArray();
    }

    private static boolean utf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
