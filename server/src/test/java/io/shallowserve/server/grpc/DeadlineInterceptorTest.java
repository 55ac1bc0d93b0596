package io.shallowserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DeadlineInterceptorTest {

    @Test
    void interceptCall_grpcTimeoutHeader_becomesTheDeadlineOfTheCallsContext() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER), "5S");
        AtomicReference<Deadline> seen = new AtomicReference<>();
        ServerCallHandler<String, String> handler = (call, requestHeaders) -> new ServerCall.Listener<>() {
            @Override
            public void onHalfClose() {
                seen.set(Context.current().getDeadline());
            }
        };

        ServerCall.Listener<String> listener = new DeadlineInterceptor().interceptCall(new NoCall(), headers, handler);
        listener.onHalfClose();
        listener.onComplete();

        assertThat(seen.get()).isNotNull();
        assertThat(seen.get().timeRemaining(TimeUnit.SECONDS)).isLessThanOrEqualTo(5);
    }

    @Test
    void interceptCall_noGrpcTimeoutHeader_leavesTheCallWithoutDeadline() {
        AtomicReference<Deadline> seen = new AtomicReference<>();
        ServerCallHandler<String, String> handler = (call, requestHeaders) -> new ServerCall.Listener<>() {
            @Override
            public void onHalfClose() {
                seen.set(Context.current().getDeadline());
            }
        };

        new DeadlineInterceptor().interceptCall(new NoCall(), new Metadata(), handler).onHalfClose();

        assertThat(seen.get()).isNull();
    }

    @Test
    void timeoutNanos_readsEveryUnitOfTheGrpcTimeoutHeader() {
        assertThat(DeadlineInterceptor.timeoutNanos("2H")).isEqualTo(TimeUnit.HOURS.toNanos(2));
        assertThat(DeadlineInterceptor.timeoutNanos("3M")).isEqualTo(TimeUnit.MINUTES.toNanos(3));
        assertThat(DeadlineInterceptor.timeoutNanos("4S")).isEqualTo(TimeUnit.SECONDS.toNanos(4));
        assertThat(DeadlineInterceptor.timeoutNanos("99999999m")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(99999999));
        assertThat(DeadlineInterceptor.timeoutNanos("6u")).isEqualTo(6_000);
        assertThat(DeadlineInterceptor.timeoutNanos("7n")).isEqualTo(7);
    }

    @Test
    void timeoutNanos_malformedValue_isRefused() {
        for (String value : new String[] {"", "5", "m", "123456789m", "5x", "-5m", "1.5S"}) {
            assertThatThrownBy(() -> DeadlineInterceptor.timeoutNanos(value)).as(value)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grpc-timeout");
        }
    }

    /** A call that is never answered: the interceptor only reads its headers. */
    private static final class NoCall extends ServerCall<String, String> {
        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(String message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
            throw new AssertionError("closed with " + status);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
            throw new UnsupportedOperationException();
        }
    }
}
