package io.shallowserve.loadtest.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The latency bookkeeping of both loops, on a deterministic clock and a fake server that answers synchronously after
 * advancing the clock by its service time: the sender is stuck in {@code send} meanwhile, exactly the situation
 * that hides a stall from a naive load generator.
 */
class LoadRunnerTest {

    private final FakeClock clock = new FakeClock();

    /** A server that takes {@code serviceMicros.get(i)} for request i (the last entry for every later one). */
    private Transport server(List<Long> serviceMicros, List<Long> sentAt) {
        return (sequence, done) -> {
            sentAt.add(clock.nanoTime());
            clock.advanceMicros(serviceMicros.get((int) Math.min(sequence, serviceMicros.size() - 1)));
            done.complete(null);
        };
    }

    @Test
    void intendedNanos_evenlySpacedAtTheRate() {
        Load.Open load = new Load.Open(400);

        assertThat(load.intendedNanos(5_000, 0)).isEqualTo(5_000);
        assertThat(load.intendedNanos(5_000, 3)).isEqualTo(5_000 + 7_500_000);
        assertThat(load.label()).isEqualTo("open 400/s");
    }

    @Test
    void openLoop_stalledServer_chargesTheStallToEveryRequestItHeldBack() {
        // 1000/s for 20 ms: 20 requests meant for 0, 1, ..., 19 ms. The first takes 10 ms; the others 0.1 ms.
        List<Long> sentAt = new ArrayList<>();
        LoadRunner runner = new LoadRunner(clock, 64, Duration.ofSeconds(1));

        LatencySummary summary = runner.run(server(List.of(10_000L, 100L), sentAt), new Load.Open(1000),
                Duration.ofMillis(20));

        // Requests 1..10 could only leave at 10 ms and after; their latency counts from 1..10 ms: 9.1, 8.2, ... 1.0.
        assertThat(summary.requests()).isEqualTo(20);
        assertThat(summary.errors()).isZero();
        assertThat(summary.maxMicros()).isCloseTo(10_000, within(10.0));
        assertThat(summary.p90Micros()).isCloseTo(8_200, within(10.0));
        assertThat(summary.p50Micros()).isCloseTo(1_000, within(1.0));
        // Measured from the actual send, only the first request would look slow: the stall would be hidden.
        assertThat(sentAt.get(1) - sentAt.get(0)).isEqualTo(10_000_000L);
    }

    @Test
    void openLoop_quickServer_sendsOnSchedule() {
        List<Long> sentAt = new ArrayList<>();
        LoadRunner runner = new LoadRunner(clock, 64, Duration.ofSeconds(1));

        LatencySummary summary = runner.run(server(List.of(50L), sentAt), new Load.Open(500), Duration.ofMillis(10));

        assertThat(summary.requests()).isEqualTo(5);
        assertThat(summary.p50Micros()).isCloseTo(50, within(1.0));
        assertThat(summary.maxMicros()).isCloseTo(50, within(1.0));
        assertThat(sentAt).hasSize(5);
        for (int i = 1; i < sentAt.size(); i++) {
            assertThat(sentAt.get(i) - sentAt.get(i - 1)).isEqualTo(2_000_000L);
        }
        assertThat(summary.throughput()).isCloseTo(500, within(0.01));
    }

    @Test
    void closedLoop_countsLatencyFromEachSend() {
        LoadRunner runner = new LoadRunner(clock, 64, Duration.ofSeconds(1));

        LatencySummary summary = runner.run(server(List.of(10_000L, 2_000L), new ArrayList<>()), new Load.Closed(1),
                Duration.ofMillis(20));

        // 10 ms, then 2 ms each until the window closes at 20 ms: 6 requests; none is charged another's wait.
        assertThat(summary.requests()).isEqualTo(6);
        assertThat(summary.maxMicros()).isCloseTo(10_000, within(10.0));
        assertThat(summary.p50Micros()).isCloseTo(2_000, within(2.0));
        assertThat(summary.throughput()).isCloseTo(300, within(0.01));
    }

    @Test
    void failures_areCountedByKindAndLeftOutOfTheLatencies() {
        LoadRunner runner = new LoadRunner(clock, 64, Duration.ofSeconds(1));
        Transport halfFailing = (sequence, done) -> {
            clock.advanceMicros(sequence % 2 == 0 ? 100 : 5_000);
            done.complete(sequence % 2 == 0 ? null : "UNAVAILABLE");
        };

        LatencySummary summary = runner.run(halfFailing, new Load.Open(100), Duration.ofMillis(100));

        assertThat(summary.requests()).isEqualTo(10);
        assertThat(summary.errors()).isEqualTo(5);
        assertThat(summary.errorKinds()).isEqualTo(Map.of("UNAVAILABLE", 5L));
        assertThat(summary.maxMicros()).isCloseTo(100, within(1.0));
    }

    @Test
    void openLoop_serverThatNeverAnswers_endsBoundedWithTheRequestsUnanswered() {
        LoadRunner runner = new LoadRunner(clock, 3, Duration.ofMillis(50));
        Transport silent = (sequence, done) -> { };

        LatencySummary summary = runner.run(silent, new Load.Open(1000), Duration.ofSeconds(10));

        assertThat(summary.requests()).isEqualTo(3);
        assertThat(summary.errorKinds()).isEqualTo(Map.of(LoadRunner.UNANSWERED, 3L));
        assertThat(summary.p50Micros()).isNaN();
    }

    @Test
    void closedLoop_serverThatNeverAnswers_endsBoundedWithTheRequestsUnanswered() {
        LoadRunner runner = new LoadRunner(clock, 64, Duration.ofMillis(50));
        Transport silent = (sequence, done) -> { };

        LatencySummary summary = runner.run(silent, new Load.Closed(4), Duration.ofMillis(1));

        assertThat(summary.requests()).isEqualTo(4);
        assertThat(summary.errors()).isEqualTo(4);
    }
}
