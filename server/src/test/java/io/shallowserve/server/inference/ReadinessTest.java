package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** When the engine is ready: any model or all of them, and on the CPU in place of an unusable GPU or not. */
@Timeout(60)
class ReadinessTest {

    private static final String SHALLOW = TestRepository.SHALLOW;
    private static final String DEEP = TestRepository.DEEP;
    private static final Readiness ALL = new Readiness(Readiness.Models.ALL, true);

    @TempDir
    Path repository;

    @Test
    void ready_all_aVersionBrokenAtStartKeepsTheEngineNotReadyUntilALoadSucceeds() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        TestRepository.copy(SHALLOW, repository, 1);
        Path broken = TestRepository.copy(SHALLOW, repository, 2);
        Files.write(broken.resolve("model.onnx"), new byte[] {1}, StandardOpenOption.APPEND);

        try (InferenceEngine any = start(Readiness.ANY_MODEL); InferenceEngine all = start(ALL)) {
            assertThat(any.router().ready()).as("any: version 1 of each model serves").isTrue();
            assertThat(all.router().ready()).as("all: %s version 2 failed to load", SHALLOW).isFalse();
            // Not ready is not out of service: what loaded serves.
            assertThat(Requests.infer(all.router(), Requests.images(SHALLOW, FashionMnist.testImages(1), 0, 1)).version())
                    .isEqualTo("1");

            ModelRepository.delete(broken);
            all.loader().load(SHALLOW);

            assertThat(all.router().ready()).as("all: after a load of %s that succeeded", SHALLOW).isTrue();
        }
    }

    @Test
    void ready_all_aModelWithoutAVersionThatLoadsIsNotReady() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        Path broken = TestRepository.copy(SHALLOW, repository, 1);
        Files.delete(broken.resolve("model.onnx"));

        try (InferenceEngine any = start(Readiness.ANY_MODEL); InferenceEngine all = start(ALL)) {
            assertThat(any.router().ready()).as("any: %s serves", DEEP).isTrue();
            assertThat(all.router().ready()).as("all: %s has no version that loads", SHALLOW).isFalse();
        }
    }

    @Test
    void ready_all_aLoadThatFailsAfterStartLeavesTheEngineReady() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        try (InferenceEngine engine = start(ALL)) {
            assertThat(engine.router().ready()).isTrue();
            Path broken = TestRepository.copy(DEEP, repository, 2);
            Files.write(broken.resolve("model.onnx"), new byte[] {1}, StandardOpenOption.APPEND);

            assertThatThrownBy(() -> engine.loader().load(DEEP)).isInstanceOf(InferenceException.class)
                    .hasMessageContaining("version 2 failed to load");

            // Version 1 serves on: one bad copy in a shared repository must not take every replica out of service.
            assertThat(engine.router().ready()).isTrue();
            assertThat(engine.router().modelReady(DEEP, "1")).isTrue();
        }
    }

    @Test
    void ready_all_aModelUnloadedIsNotReadyAModelWhoseFolderWentIsNotAskedFor() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        TestRepository.copy(SHALLOW, repository, 1);
        try (InferenceEngine engine = start(ALL)) {
            engine.loader().unload(SHALLOW);
            assertThat(engine.router().ready()).as("all: %s unloaded while its folder is in the repository", SHALLOW)
                    .isFalse();

            ModelRepository.delete(repository.resolve(SHALLOW));
            assertThat(engine.router().ready()).as("all: %s's folder removed", SHALLOW).isTrue();
        }
    }

    @Test
    void ready_unusableGpu_servesOnTheCpuAndIsReadyOnlyWhereConfigurationAllowsIt() throws Exception {
        Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime has the CUDA provider: the GPU may be usable here, and nothing falls back");
        TestRepository.copy(DEEP, repository, 1);
        EngineConfig defaults = EngineConfig.defaults(repository);
        EngineConfig cuda = new EngineConfig(repository, PlanChoice.SINGLE, "cuda:0", defaults.maxBatchSize(),
                defaults.maxQueued(), defaults.branchThreads(), defaults.intraOpThreads(), defaults.closeTimeout(),
                defaults.serving(), defaults.repositoryPoll(), defaults.loadApi(), Readiness.ANY_MODEL);

        try (InferenceEngine allowed = InferenceEngine.start(cuda, new SimpleMeterRegistry());
             InferenceEngine refused = InferenceEngine.start(cuda.withReadiness(
                     new Readiness(Readiness.Models.ANY, false)), new SimpleMeterRegistry())) {
            assertThat(allowed.router().ready()).as("cpu-fallback true").isTrue();
            assertThat(refused.router().ready()).as("cpu-fallback false").isFalse();
            assertThat(refused.router().live()).isTrue();
            assertThat(Requests.logits(Requests.infer(refused.router(), Requests.images(DEEP, FashionMnist.testImages(1), 0, 1))))
                    .as("it serves on the CPU all the same").hasSize(10);
        }
    }

    private InferenceEngine start(Readiness readiness) {
        return InferenceEngine.start(EngineConfig.defaults(repository).withPlan(PlanChoice.SINGLE)
                .withReadiness(readiness), new SimpleMeterRegistry());
    }
}
