package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed pair timed as the benchmarks time it: every deep thread count, every shallow plan, every batch. */
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
                    BranchesPlan.NAME)).isSubsetOf(PairTiming.SHALLOW_PLANS);
            assertThat(times.shallow().get(BranchesPlan.NAME).branchNanos()).hasSize(5 * 8);
            double lowest = times.deepByThreads().stream().mapToDouble(deepTimes -> deepTimes.percentiles().p50())
                    .min().orElseThrow();
            assertThat(times.bestDeep().p50()).isEqualTo(lowest);
            assertThat(times.deepByThreads().get(times.bestDeepThreads() - 1).percentiles().p50()).isEqualTo(lowest);
        }
    }
}
