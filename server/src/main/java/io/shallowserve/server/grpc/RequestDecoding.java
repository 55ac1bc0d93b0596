package io.shallowserve.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
 * it does not parse, and the call's listener closes the call with that reason. Messages grpc-java cannot even
 * deframe (a length over the limit, a compressed flag without grpc-encoding, a message cut short) never reach a
 * marshaller: grpc-java answers those itself (RESOURCE_EXHAUSTED, INTERNAL). A compressed message that decompresses
 * past the limit fails as it is parsed, with grpc-java's RESOURCE_EXHAUSTED, which its call ends with.
 */
final class RequestDecoding {

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
        return new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Decoded<ReqT> request) {
                return method.streamRequest(request.message());
            }

            @Override
            public Decoded<ReqT> parse(InputStream stream) {
                try {
                    return new Decoded<>(method.parseRequest(stream), null);
                } catch (RuntimeException e) {
                    if (e instanceof StatusRuntimeException tooLarge
                            && tooLarge.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                        // grpc-java's verdict as it decompressed the message: past the limit (GrpcCompression).
                        return new Decoded<>(null, tooLarge.getStatus());
                    }
                    // grpc-java's protobuf marshaller wraps the parser's exception, whose message says what is wrong.
                    Throwable reason = e.getCause() != null ? e.getCause() : e;
                    return new Decoded<>(null, Status.INVALID_ARGUMENT.withDescription("the request of "
                            + method.getFullMethodName() + " is not valid protobuf: " + reason.getMessage()));
                }
            }
        };
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
