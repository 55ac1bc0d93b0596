package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.runtime.tensor.RandomTensors;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The timing loop on the committed models; what it counts is checked, never how long anything took. */
class PlanTimingTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");

    private static ExecutorService branchPool;
    private static ModelVersion shallow;

    @BeforeAll
    static void load() throws Exception {
        branchPool = Executors.newFixedThreadPool(2);
        shallow = TestRepository.verified(TestRepository.SHALLOW);
    }

    @AfterAll
    static void stop() {
        branchPool.shutdown();
    }

    @Test
    void inAlternation_everyPlan_timedEveryRoundWithItsBranches() throws Exception {
        try (SinglePlan single = new SinglePlan(SESSIONS, shallow, 1);
                BranchesPlan branches = new BranchesPlan(SESSIONS, shallow, branchPool, 1)) {
            List<PlanTiming.PlanTimes> times = PlanTiming.inAlternation(List.of(single, branches),
                    RandomTensors.of(single.inputs(), 2), 1, 7);

            assertThat(times).hasSize(2);
            assertThat(times.get(0).nanos()).hasSize(7).doesNotContain(0L);
            assertThat(times.get(0).branchNanos()).isEmpty();
            assertThat(times.get(1).nanos()).hasSize(7).doesNotContain(0L);
            assertThat(times.get(1).branchNanos()).hasSize(7 * branches.branchCount());
            assertThat(times.get(1).busyNanos()).isEqualTo(Arrays.stream(times.get(1).nanos()).sum());
        }
    }

    @Test
    void inAlternation_budgetSpent_stopsAfterTheMinimumRounds() throws Exception {
        try (SinglePlan single = new SinglePlan(SESSIONS, shallow, 1)) {
            List<PlanTiming.PlanTimes> times = PlanTiming.inAlternation(List.of(single),
                    RandomTensors.of(single.inputs(), 1), 0, 1000, Duration.ZERO);

            assertThat(times.getFirst().nanos()).hasSize(5);
        }
    }

    @Test
    void inAlternation_noTimedRun_isRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> PlanTiming.inAlternation(List.of(), List.of(), 0, 0))
                .withMessageContaining("at least one timed run");
    }
}
