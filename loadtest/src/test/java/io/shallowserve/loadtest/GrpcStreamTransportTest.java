package io.shallowserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.loadtest.driver.Clock;
import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.LoadRunner;
import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.loadtest.driver.Target;
import io.shallowserve.loadtest.driver.Transport;
import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import io.shallowserve.loadtest.report.Batching;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver's gRPC streaming transport ({@code Target.connect(Protocol.GRPC_STREAM, ...)}) against the real server
 * started in-process: every request is completed exactly once, with the server's answer, its error, or as closed.
 */
class GrpcStreamTransportTest {

    private static final String MODEL = "fashion-deep";
    /** More than the server reads ahead of its answers on one stream (32), so that flow control has to work. */
    private static final int REQUESTS = 200;
    /** A bound on waiting for answers, so that a lost one fails the test instead of hanging it; not a timing. */
    private static final long WAIT_SECONDS = 60;
    private static final String CLOSED = "CANCELLED: stream closed with the target";

    private static InProcessServer server;

    @BeforeAll
    static void startServer() {
        server = InProcessServer.start("single", Batching.OFF);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static Target connect() {
        return Target.connect(Protocol.GRPC_STREAM, server.host(), server.port(Protocol.GRPC_STREAM),
                Duration.ofSeconds(30));
    }

    private static List<Tensor> tensors(Target target, int batch) throws Exception {
        ModelInput input = target.input(MODEL, "");
        return ImageSet.read(ImageSet.defaultTestImages(), batch * 8, input).batches(input, batch, 8);
    }

    /** What each request was completed with, and how many times; {@link #await} waits for all of them. */
    private static final class Outcomes {
        final Map<Long, String> errors = new ConcurrentHashMap<>();
        final Map<Long, Integer> completions = new ConcurrentHashMap<>();
        final CountDownLatch all;

        Outcomes(int requests) {
            all = new CountDownLatch(requests);
        }

        Transport.Completion of(long sequence) {
            return error -> {
                errors.put(sequence, error == null ? "ok" : error);
                completions.merge(sequence, 1, Integer::sum);
                all.countDown();
            };
        }

        void await() throws InterruptedException {
            assertThat(all.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("every request completed").isTrue();
        }

        Map<String, Long> byOutcome() {
            return errors.values().stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        }
    }

    @Test
    void send_manyRequestsOnOneStream_completesEachOnceWithItsOwnAnswer() throws Exception {
        try (Target target = connect()) {
            // Every other request names an input the model does not have: the server answers it with an error in
            // the stream, so an answer matched to the wrong request would show.
            Tensor image = tensors(target, 1).getFirst();
            Tensor misnamed = new Tensor("no-such-input", image.shape(), image.data());
            Transport transport = target.infer(MODEL, "", List.of(image, misnamed));
            Outcomes outcomes = new Outcomes(REQUESTS);

            // One thread, no waiting: every request on one stream, pipelined.
            for (long sequence = 0; sequence < REQUESTS; sequence++) {
                transport.send(sequence, outcomes.of(sequence));
            }

            outcomes.await();
            assertThat(outcomes.completions.values()).hasSize(REQUESTS).containsOnly(1);
            for (long sequence = 0; sequence < REQUESTS; sequence++) {
                String outcome = outcomes.errors.get(sequence);
                if (sequence % 2 == 0) {
                    assertThat(outcome).as("request %d", sequence).isEqualTo("ok");
                } else {
                    assertThat(outcome).as("request %d", sequence).startsWith("stream error: ")
                            .contains("no-such-input");
                }
            }
            assertThat(outcomes.byOutcome()).containsEntry("ok", (long) REQUESTS / 2);
        }
    }

    @Test
    void run_closedLoopTwice_answersEveryRequest() throws Exception {
        try (Target target = connect()) {
            Transport transport = target.infer(MODEL, "", tensors(target, 1));
            LoadRunner runner = new LoadRunner(Clock.SYSTEM, 64, Duration.ofSeconds(30));

            // The second run's callers are new threads: the first run's streams are half-closed as they start.
            LatencySummary first = runner.run(transport, new Load.Closed(4), Duration.ofMillis(300));
            LatencySummary second = runner.run(transport, new Load.Closed(2), Duration.ofMillis(300));

            for (LatencySummary summary : List.of(first, second)) {
                assertThat(summary.requests()).isPositive();
                assertThat(summary.errorKinds()).isEmpty();
            }
        }
    }

    @Test
    void send_unknownModel_completesEachWithTheServersErrorInsteadOfHanging() throws Exception {
        try (Target target = connect()) {
            Transport transport = target.infer("no-such-model", "", tensors(target, 1));
            Outcomes outcomes = new Outcomes(REQUESTS);

            for (long sequence = 0; sequence < REQUESTS; sequence++) {
                transport.send(sequence, outcomes.of(sequence));
            }

            outcomes.await();
            assertThat(outcomes.completions.values()).hasSize(REQUESTS).containsOnly(1);
            assertThat(outcomes.errors.values()).allSatisfy(error -> assertThat(error)
                    .startsWith("stream error: ").contains("no-such-model").hasSizeLessThanOrEqualTo(200));
        }
    }

    @Test
    void close_withRequestsOutstanding_completesEveryOneExactlyOnce() throws Exception {
        Target target = connect();
        Transport transport = target.infer(MODEL, "", tensors(target, 16));
        Outcomes outcomes = new Outcomes(REQUESTS);
        CountDownLatch firstAnswering = new CountDownLatch(1);
        CountDownLatch closedSeen = new CountDownLatch(1);
        // The first answer holds the channel's network thread until the stream is closed, so that no other answer
        // can arrive before close(): every later request is still outstanding then, whatever the machine's speed.
        transport.send(0, error -> {
            firstAnswering.countDown();
            awaitQuietly(closedSeen);
            outcomes.of(0).complete(error);
        });
        for (long sequence = 1; sequence < REQUESTS; sequence++) {
            Transport.Completion done = outcomes.of(sequence);
            transport.send(sequence, error -> {
                done.complete(error);
                if (CLOSED.equals(error)) {
                    closedSeen.countDown();
                }
            });
        }
        assertThat(firstAnswering.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        target.close();

        outcomes.await();
        assertThat(outcomes.completions.values()).hasSize(REQUESTS).containsOnly(1);
        assertThat(outcomes.errors.get(0L)).isEqualTo("ok");
        assertThat(outcomes.byOutcome()).isEqualTo(Map.of("ok", 1L, CLOSED, (long) REQUESTS - 1));
        // And a request sent after the close is completed at once, as closed.
        Outcomes late = new Outcomes(1);
        transport.send(REQUESTS, late.of(REQUESTS));
        assertThat(late.errors).isEqualTo(Map.of((long) REQUESTS, CLOSED));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
