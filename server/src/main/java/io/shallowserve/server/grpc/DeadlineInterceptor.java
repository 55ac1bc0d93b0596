package io.shallowserve.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Gives each call the deadline its client sent in the {@code grpc-timeout} header, as {@link Context#getDeadline()},
 * when the server did not. Helidon 4.5.0 does not turn the header into a deadline, so without this the engine
 * would keep computing answers that nobody waits for any more.
 */
public final class DeadlineInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> GRPC_TIMEOUT =
            Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

    /** Cancels contexts whose deadline passed; a finished call cancels its context, which removes its task. */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String timeout = headers.get(GRPC_TIMEOUT);
        if (timeout == null || Context.current().getDeadline() != null) {
            return next.startCall(call, headers);
        }
        long nanos;
        try {
            nanos = timeoutNanos(timeout);
        } catch (IllegalArgumentException e) {
            call.close(io.grpc.Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Context.CancellableContext context =
                Context.current().withDeadline(Deadline.after(nanos, TimeUnit.NANOSECONDS), TIMER);
        return new SimpleForwardingServerCallListener<>(Contexts.interceptCall(context, call, headers, next)) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    context.cancel(null);
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    context.cancel(null);
                }
            }
        };
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer =
                new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("grpc-deadline").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * The grpc-timeout header value in nanoseconds: at most 8 digits and a unit, H, M, S, m (milli), u (micro) or
     * n (nano).
     */
    static long timeoutNanos(String value) {
        if (value.length() < 2 || value.length() > 9) {
            throw new IllegalArgumentException("grpc-timeout '" + value + "' is not 1 to 8 digits and a unit");
        }
        long amount;
        try {
            amount = Long.parseLong(value.substring(0, value.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("grpc-timeout '" + value + "' is not 1 to 8 digits and a unit", e);
        }
        TimeUnit unit = switch (value.charAt(value.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> throw new IllegalArgumentException("grpc-timeout '" + value + "' has an unknown unit");
        };
        if (amount < 0) {
            throw new IllegalArgumentException("grpc-timeout '" + value + "' is negative");
        }
        return unit.toNanos(amount);
    }
}
