package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.time.Duration;
import java.util.ArrayList;
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
                    PlanTiming.randomInputs(single.inputs(), 2), 1, 7);

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
                    PlanTiming.randomInputs(single.inputs(), 1), 0, 1000, Duration.ZERO);

            assertThat(times.getFirst().nanos()).hasSize(5);
        }
    }

    @Test
    void inAlternation_noTimedRun_isRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> PlanTiming.inAlternation(List.of(), List.of(), 0, 0))
                .withMessageContaining("at least one timed run");
    }

    @Test
    void randomInputs_everyDatatype_sameOnEveryCallAndOfTheSpecsShapes() {
        List<TensorSpec> specs = new ArrayList<>();
        for (Datatype datatype : Datatype.values()) {
            specs.add(new TensorSpec(datatype.name(), datatype, List.of(-1L, 3L, -1L)));
        }

        List<Tensor> inputs = PlanTiming.randomInputs(specs, 2);

        assertThat(inputs).hasSize(specs.size());
        for (Tensor input : inputs) {
            assertThat(input.shape()).containsExactly(2, 3, 1);
            assertThat(Tensor.layoutProblem(input.datatype(), input.shape(), input.raw())).isEmpty();
        }
        assertThat(PlanTiming.randomInputs(specs, 2)).zipSatisfy(inputs,
                (again, first) -> assertThat(again.raw()).containsExactly(first.raw()));
        float[] pixels = inputs.get(Datatype.FP32.ordinal()).floats();
        for (float pixel : pixels) {
            assertThat(pixel).isBetween(0f, 1f).isLessThan(1f);
        }
    }
}
