package io.shallowserve.loadtest.driver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one load against one transport for a fixed time and summarises what came back. Bounded: a run offers load
 * for its duration, then waits at most {@code drainTimeout} for the answers still outstanding and counts those that
 * did not come as failures.
 */
public final class LoadRunner {

    /** The failure kind of a request whose answer had not come when the run ended. */
    public static final String UNANSWERED = "unanswered at the end of the run";

    private final Clock clock;
    private final int maxInFlight;
    private final Duration drainTimeout;

    /**
     * @param maxInFlight  most requests of an open loop outstanding at once; the schedule waits beyond it, and the
     *                     wait counts in the latency of the requests it delays (a wait longer than the drain timeout
     *                     ends the run)
     * @param drainTimeout how long a run waits for outstanding answers after its load window
     */
    public LoadRunner(Clock clock, int maxInFlight, Duration drainTimeout) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.drainTimeout = drainTimeout;
    }

    /** Offers {@code load} through {@code transport} for {@code duration}. */
    public LatencySummary run(Transport transport, Load load, Duration duration) {
        return switch (load) {
            case Load.Open open -> openLoop(transport, open, duration.toNanos());
            case Load.Closed closed -> closedLoop(transport, closed.concurrency(), duration.toNanos());
        };
    }

    /**
     * Sends request i at its intended time (start + i / rate) and measures its latency from that time, however late
     * the send itself was.
     */
    private LatencySummary openLoop(Transport transport, Load.Open load, long durationNanos) {
        LatencyRecorder recorder = new LatencyRecorder();
        Semaphore slots = new Semaphore(maxInFlight);
        AtomicBoolean over = new AtomicBoolean();
        long start = clock.nanoTime();
        for (long i = 0; ; i++) {
            long intended = load.intendedNanos(start, i);
            if (intended - start >= durationNanos) {
                break;
            }
            clock.sleepUntil(intended);
            if (!acquire(slots)) {
                // No answer freed a slot for a whole drain timeout: the server has stopped answering; end the run.
                break;
            }
            transport.send(i, error -> {
                if (!over.get()) {
                    recorder.record(intended, clock.nanoTime(), error);
                }
                slots.release();
            });
        }
        boolean drained = drain(slots);
        // From here on, late answers are not recorded: they are counted as unanswered below.
        over.set(true);
        int unanswered = drained ? 0 : maxInFlight - slots.availablePermits();
        return finish(recorder, start, durationNanos, unanswered);
    }

    /**
     * {@code concurrency} callers (virtual threads, which only wait), each sending its next request when its last
     * one is answered, until the window closes; latency counts from each send.
     */
    private LatencySummary closedLoop(Transport transport, int concurrency, long durationNanos) {
        LatencyRecorder recorder = new LatencyRecorder();
        AtomicLong sequence = new AtomicLong();
        long start = clock.nanoTime();
        long end = start + durationNanos;
        long drainNanos = drainTimeout.toNanos();
        AtomicLong unanswered = new AtomicLong();
        List<Thread> callers = new ArrayList<>(concurrency);
        for (int c = 0; c < concurrency; c++) {
            callers.add(Thread.ofVirtual().name("closed-loop-caller-", c).start(() -> {
                while (clock.nanoTime() - end < 0) {
                    CompletableFuture<Void> answered = new CompletableFuture<>();
                    long sent = clock.nanoTime();
                    transport.send(sequence.getAndIncrement(), error -> {
                        if (!answered.isDone()) {
                            recorder.record(sent, clock.nanoTime(), error);
                        }
                        answered.complete(null);
                    });
                    if (!await(answered, Math.max(end - clock.nanoTime(), 0) + drainNanos)) {
                        unanswered.incrementAndGet();
                        return;
                    }
                }
            }));
        }
        for (Thread caller : callers) {
            try {
                caller.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the callers", e);
            }
        }
        return finish(recorder, start, durationNanos, (int) unanswered.get());
    }

    /** Takes one slot, waiting at most the drain timeout. */
    private boolean acquire(Semaphore slots) {
        try {
            return slots.tryAcquire(drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until every slot is free again, at most the drain timeout; false if some never were. */
    private boolean drain(Semaphore slots) {
        try {
            return slots.tryAcquire(maxInFlight, drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean await(CompletableFuture<Void> answered, long timeoutNanos) {
        try {
            answered.get(timeoutNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            // Whatever comes later must not be recorded: the run is over for this caller.
            answered.complete(null);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The run lasted its window, or until its last answer if that came later; the unanswered count as failures. */
    private static LatencySummary finish(LatencyRecorder recorder, long start, long durationNanos, int unanswered) {
        long lastAnswer = recorder.lastAnswerNanos();
        long lengthNanos = lastAnswer == Long.MIN_VALUE ? durationNanos : Math.max(durationNanos, lastAnswer - start);
        recorder.failures(UNANSWERED, unanswered);
        return recorder.summary(lengthNanos / 1e9);
    }
}
