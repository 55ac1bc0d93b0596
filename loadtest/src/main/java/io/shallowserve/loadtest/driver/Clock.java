package io.shallowserve.loadtest.driver;

import java.util.concurrent.locks.LockSupport;

/** Time for the load runner: the system's monotonic clock, or a deterministic one in tests. */
public interface Clock {

    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Returns once {@link #nanoTime()} has reached {@code deadlineNanos}. */
    void sleepUntil(long deadlineNanos);

    /** {@link System#nanoTime()}, sleeping by parking (no spinning: the server shares the cores). */
    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long deadlineNanos) {
            long remaining;
            while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
                LockSupport.parkNanos(remaining);
            }
        }
    };
}
