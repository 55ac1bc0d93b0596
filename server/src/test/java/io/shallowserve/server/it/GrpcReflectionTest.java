package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gRPC reflection as grpcurl, grpc_cli and GUI clients use it: a client that has none of this server's protos asks
 * reflection for the file declaring a service, then for every file it imports, builds the descriptors, and calls
 * methods with messages made from JSON. Both reflection services are offered: v1, and v1alpha, the only one that
 * Postman, Evans, k6, grpc_cli and older grpcurl speak. Their messages are the same on the wire, so one client
 * serves both.
 */
class GrpcReflectionTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final String INFERENCE = "inference.GRPCInferenceService";
    private static final String HEALTH = "grpc.health.v1.Health";
    private static final String V1 = "grpc.reflection.v1.ServerReflection";
    private static final String V1ALPHA = "grpc.reflection.v1alpha.ServerReflection";

    @ParameterizedTest
    @ValueSource(strings = {V1, V1ALPHA})
    void listServices_namesInferenceHealthAndBothReflections(String reflection) throws Exception {
        try (Reflection client = new Reflection(reflection)) {
            assertThat(client.services()).contains(INFERENCE, HEALTH, V1, V1ALPHA);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {V1, V1ALPHA})
    void fileContainingSymbol_describesEveryServiceWithTheFilesItImports(String reflection) throws Exception {
        try (Reflection client = new Reflection(reflection)) {
            for (String name : client.services()) {
                ServiceDescriptor service = client.service(name);

                assertThat(service.getMethods()).as(name).isNotEmpty();
                for (MethodDescriptor method : service.getMethods()) {
                    assertThat(method.getInputType().getFullName()).as(method.getFullName()).isNotBlank();
                    assertThat(method.getOutputType().getFullName()).as(method.getFullName()).isNotBlank();
                }
            }
            assertThat(client.service(INFERENCE).getMethods()).extracting(MethodDescriptor::getName)
                    .contains("ServerLive", "ModelMetadata", "ModelInfer", "ModelStreamInfer", "ModelConfig");
        }
    }

    /** What {@code grpcurl -plaintext -d '{}' localhost:8001 inference.GRPCInferenceService/ServerLive} does. */
    @ParameterizedTest
    @ValueSource(strings = {V1, V1ALPHA})
    void serverLive_calledWithReflectedDescriptors_isLive(String reflection) throws Exception {
        try (Reflection client = new Reflection(reflection)) {
            DynamicMessage live = call(client.service(INFERENCE).findMethodByName("ServerLive"), "{}");

            assertThat(JsonFormat.printer().print(live)).contains("\"live\": true");
        }
    }

    /** An image classified with a request grpcurl would send from JSON: the logits are ONNX Runtime's own. */
    @ParameterizedTest
    @ValueSource(strings = {V1, V1ALPHA})
    void modelInfer_calledWithReflectedDescriptors_answersTheModelsLogits(String reflection) throws Exception {
        Map.Entry<String, Path> model = OnnxReference.newestVersions(RunningServer.MODELS).entrySet().iterator()
                .next();
        float[] image = FashionMnist.testImages(1);
        String pixels = IntStream.range(0, image.length).mapToObj(i -> Float.toString(image[i]))
                .collect(Collectors.joining(","));
        try (Reflection client = new Reflection(reflection)) {
            DynamicMessage response = call(client.service(INFERENCE).findMethodByName("ModelInfer"),
                    "{\"model_name\": \"" + model.getKey() + "\", \"inputs\": [{\"name\": \"input\", "
                            + "\"datatype\": \"FP32\", \"shape\": [1, 1, 28, 28], "
                            + "\"contents\": {\"fp32_contents\": [" + pixels + "]}}]}");

            ByteString raw = (ByteString) response.getRepeatedField(
                    response.getDescriptorForType().findFieldByName("raw_output_contents"), 0);
            float[] logits = new float[raw.size() / Float.BYTES];
            raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(logits);
            assertThat(Logits.maxDifference(OnnxReference.logits(model.getValue(), image, 1), logits))
                    .isLessThanOrEqualTo(1e-5f);
        }
    }

    /** A unary call made only from the method's reflected descriptor and a request in protobuf's JSON mapping. */
    private static DynamicMessage call(MethodDescriptor method, String json) throws InvalidProtocolBufferException {
        DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
        JsonFormat.parser().merge(json, request);
        io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> rpc = io.grpc.MethodDescriptor
                .<DynamicMessage, DynamicMessage>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(
                        method.getService().getFullName(), method.getName()))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
                .setResponseMarshaller(ProtoUtils.marshaller(
                        DynamicMessage.getDefaultInstance(method.getOutputType())))
                .build();
        return ClientCalls.blockingUnaryCall(SERVER.channel(), rpc,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request.build());
    }

    /** One ServerReflectionInfo stream, asked one question at a time as grpcurl does. */
    private static final class Reflection implements AutoCloseable {

        private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        private final StreamObserver<ServerReflectionRequest> questions;
        private final Map<String, FileDescriptorProto> files = new HashMap<>();

        /** @param service the reflection service's full name; v1 and v1alpha share the wire format */
        Reflection(String service) {
            io.grpc.MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse> method =
                    io.grpc.MethodDescriptor.<ServerReflectionRequest, ServerReflectionResponse>newBuilder()
                            .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
                            .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(service,
                                    "ServerReflectionInfo"))
                            .setRequestMarshaller(ProtoUtils.marshaller(ServerReflectionRequest.getDefaultInstance()))
                            .setResponseMarshaller(ProtoUtils.marshaller(
                                    ServerReflectionResponse.getDefaultInstance()))
                            .build();
            ClientCall<ServerReflectionRequest, ServerReflectionResponse> call = SERVER.channel().newCall(method,
                    CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
            questions = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
                @Override
                public void onNext(ServerReflectionResponse answer) {
                    answers.add(answer);
                }

                @Override
                public void onError(Throwable t) {
                    answers.add(t);
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        List<String> services() throws Exception {
            return ask(ServerReflectionRequest.newBuilder().setListServices("*").build()).getListServicesResponse()
                    .getServiceList().stream().map(ServiceResponse::getName).toList();
        }

        /** The service's descriptor, built from the file that declares it and every file that file imports. */
        ServiceDescriptor service(String name) throws Exception {
            String file = learn(ServerReflectionRequest.newBuilder().setFileContainingSymbol(name).build()).getFirst();
            ServiceDescriptor service = build(file, new HashMap<>()).findServiceByName(
                    name.substring(name.lastIndexOf('.') + 1));
            assertThat(service).as(name + " in " + file).isNotNull();
            return service;
        }

        /** Asks a file question; keeps every file in the answer and returns their names, the one asked for first. */
        private List<String> learn(ServerReflectionRequest question) throws Exception {
            ServerReflectionResponse answer = ask(question);
            assertThat(answer.hasErrorResponse()).as(answer.getErrorResponse().getErrorMessage()).isFalse();
            List<String> names = new ArrayList<>();
            for (ByteString bytes : answer.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
                files.put(file.getName(), file);
                names.add(file.getName());
            }
            assertThat(names).as("files answering " + question).isNotEmpty();
            return names;
        }

        /** Builds {@code name}, asking by file name for any import reflection has not sent yet. */
        private FileDescriptor build(String name, Map<String, FileDescriptor> built) throws Exception {
            if (built.containsKey(name)) {
                return built.get(name);
            }
            if (!files.containsKey(name)) {
                learn(ServerReflectionRequest.newBuilder().setFileByFilename(name).build());
            }
            FileDescriptorProto proto = files.get(name);
            List<FileDescriptor> imports = new ArrayList<>();
            for (String dependency : proto.getDependencyList()) {
                imports.add(build(dependency, built));
            }
            try {
                FileDescriptor file = FileDescriptor.buildFrom(proto, imports.toArray(FileDescriptor[]::new));
                built.put(name, file);
                return file;
            } catch (DescriptorValidationException e) {
                throw new AssertionError("reflection's " + name + " does not build: " + e.getMessage(), e);
            }
        }

        private ServerReflectionResponse ask(ServerReflectionRequest question) throws Exception {
            questions.onNext(question);
            Object answer = answers.poll(30, TimeUnit.SECONDS);
            if (answer instanceof Throwable failure) {
                throw new AssertionError("reflection failed: " + failure, failure);
            }
            assertThat(answer).as("an answer to " + question).isInstanceOf(ServerReflectionResponse.class);
            return (ServerReflectionResponse) answer;
        }

        @Override
        public void close() {
            questions.onCompleted();
        }
    }
}
