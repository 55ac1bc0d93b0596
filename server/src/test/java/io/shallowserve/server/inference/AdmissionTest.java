package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shallowserve.server.testdata.FashionMnist;
import io.shallowserve.server.exec.PlanChoice;
import io.shallowserve.server.repository.TestRepository;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-model queue: one execution at a time and one request waiting. The tests hold the one execution slot
 * themselves, through the engine's queue, so what waits and what is refused does not depend on timing.
 */
@Timeout(60)
class AdmissionTest {

    private static final String MODEL = TestRepository.DEEP;

    private static InferenceEngine engine;
    private static AdmissionQueue queue;
    private static float[] image;

    @BeforeAll
    static void start() throws Exception {
        engine = InferenceEngine.start(new EngineConfig(TestRepository.COMMITTED, PlanChoice.SINGLE, "cpu", 8, 1, 1,
                1, 1, Duration.ofSeconds(5)), new SimpleMeterRegistry());
        queue = engine.admissionQueue(MODEL);
        image = FashionMnist.testImages(1);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void infer_queueFull_isRefusedAtOnce() throws Exception {
        queue.enter(Long.MAX_VALUE);
        CompletableFuture<InferenceResponse> waiting;
        try {
            waiting = CompletableFuture.supplyAsync(() -> inferUnchecked(request(Long.MAX_VALUE)));
            while (queue.waiting() < 1) {
                Thread.onSpinWait();
            }

            assertThatThrownBy(() -> engine.infer(request(Long.MAX_VALUE)))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(InferenceException.Status.RESOURCE_EXHAUSTED))
                    .hasMessage("model fashion-deep has 1 requests waiting, its limit; retry later or add replicas");
        } finally {
            queue.leave();
        }
        assertThat(Requests.logits(waiting.get())).hasSize(10);
    }

    @Test
    void infer_deadlinePassedBeforeQueueing_isNotExecuted() throws Exception {
        long executions = executions();

        assertThatThrownBy(() -> engine.infer(request(System.nanoTime() - 1)))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.DEADLINE_EXCEEDED))
                .hasMessage("request for model fashion-deep not executed: its deadline passed before it was queued");
        assertThat(executions()).isEqualTo(executions);
    }

    @Test
    void infer_deadlinePassingWhileQueued_isNotExecuted() throws Exception {
        long executions = executions();
        queue.enter(Long.MAX_VALUE);
        try {
            assertThatThrownBy(() -> engine.infer(request(System.nanoTime() + 20_000_000L)))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(InferenceException.Status.DEADLINE_EXCEEDED))
                    .hasMessageStartingWith("request for model fashion-deep not executed: its deadline passed")
                    .hasMessageContaining("waiting in the queue");
        } finally {
            queue.leave();
        }
        assertThat(executions()).isEqualTo(executions);
        assertThat(engine.infer(request(System.nanoTime() + 60_000_000_000L)).outputs()).hasSize(1);
    }

    private static long executions() throws InferenceException {
        return engine.statistics(MODEL, "1").getFirst().executionCount();
    }

    private static InferenceRequest request(long deadlineNanoTime) {
        return new InferenceRequest(MODEL, "", "", List.of(Requests.pixels(image, 1)), List.of(), deadlineNanoTime);
    }

    private static InferenceResponse inferUnchecked(InferenceRequest request) {
        try {
            return engine.infer(request);
        } catch (InferenceException e) {
            throw new IllegalStateException(e);
        }
    }
}
