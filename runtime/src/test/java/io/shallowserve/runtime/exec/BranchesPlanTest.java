package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shallowserve.runtime.graph.TestGraph;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.runtime.tensor.RandomTensors;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorAgreement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The branches plan and its offer to {@code auto} on graphs nobody exported in parts, served from model.onnx alone. */
class BranchesPlanTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");

    private static ExecutorService branchPool;
    private static ServableVersion inception;
    private static ServableVersion chain;

    @BeforeAll
    static void load() throws Exception {
        branchPool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("test-branch-", 0).factory());
        inception = graphVersion("inception", TestGraph.inception(false));
        chain = graphVersion("chain", TestGraph.chain());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        branchPool.shutdown();
        assertThat(branchPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void run_inceptionGraph_equalsSingleAtBatch1And2() throws Exception {
        try (SinglePlan single = new SinglePlan(SESSIONS, inception, 1);
                BranchesPlan branches = new BranchesPlan(SESSIONS, inception, branchPool, 1)) {
            assertThat(branches.inputs()).isEqualTo(single.inputs());
            assertThat(branches.outputs()).isEqualTo(single.outputs());
            assertThat(branches.branchCount()).isEqualTo(3);
            for (int batch : new int[] {1, 2}) {
                List<Tensor> inputs = RandomTensors.of(single.inputs(), batch);

                PlanResult result = branches.run(inputs);

                assertThat(result.outputs().getFirst().shape()).containsExactly(batch, 5);
                assertThat(TensorAgreement.problem(single.run(inputs).outputs(), result.outputs())).isEmpty();
                assertThat(result.branchNanos()).hasSize(3).doesNotContain(0L);
            }
        }
    }

    @Test
    void run_forkAtTheGraphInput_runsWithoutAStem() throws Exception {
        TestGraph graph = new TestGraph("two-convs", "image", 3, 8, 8);
        String left = graph.conv("left", "image", 3, 2, 1);
        String right = graph.conv("right", "image", 3, 2, 3);
        graph.node("Add", "sum", List.of(left, right));
        ServableVersion twoConvs = graphVersion("two-convs", graph.output("sum", 2, 8, 8).model());
        try (SinglePlan single = new SinglePlan(SESSIONS, twoConvs, 1);
                BranchesPlan branches = new BranchesPlan(SESSIONS, twoConvs, branchPool, 1)) {
            List<Tensor> inputs = RandomTensors.of(single.inputs(), 2);

            PlanResult result = branches.run(inputs);

            assertThat(TensorAgreement.problem(single.run(inputs).outputs(), result.outputs())).isEmpty();
            assertThat(result.branchNanos()).hasSize(2);
        }
    }

    @Test
    void open_chainGraph_isRefusedWithTheReason() {
        assertThatExceptionOfType(ModelVersionException.class)
                .isThrownBy(() -> new BranchesPlan(SESSIONS, chain, branchPool, 1))
                .withMessageStartingWith("chain/1 has no branches to run at the same time: graph chain has no node")
                .withMessageEndingWith("a chain, with no branches to run apart; serve it with plan single");
    }

    @Test
    void open_deepModel_isRefusedWithTheResidualConnections() throws Exception {
        ServableVersion deep = TestRepository.verified(TestRepository.DEEP);

        assertThatExceptionOfType(ModelVersionException.class)
                .isThrownBy(() -> new BranchesPlan(SESSIONS, deep, branchPool, 1))
                .withMessageContaining("fashion-deep/1 has no branches to run at the same time")
                .withMessageContaining("a chain or a residual connection");
    }

    @Test
    void load_autoOnInceptionGraph_measuresSingleAndBranchesAndSaysWhatItFound() throws Exception {
        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(inception, PlanChoice.AUTO, 2);
        try {
            // The paths end in Concat, not in a sum of convolutions: nothing to fuse, so no wide plan.
            assertThat(loaded.measuredMicros()).containsOnlyKeys(PlanCandidates.all(
                    PlanCandidates.atEveryThreadCount(SinglePlan.NAME), List.of(BranchesPlan.NAME)));
            assertThat(loaded.split()).hasValueSatisfying(split -> assertThat(split).startsWith(
                    "fork–join region: 3 branches from stem, joined by Concat join; grouped: ")
                    .contains("not a Sum of the branch outputs alone"));
            assertThat(loaded.instances()).hasSize(2)
                    .allSatisfy(plan -> assertThat(plan.name()).isEqualTo(loaded.name()));
        } finally {
            loaded.instances().forEach(ExecutionPlan::close);
        }
    }

    @Test
    void load_autoOnChainGraph_offersNoBranchesAndSaysWhy() throws Exception {
        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(chain, PlanChoice.AUTO, 1);
        loaded.instances().forEach(ExecutionPlan::close);

        assertThat(loaded.name()).isEqualTo(SinglePlan.NAME);
        assertThat(loaded.measuredMicros().keySet()).containsExactlyElementsOf(
                PlanCandidates.measured(PlanCandidates.atEveryThreadCount(SinglePlan.NAME)));
        assertThat(loaded.split()).hasValueSatisfying(reason -> assertThat(reason).contains("a chain"));
    }

    @Test
    void load_branchesOnChainGraph_servesSingle() throws Exception {
        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(chain, PlanChoice.BRANCHES, 1);
        loaded.instances().forEach(ExecutionPlan::close);

        assertThat(loaded.name()).isEqualTo(SinglePlan.NAME);
        assertThat(loaded.split()).hasValueSatisfying(reason -> assertThat(reason).contains("a chain"));
    }

    @Test
    void load_singleOrWide_doesNotLookForASplit() throws Exception {
        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(inception, PlanChoice.SINGLE, 1);
        loaded.instances().forEach(ExecutionPlan::close);

        assertThat(loaded.split()).isEmpty();
    }

    /** A version folder holding {@code graph} as model.onnx and nothing else. */
    private static ServableVersion graphVersion(String name, ModelProto graph) throws Exception {
        Path version = Files.createDirectories(TestRepository.emptyFolder(name).resolve(name).resolve("1"));
        Files.write(version.resolve(ModelManifest.MODEL_FILE), graph.toByteArray());
        return ModelRepository.verify(new ModelRepository.VersionFolder(name, 1, version));
    }
}
