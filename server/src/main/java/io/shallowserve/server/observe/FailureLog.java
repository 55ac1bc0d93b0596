package io.shallowserve.server.observe;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Logs the server's own request failures (INTERNAL) with their cause, at most one per interval, the next one logged
 * saying how many were left out since: a client that repeats a request its model cannot run (values ONNX Runtime
 * refuses, a graph that fails on them) gets its 500 each time, and fills no log with stack traces. The failures are
 * counted in the request metrics either way.
 */
public final class FailureLog {

    /** The shortest time between two failures logged in full. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);

    private final System.Logger log;
    private final LongSupplier nanoClock;
    private boolean logged;
    private long lastNanos;
    private int leftOut;

    /** For {@code log}, on the system's monotonic clock. */
    public FailureLog(System.Logger log) {
        this(log, System::nanoTime);
    }

    /** For {@code log}, on {@code nanoClock} (nanoseconds, as {@link System#nanoTime()}). */
    FailureLog(System.Logger log, LongSupplier nanoClock) {
        this.log = log;
        this.nanoClock = nanoClock;
    }

    /** Logs {@code message} and {@code cause} at ERROR, unless one was logged less than {@link #INTERVAL} ago. */
    public void failed(String message, Throwable cause) {
        long now = nanoClock.getAsLong();
        String leftOutSince;
        synchronized (this) {
            if (logged && now - lastNanos < INTERVAL.toNanos()) {
                leftOut++;
                return;
            }
            leftOutSince = leftOut == 0 ? "" : " (" + leftOut + " more failures left out of the log since the last"
                    + " one logged)";
            logged = true;
            lastNanos = now;
            leftOut = 0;
        }
        log.log(System.Logger.Level.ERROR, message + leftOutSince, cause);
    }
}
