package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.exec.SinglePlan;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.server.repository.ModelSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue and the dynamic batcher in front of one instance of the real deep model. The instance is a
 * {@link GatedPlan}: a test holds it busy, queues what it wants, then lets it go, so what is batched, waits or is
 * refused does not depend on timing. Requests are queued from the test's thread and run on the instance's own.
 */
@Timeout(60)
class BatchSchedulerTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");
    private static final int CLASSES = 10;
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private static ModelVersion deep;
    private static SinglePlan reference;
    private static float[] images;

    private BatchScheduler scheduler;
    private GatedPlan instance;

    @BeforeAll
    static void load() throws Exception {
        deep = TestRepository.verified(TestRepository.DEEP);
        reference = new SinglePlan(SESSIONS, deep, 1);
        images = FashionMnist.testImages(64);
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    @AfterEach
    void stop() {
        instance.open();
        scheduler.close();
    }

    @Test
    void run_batchingOn_mergesWhatQueuedWhileBusyAndGivesEachCallerItsOwnRows() throws Exception {
        start(new ModelSettings.Batching(true, 0, List.of()), 64, 16);
        instance.hold();
        Future<BatchScheduler.Executed> blocker = submit(0, 1);
        instance.awaitRun();
        int[] sizes = {1, 2, 3, 1, 4};
        List<Future<BatchScheduler.Executed>> queued = new ArrayList<>();
        int first = 1;
        for (int size : sizes) {
            queued.add(submit(first, size));
            awaitWaiting(queued.size());
            first += size;
        }

        instance.open();

        assertThat(blocker.get().outputs().getFirst().floats()).containsExactly(alone(0, 1));
        first = 1;
        for (int i = 0; i < sizes.length; i++) {
            assertThat(queued.get(i).get().outputs().getFirst().floats()).as("request %d", i).containsExactly(alone(first, sizes[i]));
            first += sizes[i];
        }
        assertThat(instance.batches()).containsExactly(1, 11);
    }

    @Test
    void run_batchingOn_takesWholeRequestsUpToTheLargestBatch() throws Exception {
        start(new ModelSettings.Batching(true, 0, List.of()), 4, 16);
        instance.hold();
        Future<BatchScheduler.Executed> blocker = submit(0, 1);
        instance.awaitRun();
        List<Future<BatchScheduler.Executed>> queued = new ArrayList<>();
        int first = 1;
        for (int size : new int[] {3, 2, 2}) {
            queued.add(submit(first, size));
            awaitWaiting(queued.size());
            first += size;
        }

        instance.open();

        blocker.get();
        assertThat(queued.get(2).get().outputs().getFirst().floats()).containsExactly(alone(6, 2));
        assertThat(instance.batches()).containsExactly(1, 3, 4);
    }

    @Test
    void run_batchingOff_runsEveryRequestOnItsOwn() throws Exception {
        start(ModelSettings.Batching.OFF, 64, 16);
        instance.hold();
        Future<BatchScheduler.Executed> blocker = submit(0, 1);
        instance.awaitRun();
        Future<BatchScheduler.Executed> second = submit(1, 2);
        awaitWaiting(1);
        Future<BatchScheduler.Executed> third = submit(3, 1);
        awaitWaiting(2);

        instance.open();

        blocker.get();
        assertThat(second.get().outputs().getFirst().floats()).containsExactly(alone(1, 2));
        assertThat(third.get().outputs().getFirst().floats()).containsExactly(alone(3, 1));
        assertThat(instance.batches()).containsExactly(1, 2, 1);
    }

    @Test
    void run_preferredSizeReached_runsWithoutWaitingOutTheDelay() throws Exception {
        // A delay longer than the test's timeout: only the preferred size can start the batch.
        start(new ModelSettings.Batching(true, TimeUnit.MINUTES.toMicros(5), List.of(2)), 64, 16);
        Future<BatchScheduler.Executed> first = submit(0, 1);
        awaitWaiting(1);
        Future<BatchScheduler.Executed> second = submit(1, 1);

        assertThat(first.get().outputs().getFirst().floats()).containsExactly(alone(0, 1));
        assertThat(second.get().outputs().getFirst().floats()).containsExactly(alone(1, 1));
        assertThat(instance.batches()).containsExactly(2);
    }

    @Test
    void run_maxQueueDelay_runsWhatIsQueuedOnceTheOldestWaitedIt() throws Exception {
        long delayMicros = 20_000;
        start(new ModelSettings.Batching(true, delayMicros, List.of(4)), 64, 16);

        BatchScheduler.Executed executed = run(pixels(0, 1), 1, NO_DEADLINE);

        assertThat(executed.outputs().getFirst().floats()).containsExactly(alone(0, 1));
        // The head stops waiting up to 100 µs early, so that a timed wait that ends late stays within the maximum.
        assertThat(executed.queueNanos()).isGreaterThanOrEqualTo(TimeUnit.MICROSECONDS.toNanos(delayMicros - 100));
        assertThat(instance.batches()).containsExactly(1);
    }

    @Test
    void run_queueFull_isRefusedAtOnce() throws Exception {
        start(ModelSettings.Batching.OFF, 64, 1);
        instance.hold();
        Future<BatchScheduler.Executed> blocker = submit(0, 1);
        instance.awaitRun();
        Future<BatchScheduler.Executed> waiting = submit(1, 1);
        awaitWaiting(1);

        assertThatThrownBy(() -> scheduler.admit())
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.RESOURCE_EXHAUSTED))
                .hasMessage("model fashion-deep version 1 has 1 requests waiting, its limit; retry later or add"
                        + " replicas");
        instance.open();
        blocker.get();
        assertThat(waiting.get().outputs().getFirst().floats()).containsExactly(alone(1, 1));
        assertThat(instance.batches()).containsExactly(1, 1);
    }

    @Test
    void run_deadlinePassedBeforeQueueing_isNotExecuted() throws Exception {
        start(ModelSettings.Batching.OFF, 64, 16);

        assertThatThrownBy(() -> run(pixels(0, 1), 1, System.nanoTime() - 1))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.DEADLINE_EXCEEDED))
                .hasMessage("request for model fashion-deep version 1 not executed: its deadline passed before it"
                        + " was queued");
        assertThat(instance.batches()).isEmpty();
    }

    @Test
    void run_deadlinePassingWhileQueued_isNotExecuted() throws Exception {
        start(new ModelSettings.Batching(true, 0, List.of()), 64, 16);
        instance.hold();
        Future<BatchScheduler.Executed> blocker = submit(0, 1);
        instance.awaitRun();
        long deadline = System.nanoTime() + 1_000_000L;
        scheduler.admit();
        CompletableFuture<BatchScheduler.Executed> late = scheduler.submit(input(1, 1), 1, deadline);
        while (System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }

        instance.open();

        blocker.get();
        assertThatThrownBy(() -> await(late))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.DEADLINE_EXCEEDED))
                .hasMessageStartingWith("request for model fashion-deep version 1 not executed: its deadline passed")
                .hasMessageContaining("waiting in the queue");
        assertThat(scheduler.waiting()).isZero();
        assertThat(instance.batches()).containsExactly(1);
    }

    /** Triton's queue policy: a request that waited out the queue's timeout is refused, UNAVAILABLE. */
    @Test
    void run_queueTimeoutPassingWhileQueued_isRefusedUnavailable() throws Exception {
        start(new ModelSettings.Batching(true, 0, List.of()), 64, 16, Duration.ofMillis(1));
        instance.hold();
        Future<BatchScheduler.Executed> blocker = submit(0, 1);
        instance.awaitRun();
        long queued = System.nanoTime();
        scheduler.admit();
        CompletableFuture<BatchScheduler.Executed> late = scheduler.submit(input(1, 1), 1, NO_DEADLINE);
        while (System.nanoTime() - queued < 2_000_000L) {
            Thread.onSpinWait();
        }

        instance.open();

        blocker.get();
        assertThatThrownBy(() -> await(late))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.UNAVAILABLE))
                .hasMessage("request for model fashion-deep version 1 not executed: its queue timeout of 1000 µs"
                        + " passed (dynamic_batching default_queue_policy); retry later or add replicas");
        assertThat(scheduler.waiting()).isZero();
        assertThat(instance.batches()).containsExactly(1);
    }

    @Test
    void submit_cancelledWhileQueued_leavesTheQueueAndGivesItsPlaceBack() throws Exception {
        start(ModelSettings.Batching.OFF, 64, 1);
        instance.hold();
        Future<BatchScheduler.Executed> blocker = submit(0, 1);
        instance.awaitRun();
        scheduler.admit();
        CompletableFuture<BatchScheduler.Executed> cancelled = scheduler.submit(input(1, 1), 1, NO_DEADLINE);
        awaitWaiting(1);

        cancelled.cancel(false);

        assertThat(scheduler.waiting()).isZero();
        // The place it held is free again: the queue of one takes another request.
        Future<BatchScheduler.Executed> next = submit(2, 1);
        instance.open();
        blocker.get();
        assertThat(next.get().outputs().getFirst().floats()).containsExactly(alone(2, 1));
        assertThat(instance.batches()).containsExactly(1, 1);
    }

    @Test
    void submit_runsOnTheInstancesOwnPlatformThreadNotTheCallers() throws Exception {
        start(ModelSettings.Batching.OFF, 64, 16);

        assertThat(run(pixels(0, 1), 1, NO_DEADLINE).outputs().getFirst().floats()).containsExactly(alone(0, 1));

        Thread ran = instance.threads().getFirst();
        assertThat(ran).isNotSameAs(Thread.currentThread());
        assertThat(ran.isVirtual()).isFalse();
        assertThat(ran.getName()).isEqualTo("shallowserve-fashion-deep-version-1-instance-0");
    }

    @Test
    void run_failingBatch_failsEveryRequestInItWithInternal() throws Exception {
        start(new ModelSettings.Batching(true, 0, List.of()), 64, 16);

        // Half an image: ONNX Runtime refuses the tensor.
        assertThatThrownBy(() -> run(new float[FashionMnist.PIXELS / 2], 1, NO_DEADLINE))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.INTERNAL))
                .hasMessageStartingWith("model fashion-deep version 1 failed to run a batch of 1 row: ");
        assertThat(run(pixels(0, 1), 1, NO_DEADLINE).outputs().getFirst().floats()).containsExactly(alone(0, 1));
    }

    private void start(ModelSettings.Batching batching, int maxBatch, int maxQueued) throws Exception {
        start(batching, maxBatch, maxQueued, Duration.ZERO);
    }

    private void start(ModelSettings.Batching batching, int maxBatch, int maxQueued, Duration queueTimeout)
            throws Exception {
        instance = new GatedPlan(new SinglePlan(SESSIONS, deep, 1));
        VersionMetrics metrics = new VersionMetrics(new SimpleMeterRegistry(), deep.name(), "1", instance.name(), 0,
                maxBatch);
        scheduler = new BatchScheduler("fashion-deep version 1", List.of(instance), batching, maxBatch, maxQueued,
                queueTimeout, metrics);
    }

    /** Admits and queues images first .. first + count - 1 without waiting for them. */
    private Future<BatchScheduler.Executed> submit(int first, int count) throws InferenceException {
        scheduler.admit();
        return scheduler.submit(input(first, count), count, NO_DEADLINE);
    }

    /** Admits and queues the images, and waits for them. */
    private BatchScheduler.Executed run(float[] pixels, int count, long deadlineNanoTime) throws InferenceException {
        scheduler.admit();
        return await(scheduler.submit(List.of(Requests.pixels(pixels, count)), count, deadlineNanoTime));
    }

    private static BatchScheduler.Executed await(CompletableFuture<BatchScheduler.Executed> executed)
            throws InferenceException {
        return RequestRouter.await(executed);
    }

    private void awaitWaiting(int requests) {
        while (scheduler.waiting() < requests) {
            Thread.onSpinWait();
        }
    }

    /** The logits of images first .. first + count - 1, run as one batch of their own on another session. */
    private static float[] alone(int first, int count) throws Exception {
        return reference.logits(pixels(first, count), count);
    }

    /** Images first .. first + count - 1 as the model's one input. */
    private static List<Tensor> input(int first, int count) {
        return List.of(Requests.pixels(pixels(first, count), count));
    }

    private static float[] pixels(int first, int count) {
        return Arrays.copyOfRange(images, first * FashionMnist.PIXELS, (first + count) * FashionMnist.PIXELS);
    }
}
