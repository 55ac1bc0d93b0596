package io.shallowserve.loadtest.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    @Test
    void summary_percentilesOfTheRecordedLatencies() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int micros = 1; micros <= 1000; micros++) {
            recorder.record(0, micros * 1000L, null);
        }

        LatencySummary summary = recorder.summary(2.0);

        assertThat(summary.requests()).isEqualTo(1000);
        assertThat(summary.p50Micros()).isCloseTo(500, within(1.0));
        assertThat(summary.p90Micros()).isCloseTo(900, within(1.0));
        assertThat(summary.p99Micros()).isCloseTo(990, within(1.0));
        assertThat(summary.maxMicros()).isCloseTo(1000, within(1.0));
        assertThat(summary.throughput()).isEqualTo(500);
        assertThat(summary.resolutionMicros()).isEqualTo(1);
    }

    @Test
    void summary_cdfRisesToOneAndIsThinned() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int micros = 1; micros <= 5000; micros++) {
            recorder.record(0, micros * 1000L, null);
        }

        List<LatencySummary.CdfPoint> cdf = recorder.summary(1.0).cdf();

        assertThat(cdf).hasSizeLessThanOrEqualTo(200);
        assertThat(cdf.getLast().fraction()).isEqualTo(1.0);
        for (int i = 1; i < cdf.size(); i++) {
            assertThat(cdf.get(i).micros()).isGreaterThan(cdf.get(i - 1).micros());
            assertThat(cdf.get(i).fraction()).isGreaterThan(cdf.get(i - 1).fraction());
        }
    }

    @Test
    void withResolutionMicros_roundsToTheGeneratorsSteps() {
        LatencyRecorder recorder = new LatencyRecorder();
        recorder.record(0, 1_000_000, null);
        recorder.record(0, 3_000_000, null);

        LatencySummary summary = recorder.summary(1.0).withResolutionMicros(1000);

        assertThat(summary.p50Micros()).isEqualTo(1000);
        assertThat(summary.maxMicros()).isEqualTo(3000);
    }
}
