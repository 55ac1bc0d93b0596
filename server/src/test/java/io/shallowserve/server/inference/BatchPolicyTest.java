package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.server.repository.ModelSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The batching decision on its own, as Triton tests its GetDynamicBatch: a queue of requests (images, time queued)
 * and a time now, and the batch to take or the wait; no threads, no model.
 */
class BatchPolicyTest {

    private static final int MAX_BATCH = 16;
    private static final long LONG_DELAY_MICROS = TimeUnit.MINUTES.toMicros(5);
    /** When the oldest request of a queue was queued, on the {@link System#nanoTime()} scale. */
    private static final long T0 = 1_000_000_000L;

    private record Request(int images, long queuedNanos) implements BatchPolicy.Queued {}

    @Test
    void next_batchingOff_takesOneRequestNow() {
        BatchPolicy policy = new BatchPolicy(ModelSettings.Batching.OFF, MAX_BATCH);

        assertThat(policy.next(queuedAtT0(1, 2, 3), T0)).isEqualTo(BatchPolicy.Decision.take(1));
    }

    @Test
    void next_preferredSizeReached_takesItNowWithoutWaitingOutTheDelay() {
        BatchPolicy policy = new BatchPolicy(batching(LONG_DELAY_MICROS, 2), MAX_BATCH);

        assertThat(policy.next(queuedAtT0(1, 1), T0)).isEqualTo(BatchPolicy.Decision.take(2));
    }

    @Test
    void next_preferredSizeReachedBeforeTheLargestBatch_takesOnlyTheRequestsThatMakeIt() {
        BatchPolicy policy = new BatchPolicy(batching(LONG_DELAY_MICROS, 2), MAX_BATCH);

        assertThat(policy.next(queuedAtT0(1, 1, 1), T0)).isEqualTo(BatchPolicy.Decision.take(2));
    }

    @Test
    void next_severalPreferredSizesReached_takesTheLargest() {
        BatchPolicy policy = new BatchPolicy(batching(LONG_DELAY_MICROS, 2, 4), MAX_BATCH);

        assertThat(policy.next(queuedAtT0(1, 1, 1, 1, 1), T0)).isEqualTo(BatchPolicy.Decision.take(4));
    }

    @Test
    void next_preferredSizeNotReached_waitsForTheRestOfTheOldestRequestsDelay() {
        BatchPolicy policy = new BatchPolicy(batching(1_000, 4), MAX_BATCH);
        List<Request> queue = List.of(new Request(1, T0), new Request(1, T0 + micros(300)));

        // The oldest waits 1000 µs less the timer's lateness (100 µs), of which 400 µs have passed.
        assertThat(policy.next(queue, T0 + micros(400))).isEqualTo(BatchPolicy.Decision.waitFor(micros(500)));
    }

    @Test
    void next_oldestRequestsDelayExpired_takesEveryRequestThatFits() {
        BatchPolicy policy = new BatchPolicy(batching(1_000, 4), MAX_BATCH);
        List<Request> queue = List.of(new Request(1, T0), new Request(2, T0 + micros(800)));

        assertThat(policy.next(queue, T0 + micros(900) - 1)).isEqualTo(BatchPolicy.Decision.waitFor(1));
        assertThat(policy.next(queue, T0 + micros(900))).isEqualTo(BatchPolicy.Decision.take(2));
    }

    @Test
    void next_delayExpiredWithAPreferredSizeReached_takesEveryRequestThatFitsNotOnlyThePreferredSize() {
        BatchPolicy policy = new BatchPolicy(batching(1_000, 2), MAX_BATCH);

        assertThat(policy.next(queuedAtT0(1, 1, 1), T0 + micros(900))).isEqualTo(BatchPolicy.Decision.take(3));
    }

    @Test
    void next_noDelay_takesWhatIsQueuedAtOnce() {
        BatchPolicy policy = new BatchPolicy(batching(0), MAX_BATCH);

        assertThat(policy.next(queuedAtT0(1, 2), T0)).isEqualTo(BatchPolicy.Decision.take(2));
    }

    @Test
    void next_largestBatchFilled_takesItNowWithoutWaitingOutTheDelay() {
        BatchPolicy policy = new BatchPolicy(batching(LONG_DELAY_MICROS), 4);

        assertThat(policy.next(queuedAtT0(2, 2), T0)).isEqualTo(BatchPolicy.Decision.take(2));
    }

    @Test
    void next_moreQueuedThanTheLargestBatch_takesOnlyWhatFits() {
        BatchPolicy policy = new BatchPolicy(batching(0), 4);

        assertThat(policy.next(queuedAtT0(1, 1, 1, 1, 1, 1), T0)).isEqualTo(BatchPolicy.Decision.take(4));
    }

    @Test
    void next_requestLargerThanTheRoomLeft_endsTheBatchBeforeItAndTakesItNow() {
        BatchPolicy policy = new BatchPolicy(batching(LONG_DELAY_MICROS), 4);

        // 3 images leave room for 1: the request of 2 waits for the next batch, and this one need not wait for it.
        assertThat(policy.next(queuedAtT0(3, 2), T0)).isEqualTo(BatchPolicy.Decision.take(1));
    }

    @Test
    void next_preferredSizeSteppedOver_takesTheLargestOneTheRequestsMakeExactly() {
        BatchPolicy policy = new BatchPolicy(batching(LONG_DELAY_MICROS, 2, 4), MAX_BATCH);

        // 1, 2, then 5 images: 2 is made exactly, 4 is stepped over.
        assertThat(policy.next(queuedAtT0(1, 1, 3), T0)).isEqualTo(BatchPolicy.Decision.take(2));
    }

    private static ModelSettings.Batching batching(long maxQueueDelayMicros, Integer... preferredBatchSizes) {
        return new ModelSettings.Batching(true, maxQueueDelayMicros, List.of(preferredBatchSizes));
    }

    /** Requests of these sizes, all queued at {@link #T0}, oldest first. */
    private static List<Request> queuedAtT0(int... images) {
        List<Request> queue = new ArrayList<>();
        for (int size : images) {
            queue.add(new Request(size, T0));
        }
        return queue;
    }

    private static long micros(long micros) {
        return TimeUnit.MICROSECONDS.toNanos(micros);
    }
}
