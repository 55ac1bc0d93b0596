package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.Sha256;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.runtime.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ExecutionPlanTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");
    private static ExecutorService branchPool;
    private static ModelVersion deep;
    private static ModelVersion shallow;
    private static float[] images;

    @BeforeAll
    static void load() throws Exception {
        branchPool = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("test-branch-", 0).factory());
        deep = TestRepository.verified(TestRepository.DEEP);
        shallow = TestRepository.verified(TestRepository.SHALLOW);
        images = TestImages.images();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        branchPool.shutdown();
        assertThat(branchPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void branches_equalSingleAtBatch1And8() throws Exception {
        try (SinglePlan single = new SinglePlan(SESSIONS, shallow, 1);
                BranchesPlan branches = new BranchesPlan(SESSIONS, shallow, branchPool, 1)) {
            for (int batch : new int[] {1, 8}) {
                float[] pixels = new float[batch * FashionMnist.PIXELS];
                System.arraycopy(images, 0, pixels, 0, pixels.length);

                float[] expected = single.logits(pixels, batch);
                PlanResult result = branches.run(List.of(Tensor.ofFloats("input", new long[] {batch, 1, 28, 28},
                        pixels)));
                float[] actual = result.outputs().getFirst().floats();

                assertThat(actual).hasSize(batch * 10);
                assertThat(actual).containsExactly(expected, within(1e-5f * Logits.maxAbs(expected)));
                for (int image = 0; image < batch; image++) {
                    assertThat(Logits.argmax(actual, image, 10)).isEqualTo(Logits.argmax(expected, image, 10));
                }
                assertThat(result.branchNanos()).hasSize(shallow.manifest().branches().branches().size())
                        .doesNotContain(0L);
            }
        }
    }

    @Test
    void single_deepReachesRecordedTestAccuracy() throws Exception {
        try (SinglePlan plan = new SinglePlan(SESSIONS, deep, 2)) {
            assertThat(TestImages.accuracy(plan)).isCloseTo(deep.manifest().metrics().get("test").accuracy(), within(0.002));
        }
    }

    @Test
    void single_shallowReachesRecordedTestAccuracy() throws Exception {
        try (SinglePlan plan = new SinglePlan(SESSIONS, shallow, 2)) {
            assertThat(TestImages.accuracy(plan)).isCloseTo(shallow.manifest().metrics().get("test").accuracy(),
                    within(0.002));
        }
    }

    @Test
    void auto_servesTheChosenCandidateAndRecordsEveryMedian() throws Exception {
        PlanLoader loader = new PlanLoader(SESSIONS, branchPool, 1);

        PlanLoader.LoadedPlan loaded = loader.load(shallow, PlanChoice.AUTO, 1);
        try (ExecutionPlan plan = loaded.instances().getFirst()) {
            assertThat(loaded.measuredMicros()).containsOnlyKeys(PlanCandidates.all(
                    PlanCandidates.atEveryThreadCount(SinglePlan.NAME), PlanCandidates.atEveryThreadCount(WidePlan.NAME),
                    List.of(BranchesPlan.NAME, BranchesPlan.GROUPED)));
            assertThat(loaded.split()).hasValue("fork–join region: 8 branches from stem, joined by Sum branches.sum;"
                    + " grouped: 8 branches in 2 groups of work 4083080+4083080");
            assertThat(loaded.measuredMicros().values()).allMatch(micros -> micros > 0);
            // AutoChoice (tested on its own) keeps the fastest or one within its margin that needs fewer cores.
            double fastest = Collections.min(loaded.measuredMicros().values());
            assertThat(fastest).isGreaterThanOrEqualTo(
                    (1 - AutoChoice.MARGIN) * loaded.measuredMicros().get(loaded.candidate()));
            assertThat(loaded.candidate()).startsWith(plan.name());
            assertThat(plan.logits(FashionMnist.image(images, 0), 1)).hasSize(10);
        }
    }

    @Test
    void auto_threadsFixedByTheModel_timesSingleAndWideAtThatCountAlone() throws Exception {
        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(shallow, PlanChoice.AUTO, 2,
                OptionalInt.of(3));
        try {
            assertThat(loaded.measuredMicros()).containsOnlyKeys("single 3t", "wide 3t", BranchesPlan.NAME,
                    BranchesPlan.GROUPED);
            assertThat(loaded.instances()).hasSize(2);
        } finally {
            loaded.instances().forEach(ExecutionPlan::close);
        }
        PlanLoader.LoadedPlan single = new PlanLoader(SESSIONS, branchPool, 1).load(deep, PlanChoice.SINGLE, 1,
                OptionalInt.of(3));
        single.instances().forEach(ExecutionPlan::close);
        assertThat(single.candidate()).isEqualTo("single 3t");
    }

    @Test
    void auto_shallowManifestOverADeepGraph_servesSingleAndSaysWhy() throws Exception {
        // A shallow manifest over a graph with nothing to fuse and no branches: the deep model's model.onnx, its
        // sha256 recorded. The wide plan is refused, the branches/ folder is not what the branches plan runs.
        Path version = TestRepository.copy(TestRepository.SHALLOW, TestRepository.emptyFolder("no-parallel-convs"), 1);
        Path graph = version.resolve(ModelManifest.MODEL_FILE);
        Files.copy(deep.file(ModelManifest.MODEL_FILE), graph, StandardCopyOption.REPLACE_EXISTING);
        String sha256 = Sha256.ofFile(graph);
        TestRepository.editManifest(version,
                json -> json.getAsJsonObject("files").addProperty(ModelManifest.MODEL_FILE, sha256));
        ModelVersion unsplittable = ModelRepository.verify(version);

        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(unsplittable, PlanChoice.AUTO,
                1);
        loaded.instances().forEach(ExecutionPlan::close);

        assertThat(loaded.name()).isEqualTo(SinglePlan.NAME);
        assertThat(loaded.measuredMicros().keySet()).containsExactlyElementsOf(
                PlanCandidates.measured(PlanCandidates.atEveryThreadCount(SinglePlan.NAME)));
        assertThat(loaded.split()).hasValueSatisfying(
                reason -> assertThat(reason).contains("a chain or a residual connection"));
    }

    @ParameterizedTest
    @EnumSource(value = PlanChoice.class, names = {"BRANCHES", "WIDE"})
    void load_deepModel_servesSingleWithoutMeasuring(PlanChoice choice) throws Exception {
        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(deep, choice, 1);
        try (ExecutionPlan plan = loaded.instances().getFirst()) {
            assertThat(plan.name()).isEqualTo(SinglePlan.NAME);
            assertThat(loaded.measuredMicros()).isEmpty();
        }
    }

    @Test
    void load_autoOnDeepModel_servesSingleAtItsBestThreadCount() throws Exception {
        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(deep, PlanChoice.AUTO, 2);
        try {
            List<String> measured = PlanCandidates.measured(PlanCandidates.atEveryThreadCount(SinglePlan.NAME));
            assertThat(loaded.measuredMicros().keySet()).containsExactlyElementsOf(measured);
            if (!measured.isEmpty()) {
                assertThat(Collections.min(loaded.measuredMicros().values())).isGreaterThanOrEqualTo(
                        (1 - AutoChoice.MARGIN) * loaded.measuredMicros().get(loaded.candidate()));
            }
            assertThat(loaded.instances()).hasSize(2)
                    .allSatisfy(plan -> assertThat(plan.name()).isEqualTo(SinglePlan.NAME));
        } finally {
            loaded.instances().forEach(ExecutionPlan::close);
        }
    }

    @Test
    void load_instances_opensSessionsOfTheKeptPlanPerInstance() throws Exception {
        PlanLoader.LoadedPlan loaded = new PlanLoader(SESSIONS, branchPool, 1).load(shallow, PlanChoice.AUTO, 3);
        try {
            assertThat(loaded.instances()).hasSize(3).doesNotHaveDuplicates()
                    .allSatisfy(plan -> assertThat(plan.name()).isEqualTo(loaded.name()));
            float[] first = loaded.instances().getFirst().logits(FashionMnist.image(images, 0), 1);
            for (ExecutionPlan plan : loaded.instances()) {
                assertThat(plan.logits(FashionMnist.image(images, 0), 1)).containsExactly(first);
            }
        } finally {
            loaded.instances().forEach(ExecutionPlan::close);
        }
    }

    @Test
    void cudaDevice_servesTheSameLogitsAsCpu_evenWithoutAGpuBuild() throws Exception {
        float[] image = FashionMnist.image(images, 0);
        try (SinglePlan onCuda = new SinglePlan(new SessionFactory("cuda:0"), deep, 1);
                SinglePlan onCpu = new SinglePlan(SESSIONS, deep, 1)) {
            float[] expected = onCpu.logits(image, 1);
            assertThat(onCuda.logits(image, 1))
                    .containsExactly(expected, within(1e-4f * Logits.maxAbs(expected)));
        }
    }

    @Test
    void sessionFactory_unknownDevice_isRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new SessionFactory("gpu0"))
                .withMessage("device \"gpu0\" is not \"cpu\" or \"cuda:<id>\" (e.g. cuda:0)");
    }
}
