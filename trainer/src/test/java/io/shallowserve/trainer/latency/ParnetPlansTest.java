package io.shallowserve.trainer.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shallowserve.runtime.exec.BranchesPlan;
import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.exec.PairTiming;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.exec.PlanLoader;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.exec.SinglePlan;
import io.shallowserve.runtime.exec.ThreadDefaults;
import io.shallowserve.runtime.exec.WidePlan;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.RandomTensors;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorAgreement;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parnet models of random weights under the runtime's plans, as the server and bin/bench run them: the streams found
 * in model.onnx and run as branches compute what the whole graph computes, and wide, which fuses single parallel
 * convolutions, is left out with its reason. Never how fast.
 */
class ParnetPlansTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");
    /** The default pair's layout, smaller: 28x28 grey, stem pool to 14x14, 8 units of width 6, 7x7 head pool. */
    private static final ArchitectureSpec TWO_STREAMS =
            new ArchitectureSpec(1, 28, 28, 10, 6, 3, true, 8, 3, Activation.RELU, true, 7, false, 2);
    private static final ArchitectureSpec EIGHT_STREAMS =
            new ArchitectureSpec(1, 28, 28, 10, 6, 3, true, 8, 3, Activation.RELU, true, 7, false, 8);

    @TempDir
    static Path folder;

    private static ExecutorService branchPool;
    private static ModelVersion deep;
    private static ModelVersion parnet;

    @BeforeAll
    static void export() throws Exception {
        branchPool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("test-branch-", 0).factory());
        deep = DepthScaling.export(TWO_STREAMS, NetworkShape.DEEP, folder.resolve("two"));
        parnet = DepthScaling.export(TWO_STREAMS, NetworkShape.PARNET, folder.resolve("two"));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        branchPool.shutdown();
        assertThat(branchPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void branches_parnetModel_runsAStreamPerBranchAndEqualsSingleAtBatch1And8() throws Exception {
        try (SinglePlan single = new SinglePlan(SESSIONS, parnet, 1);
                BranchesPlan branches = new BranchesPlan(SESSIONS, parnet, branchPool, 1)) {
            assertThat(branches.branchCount()).isEqualTo(2);
            assertThat(branches.inputs()).isEqualTo(single.inputs());
            for (int batch : new int[] {1, 8}) {
                List<Tensor> inputs = RandomTensors.of(single.inputs(), batch);

                List<Tensor> expected = single.run(inputs).outputs();
                List<Tensor> actual = branches.run(inputs).outputs();

                assertThat(actual.getFirst().shape()).containsExactly(batch, 10);
                assertThat(TensorAgreement.problem(expected, actual)).isEmpty();
            }
        }
    }

    @Test
    void grouped_moreStreamsThanGroups_equalsSingle() throws Exception {
        assumeTrue(ThreadDefaults.intraOpThreadsMax() >= 2, "grouping needs at least 2 cores");
        ModelVersion eight = DepthScaling.export(EIGHT_STREAMS, NetworkShape.PARNET, folder.resolve("eight"));
        try (SinglePlan single = new SinglePlan(SESSIONS, eight, 1);
                BranchesPlan grouped = BranchesPlan.grouped(SESSIONS, eight, branchPool, 1)) {
            List<Tensor> inputs = RandomTensors.of(single.inputs(), 3);

            assertThat(grouped.branchCount()).isEqualTo(ThreadDefaults.intraOpThreadsMax());
            assertThat(TensorAgreement.problem(single.run(inputs).outputs(), grouped.run(inputs).outputs())).isEmpty();
        }
    }

    @Test
    void wide_parnetModel_isRefusedAndTheLoaderServesSingle() throws Exception {
        assertThatThrownBy(() -> new WidePlan(SESSIONS, parnet, 1))
                .isInstanceOf(ModelVersionException.class)
                .hasMessageContaining("has no parallel convolutions that read one tensor and are summed");

        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(parnet, PlanChoice.WIDE, 1);
        try {
            assertThat(loaded.name()).isEqualTo(SinglePlan.NAME);
        } finally {
            loaded.instances().forEach(ExecutionPlan::close);
        }
    }

    @Test
    void pairTiming_deepAgainstParnet_timesSingleAndBranchesAndSaysWhyWideIsNotRun() throws Exception {
        List<PairTiming.BatchTimes> measured = PairTiming.measure(SESSIONS, deep, parnet, 1, 2, List.of(1), 1, 3);

        PairTiming.BatchTimes times = measured.getFirst();
        assertThat(times.shallow().keySet()).contains(SinglePlan.NAME, BranchesPlan.NAME)
                .doesNotContain(WidePlan.NAME);
        assertThat(times.notRun()).containsKey(WidePlan.NAME);
        assertThat(times.notRun().get(WidePlan.NAME)).contains("the wide plan has nothing to fuse");
        assertThat(times.shallow().get(BranchesPlan.NAME).branchNanos()).hasSize(3 * 2);
    }
}
