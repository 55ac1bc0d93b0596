package io.shallowserve.server.inference;

import io.shallowserve.server.repository.ModelSettings;
import java.util.concurrent.TimeUnit;

/**
 * The dynamic batcher's decision, as Triton's dynamic batch scheduler makes it: from the queue and the time now,
 * how many requests from its head to run as the next batch now, or how long to wait for a fuller one. Whole
 * requests are taken in order while they fit in the largest batch.
 *
 * <p>Without batching, one request, now. With batching, now once the queued requests fill the largest batch (or
 * the next one no longer fits), or make a preferred size (the largest preferred size they make is taken), or once
 * the oldest has waited the maximum queue delay (then every request that fits is taken); otherwise wait for the
 * rest of the oldest's delay, or until another request arrives.
 *
 * <p>Pure: no clock, no threads, no model; {@link BatchScheduler} asks it with the queue under its lock.
 */
final class BatchPolicy {

    /**
     * How late a timed wait typically ends: a 500 µs {@code Condition.awaitNanos} on the project's 2-core machine
     * returned 80 to 100 µs late at the median. The maximum queue delay is a maximum, so an instance stops waiting
     * this much early rather than that much late.
     */
    static final long TIMER_LATENESS_NANOS = 100_000;

    /** One queued request, as the policy sees it. */
    interface Queued {

        /** The images it carries: at most the largest batch (requests are validated against it). */
        int images();

        /** {@link System#nanoTime()} when it was queued. */
        long queuedNanos();
    }

    /**
     * What to do next: take {@code requests} requests off the head of the queue now, or, when {@code requests} is
     * 0, wait {@code waitNanos} (or until another request arrives) and ask again.
     */
    record Decision(int requests, long waitNanos) {

        static Decision take(int requests) {
            return new Decision(requests, 0);
        }

        static Decision waitFor(long nanos) {
            return new Decision(0, nanos);
        }

        boolean waits() {
            return requests == 0;
        }
    }

    private final ModelSettings.Batching batching;
    private final int maxBatchImages;
    /**
     * The longest the oldest request waits for a fuller batch: the configured maximum less
     * {@link #TIMER_LATENESS_NANOS}, so that a wait that ends late still ends within the maximum.
     */
    private final long headWaitNanos;

    /** @param maxBatchImages the most images one batch may carry */
    BatchPolicy(ModelSettings.Batching batching, int maxBatchImages) {
        this.batching = batching;
        this.maxBatchImages = maxBatchImages;
        this.headWaitNanos = Math.max(0, TimeUnit.MICROSECONDS.toNanos(batching.maxQueueDelayMicros())
                - TIMER_LATENESS_NANOS);
    }

    /**
     * The next batch of {@code queue}, or how long to wait for it.
     *
     * @param queue the queued requests, oldest first; not empty
     * @param now   {@link System#nanoTime()} now
     */
    Decision next(Iterable<? extends Queued> queue, long now) {
        if (!batching.enabled()) {
            return Decision.take(1);
        }
        int images = 0;
        int requests = 0;
        int preferredRequests = 0;
        long oldestQueuedNanos = 0;
        boolean full = false;
        for (Queued request : queue) {
            if (requests == 0) {
                oldestQueuedNanos = request.queuedNanos();
            }
            if (images + request.images() > maxBatchImages) {
                full = true;
                break;
            }
            images += request.images();
            requests++;
            if (batching.preferredBatchSizes().contains(images)) {
                preferredRequests = requests;
            }
        }
        long waitNanos = headWaitNanos - (now - oldestQueuedNanos);
        if (full || images == maxBatchImages || waitNanos <= 0) {
            return Decision.take(requests);
        }
        return preferredRequests > 0 ? Decision.take(preferredRequests) : Decision.waitFor(waitNanos);
    }
}
