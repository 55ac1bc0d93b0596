package io.shallowserve.server.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the gRPC calls that started and have not ended, as the gauge {@code shallowserve.grpc.open.calls}. A call
 * ends when its status went out or when it was cancelled (the client reset the stream or went away, or its deadline
 * passed): grpc-java then tells the call's listener exactly once, by onComplete or onCancel. A gauge that stays
 * above the calls really in flight means the server keeps state for calls that are over.
 */
final class OpenCallsInterceptor implements ServerInterceptor {

    private final AtomicInteger open = new AtomicInteger();

    OpenCallsInterceptor(MeterRegistry registry) {
        Gauge.builder("shallowserve.grpc.open.calls", open, AtomicInteger::get)
                .description("gRPC calls started and not yet completed or cancelled")
                .strongReference(true)
                .register(registry);
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        open.incrementAndGet();
        ServerCall.Listener<ReqT> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException | Error e) {
            // grpc-java closes such a call itself and never tells a listener: the call ends here.
            open.decrementAndGet();
            throw e;
        }
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    open.decrementAndGet();
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    open.decrementAndGet();
                }
            }
        };
    }
}
