package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed pair timed as the benchmarks time it: deep and the shallow one-session plans at every thread count,
 * every shallow plan, every batch.
 */
class PairTimingTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");

    @Test
    void measure_everyBatch_deepAtEveryThreadCountAndTheShallowPlans() throws Exception {
        ModelVersion deep = TestRepository.verified(TestRepository.DEEP);
        ModelVersion shallow = TestRepository.verified(TestRepository.SHALLOW);

        List<PairTiming.BatchTimes> measured = PairTiming.measure(SESSIONS, deep, shallow, 1, 2, List.of(1, 3), 1, 5);

        assertThat(measured).extracting(PairTiming.BatchTimes::batch).containsExactly(1, 3);
        for (PairTiming.BatchTimes times : measured) {
            assertThat(times.deepByThreads()).hasSize(ThreadDefaults.intraOpThreadsMax())
                    .allSatisfy(deepTimes -> assertThat(deepTimes.nanos()).hasSize(5));
            // Eight branches: in two groups on 2 cores, in one per core up to 8 (then no grouped plan) elsewhere.
            assertThat(times.shallow().keySet()).containsAll(List.of(SinglePlan.NAME, WidePlan.NAME,
                    BranchesPlan.NAME));
            // Single and wide at every thread count deep runs at, the shallow plans' own (1) under the plan's name.
            for (int threads = 2; threads <= ThreadDefaults.intraOpThreadsMax(); threads++) {
                assertThat(times.shallow()).containsKeys(PairTiming.atThreads(SinglePlan.NAME, threads),
                        PairTiming.atThreads(WidePlan.NAME, threads));
            }
            assertThat(times.shallow().values()).allSatisfy(planTimes -> assertThat(planTimes.nanos()).hasSize(5));
            assertThat(times.shallow().get(BranchesPlan.NAME).branchNanos()).hasSize(5 * 8);
            double lowest = times.deepByThreads().stream().mapToDouble(deepTimes -> deepTimes.percentiles().p50())
                    .min().orElseThrow();
            assertThat(times.bestDeep().p50()).isEqualTo(lowest);
            assertThat(times.deepByThreads().get(times.bestDeepThreads() - 1).percentiles().p50()).isEqualTo(lowest);
            assertThat(times.bestShallow(BranchesPlan.NAME)).get().extracting(PairTiming.ThreadedTimes::threads)
                    .isEqualTo(1);
        }
    }

    @Test
    void bestShallow_oneSessionPlan_lowestMedianOfItsThreadCounts() {
        // Deep at 1 to 3 threads; the shallow plans' own setting is 2, so "wide" is wide at 2 threads.
        List<PlanTiming.PlanTimes> deep = List.of(times(500), times(400), times(450));
        Map<String, PlanTiming.PlanTimes> shallow = new LinkedHashMap<>();
        shallow.put(WidePlan.NAME, times(300));
        shallow.put(BranchesPlan.NAME, times(200));
        shallow.put(PairTiming.atThreads(WidePlan.NAME, 1), times(350));
        shallow.put(PairTiming.atThreads(WidePlan.NAME, 3), times(250));
        PairTiming.BatchTimes batch = new PairTiming.BatchTimes(1, deep, shallow, Map.of(), 2);

        assertThat(batch.bestShallow(WidePlan.NAME)).get().extracting(PairTiming.ThreadedTimes::threads)
                .isEqualTo(3);
        assertThat(batch.bestShallow(WidePlan.NAME).orElseThrow().percentiles().p50()).isEqualTo(250.0);
        assertThat(batch.bestShallow(BranchesPlan.NAME)).get().extracting(PairTiming.ThreadedTimes::threads)
                .isEqualTo(2);
        assertThat(batch.bestShallow(BranchesPlan.GROUPED)).isEmpty();
    }

    /** A plan's times of three runs with {@code micros} as their median. */
    private static PlanTiming.PlanTimes times(long micros) {
        return new PlanTiming.PlanTimes(new long[] {micros * 900, micros * 1000, micros * 1100}, new long[0]);
    }
}
