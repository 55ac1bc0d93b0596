package io.shallowserve.server.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes request messages so that one that is not valid protobuf (bytes that do not parse, a string field that is
 * not UTF-8) ends its call with INVALID_ARGUMENT saying why. Left to grpc-java, the parser throws inside grpc-java's
 * call executor: the client gets UNKNOWN "Application error processing RPC" and the server logs a stack trace for
 * every such message.
 *
 * <p>Each method's request marshaller is wrapped so that parsing never throws: it yields the message or the reason
 * it does not parse, and the call's listener closes the call with that reason. A message of more values than
 * {@link #MAX_VALUES} is refused before it is parsed (RESOURCE_EXHAUSTED): its objects would outgrow the heap. Messages grpc-java cannot even
 * deframe (a length over the limit, a compressed flag without grpc-encoding, a message cut short) never reach a
 * marshaller: grpc-java answers those itself (RESOURCE_EXHAUSTED, INTERNAL). A compressed message that decompresses
 * past the limit fails as it is parsed, with grpc-java's RESOURCE_EXHAUSTED, which its call ends with.
 */
final class RequestDecoding {

    /**
     * The most values (messages, strings, bytes) one request may hold ({@link MessageValues}): a request this full
     * holds at most tens of MB once parsed, where 16 MB of empty tensors held about 470 MB.
     */
    static final int MAX_VALUES = 250_000;

    private RequestDecoding() {
    }

    /** {@code service} with every request decoded this way; names, schema (for reflection) and handlers as before. */
    static ServerServiceDefinition of(ServerServiceDefinition service) {
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(service.getServiceDescriptor().getName())
                .setSchemaDescriptor(service.getServiceDescriptor().getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> decoding = decoding(method);
            methods.add(decoding);
            descriptor.addMethod(decoding.getMethodDescriptor());
        }
        ServerServiceDefinition.Builder decoded = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(decoded::addMethod);
        return decoded.build();
    }

    /** A request message as it arrived: parsed, or the status saying why it does not parse. */
    private record Decoded<T>(T message, Status failure) {}

    private static <ReqT, RespT> ServerMethodDefinition<Decoded<ReqT>, RespT> decoding(
            ServerMethodDefinition<ReqT, RespT> definition) {
        MethodDescriptor<ReqT, RespT> method = definition.getMethodDescriptor();
        MethodDescriptor<Decoded<ReqT>, RespT> decodingMethod =
                method.toBuilder(requestMarshaller(method), method.getResponseMarshaller()).build();
        ServerCallHandler<Decoded<ReqT>, RespT> handler = (call, headers) -> {
            ServerCall<ReqT, RespT> original = new SimpleForwardingServerCall<>(withRequestType(call)) {
                @Override
                public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
                    return method;
                }
            };
            return new DecodingListener<>(call, definition.getServerCallHandler().startCall(original, headers));
        };
        return ServerMethodDefinition.create(decodingMethod, handler);
    }

    private static <ReqT> MethodDescriptor.Marshaller<Decoded<ReqT>> requestMarshaller(
            MethodDescriptor<ReqT, ?> method) {
        Object prototype = method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<ReqT> typed
                ? typed.getMessagePrototype() : null;
        return new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Decoded<ReqT> request) {
                return method.streamRequest(request.message());
            }

            @Override
            public Decoded<ReqT> parse(InputStream stream) {
                try {
                    if (!(prototype instanceof Message message)) {
                        return new Decoded<>(method.parseRequest(stream), null);
                    }
                    byte[] bytes = stream instanceof KnownLength ? stream.readNBytes(stream.available())
                            : stream.readAllBytes();
                    int values = MessageValues.count(bytes, message.getDescriptorForType(), MAX_VALUES);
                    if (values > MAX_VALUES) {
                        return new Decoded<>(null, Status.RESOURCE_EXHAUSTED.withDescription("the request of "
                                + method.getFullMethodName() + " holds more than " + MAX_VALUES + " values (tensors,"
                                + " strings, parameters), more than the server parses in one message; send BYTES"
                                + " tensors in raw_input_contents, or fewer in each request"));
                    }
                    // Its bytes fields (raw_input_contents) share the array rather than copy it.
                    CodedInputStream input = CodedInputStream.newInstance(bytes);
                    input.enableAliasing(true);
                    @SuppressWarnings("unchecked")
                    ReqT parsed = (ReqT) message.getParserForType().parseFrom(input);
                    return new Decoded<>(parsed, null);
                } catch (IOException e) {
                    return new Decoded<>(null, notProtobuf(method, e));
                } catch (RuntimeException e) {
                    if (e instanceof StatusRuntimeException tooLarge
                            && tooLarge.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                        // grpc-java's verdict as it decompressed the message: past the limit (GrpcCompression).
                        return new Decoded<>(null, tooLarge.getStatus());
                    }
                    return new Decoded<>(null, notProtobuf(method, e));
                }
            }
        };
    }

    /** INVALID_ARGUMENT with what the parser found wrong (grpc-java's marshaller wraps it as the cause). */
    private static Status notProtobuf(MethodDescriptor<?, ?> method, Exception e) {
        Throwable reason = e.getCause() != null ? e.getCause() : e;
        return Status.INVALID_ARGUMENT.withDescription("the request of " + method.getFullMethodName()
                + " is not valid protobuf: " + reason.getMessage());
    }

    /**
     * A call of the decoding method as one of the original method: ServerCall uses its request type only in
     * getMethodDescriptor, which the caller overrides.
     */
    @SuppressWarnings("unchecked")
    private static <ReqT, RespT> ServerCall<ReqT, RespT> withRequestType(ServerCall<?, RespT> call) {
        return (ServerCall<ReqT, RespT>) call;
    }

    /**
     * Passes parsed messages on to the original listener; the first that did not parse closes the call, after which
     * nothing but the call's end reaches the original listener. grpc-java calls a listener from one thread at a
     * time.
     */
    private static final class DecodingListener<ReqT> extends ServerCall.Listener<Decoded<ReqT>> {

        private final ServerCall<?, ?> call;
        private final ServerCall.Listener<ReqT> next;
        private boolean refused;

        DecodingListener(ServerCall<?, ?> call, ServerCall.Listener<ReqT> next) {
            this.call = call;
            this.next = next;
        }

        @Override
        public void onMessage(Decoded<ReqT> request) {
            if (refused) {
                return;
            }
            if (request.failure() != null) {
                refused = true;
                call.close(request.failure(), new Metadata());
                return;
            }
            next.onMessage(request.message());
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                next.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                next.onReady();
            }
        }

        @Override
        public void onCancel() {
            next.onCancel();
        }

        @Override
        public void onComplete() {
            next.onComplete();
        }
    }
}
