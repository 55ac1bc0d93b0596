package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import java.util.List;
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
        }
    }
}
