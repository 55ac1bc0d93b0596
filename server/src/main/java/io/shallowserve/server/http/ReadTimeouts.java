package io.shallowserve.server.http;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The read timeout of a request once its request line has arrived: its headers must all arrive within the timeout,
 * and each read of its body must get bytes within it. A connection that stalls past it is closed; its thread is then
 * free, and the server serves everyone else as before.
 *
 * <p>Helidon 4.5.0 has no read timeout on the server side: its listener's {@code connection-options.read-timeout}
 * is read by nothing there, and its {@code idle-connection-timeout} interrupts a connection only while it waits for
 * a request line ({@code Http1Connection.canInterrupt}), never one stalled within its headers or body. This class
 * applies {@code connection-options.read-timeout} to those; the idle timeout still covers the time between requests
 * and the request line itself.
 *
 * <p>It learns that headers are awaited from Helidon's receive events (the request line read, the headers read) and
 * that body bytes are awaited by timing each read of the body's stream; both happen on the connection's thread, as
 * Helidon 4.5.0 reads and routes an HTTP/1.1 connection on one virtual thread. A sweeper closes the socket of a
 * connection whose wait has passed its deadline: the blocked read then ends.
 */
final class ReadTimeouts implements Filter, Http1ConnectionListener {

    private static final System.Logger LOG = System.getLogger(ReadTimeouts.class.getName());

    private final Duration timeout;
    /** The connections waiting for bytes now. */
    private final Set<Connection> waiting = ConcurrentHashMap.newKeySet();
    /** The connection this thread reads. */
    private final ThreadLocal<Connection> current = new ThreadLocal<>();
    private ScheduledExecutorService sweeper;

    ReadTimeouts(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("server.connection-options.read-timeout must be positive, got "
                    + timeout);
        }
        this.timeout = timeout;
    }

    @Override
    public void beforeStart() {
        sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("shallowserve-http-read-timeouts").factory());
        // A stalled connection is closed at most a tenth of the timeout (or a second) late.
        long period = Math.clamp(timeout.toNanos() / 10, TimeUnit.MILLISECONDS.toNanos(10),
                TimeUnit.SECONDS.toNanos(1));
        sweeper.scheduleWithFixedDelay(this::closeStalled, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void afterStop() {
        sweeper.shutdownNow();
    }

    /** The request line has arrived: the headers must follow within the timeout. */
    @Override
    public void prologue(ConnectionContext context, HttpPrologue prologue) {
        Connection connection = current.get();
        if (connection == null || connection.context != context) {
            connection = new Connection(context);
            current.set(connection);
        }
        connection.awaitBytes();
    }

    @Override
    public void headers(ConnectionContext context, Headers headers) {
        Connection connection = current.get();
        if (connection != null) {
            connection.received();
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        Connection connection = current.get();
        if (connection != null) {
            request.streamFilter(body -> new TimedBody(body, connection));
        }
        chain.proceed();
    }

    private void closeStalled() {
        long now = System.nanoTime();
        for (Connection connection : waiting) {
            if (now - connection.deadline >= 0) {
                connection.close();
            }
        }
    }

    /** One HTTP/1.1 connection, and the deadline of the bytes it waits for, if it waits. */
    private final class Connection {

        private final ConnectionContext context;
        private volatile long deadline;
        private volatile boolean timedOut;

        Connection(ConnectionContext context) {
            this.context = context;
        }

        void awaitBytes() {
            deadline = System.nanoTime() + timeout.toNanos();
            waiting.add(this);
        }

        void received() {
            waiting.remove(this);
        }

        /** Closes the socket if the connection still waits: its blocked read ends at once. */
        void close() {
            if (!waiting.remove(this)) {
                return;
            }
            timedOut = true;
            LOG.log(System.Logger.Level.DEBUG, () -> "closing connection " + context.childSocketId()
                    + ": no bytes of its request for " + timeout);
            try {
                context.serverSocket().close();
            } catch (RuntimeException e) {
                // Closed already.
            }
        }

        /** A read that failed because this connection was closed for its timeout ends the connection quietly. */
        void failIfTimedOut(Exception failure) {
            if (timedOut) {
                throw new CloseConnectionException("no bytes of the request body for " + timeout, failure);
            }
        }
    }

    /** A request body whose every read must get bytes within the timeout. */
    private static final class TimedBody extends FilterInputStream {

        private final Connection connection;

        TimedBody(InputStream body, Connection connection) {
            super(body);
            this.connection = connection;
        }

        @Override
        public int read() throws IOException {
            connection.awaitBytes();
            try {
                return super.read();
            } catch (RuntimeException | IOException e) {
                connection.failIfTimedOut(e);
                throw e;
            } finally {
                connection.received();
            }
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            connection.awaitBytes();
            try {
                return super.read(bytes, offset, length);
            } catch (RuntimeException | IOException e) {
                connection.failIfTimedOut(e);
                throw e;
            } finally {
                connection.received();
            }
        }

        @Override
        public long skip(long count) throws IOException {
            connection.awaitBytes();
            try {
                return super.skip(count);
            } catch (RuntimeException | IOException e) {
                connection.failIfTimedOut(e);
                throw e;
            } finally {
                connection.received();
            }
        }
    }
}
