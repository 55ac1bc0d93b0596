package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.AutoChoice;
import io.shallowserve.runtime.exec.PlanCandidates;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.server.protocol.EngineCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Loading a repository with broken versions, version policies, polling and the auto plan. */
@Timeout(60)
class ModelLoaderTest {

    private static final String SHALLOW = TestRepository.SHALLOW;
    private static final String DEEP = TestRepository.DEEP;

    @TempDir
    Path repository;

    @Test
    void start_brokenVersionsAreUnavailableWithReasonWhileHealthyOnesServe() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        TestRepository.copy(SHALLOW, repository, 1);
        Path badChecksum = TestRepository.copy(SHALLOW, repository, 2);
        Files.write(badChecksum.resolve("branches/branch-1.onnx"), new byte[] {1}, StandardOpenOption.APPEND);
        Path missingFile = TestRepository.copy(SHALLOW, repository, 3);
        Files.delete(missingFile.resolve("branches/head.onnx"));
        Path badJson = TestRepository.copy(SHALLOW, repository, 4);
        Files.writeString(badJson.resolve("model.json"), "{ \"format\": ");
        Path wrongFormat = TestRepository.copy(SHALLOW, repository, 5);
        TestRepository.editManifest(wrongFormat, json -> json.addProperty("format", "onnx-model/1"));

        try (InferenceEngine engine = start(repository, PlanChoice.SINGLE)) {
            Map<String, String> reasons = new java.util.TreeMap<>();
            engine.loader().index().forEach(state -> reasons.put(state.name() + "/" + state.version(), state.reason()));
            assertThat(engine.loader().index()).extracting(ModelState::name, ModelState::version, ModelState::state)
                    .containsExactly(
                            tuple(DEEP, "1", ModelState.State.READY),
                            tuple(SHALLOW, "1", ModelState.State.READY),
                            tuple(SHALLOW, "2", ModelState.State.UNAVAILABLE),
                            tuple(SHALLOW, "3", ModelState.State.UNAVAILABLE),
                            tuple(SHALLOW, "4", ModelState.State.UNAVAILABLE),
                            tuple(SHALLOW, "5", ModelState.State.UNAVAILABLE));
            assertThat(reasons.get(SHALLOW + "/2")).contains("branch-1.onnx: sha256 is");
            assertThat(reasons.get(SHALLOW + "/3")).contains("head.onnx is missing");
            assertThat(reasons.get(SHALLOW + "/4")).contains("is not a valid model.json");
            assertThat(reasons.get(SHALLOW + "/5")).contains("format is \"onnx-model/1\"");

            assertThat(engine.router().ready()).isTrue();
            InferenceResponse response =
                    Requests.infer(engine.router(), Requests.images(SHALLOW, FashionMnist.testImages(1), 0, 1));
            assertThat(response.version()).isEqualTo("1");
            assertThat(engine.router().metadata(SHALLOW, "").versions()).containsExactly("1");
            assertThat(engine.router().modelReady(SHALLOW, "2")).isFalse();
            InferenceRequest toBroken = new InferenceRequest(SHALLOW, "2", "",
                    List.of(Requests.pixels(new float[784], 1)), List.of(), Long.MAX_VALUE);
            assertThatThrownBy(() -> Requests.infer(engine.router(), toBroken))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(InferenceException.Status.UNAVAILABLE))
                    .hasMessageStartingWith("model fashion-shallow version 2 is unavailable: ")
                    .hasMessageContaining("sha256");
        }
    }

    @Test
    void start_folderNameNoModelName_unavailableWithTheRuleAndRefusedOnLoad() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        TestRepository.copyAs(DEEP, "my model", repository, 1);

        try (InferenceEngine engine = start(repository, PlanChoice.SINGLE)) {
            assertThat(engine.loader().index()).extracting(ModelState::name, ModelState::version, ModelState::state)
                    .containsExactly(
                            tuple(DEEP, "1", ModelState.State.READY),
                            tuple("my model", "", ModelState.State.UNAVAILABLE));
            assertThat(engine.loader().index().get(1).reason()).startsWith("\"my model\" is not a model name");
            assertThatThrownBy(() -> engine.loader().load("my model"))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(InferenceException.Status.FAILED_PRECONDITION))
                    .hasMessageContaining("is not a model name").hasMessageContaining("rename the folder");
            assertThatThrownBy(() -> engine.loader().load("../" + DEEP))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(InferenceException.Status.NOT_FOUND));
            assertThat(engine.router().ready()).isTrue();
        }
    }

    @Test
    void start_noReadyVersion_isNotReadyAndSaysWhy() throws Exception {
        Path broken = TestRepository.copy(DEEP, repository, 1);
        Files.delete(broken.resolve("model.onnx"));

        try (InferenceEngine engine = start(repository, PlanChoice.SINGLE)) {
            assertThat(engine.router().live()).isTrue();
            assertThat(engine.router().ready()).isFalse();
            assertThatThrownBy(() -> engine.router().metadata(DEEP, ""))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(InferenceException.Status.UNAVAILABLE))
                    .hasMessageStartingWith("model fashion-deep has no READY version: version 1: ")
                    .hasMessageContaining("model.onnx is missing");
        }
    }

    @Test
    void start_autoPlan_recordsTheMeasurements() throws Exception {
        try (InferenceEngine engine = start(TestRepository.COMMITTED, PlanChoice.AUTO)) {
            ModelMetadata shallow = engine.router().metadata(SHALLOW, "");

            assertThat(shallow.planMicros()).containsOnlyKeys(PlanCandidates.all(
                    PlanCandidates.atEveryThreadCount("single"), PlanCandidates.atEveryThreadCount("wide"),
                    List.of("branches", "grouped")));
            // The candidate served is the one AutoChoice chose from these medians.
            double served = shallow.planMicros().get(shallow.planCandidate());
            assertThat(Collections.min(shallow.planMicros().values()))
                    .isGreaterThanOrEqualTo((1 - AutoChoice.MARGIN) * served);
            assertThat(engine.router().metadata(DEEP, "").plan()).isEqualTo("single");
        }
    }

    @Test
    void start_latestPolicy_servesTheNewestVersionsThatLoad() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        Path broken = TestRepository.copy(DEEP, repository, 2);
        Files.write(broken.resolve("model.onnx"), new byte[] {1}, StandardOpenOption.APPEND);
        TestRepository.copy(DEEP, repository, 3);
        TestRepository.copy(DEEP, repository, 4);
        Files.writeString(repository.resolve(DEEP).resolve("serving.yaml"), "version-policy: latest:2\n");

        try (InferenceEngine engine = start(repository, PlanChoice.SINGLE)) {
            assertThat(engine.loader().index()).extracting(ModelState::version, ModelState::state).containsExactly(
                    tuple("1", ModelState.State.UNAVAILABLE),
                    tuple("2", ModelState.State.UNAVAILABLE),
                    tuple("3", ModelState.State.READY),
                    tuple("4", ModelState.State.READY));

            Files.writeString(repository.resolve(DEEP).resolve("4").resolve("model.json"), "{");
            assertThatThrownBy(() -> engine.loader().load(DEEP))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(InferenceException.Status.FAILED_PRECONDITION))
                    .hasMessageContaining("version 4 failed to load")
                    .hasMessageContaining("is not a valid model.json")
                    .hasMessageContaining("serving version 3, 4 as before");
            assertThat(engine.router().metadata(DEEP, "").versions()).containsExactly("4", "3");
        }
    }

    @Test
    void pollRepository_loadsWhatChangedAndUnloadsRemovedModels() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        try (InferenceEngine engine = start(repository, PlanChoice.SINGLE)) {
            TestRepository.copy(DEEP, repository, 2);
            TestRepository.copy(SHALLOW, repository, 1);

            engine.loader().pollRepository();

            assertThat(engine.router().modelReady(DEEP, "2")).isTrue();
            assertThat(engine.router().modelReady(SHALLOW, "1")).isTrue();

            ModelRepository.delete(repository.resolve(SHALLOW));
            engine.loader().pollRepository();

            assertThat(engine.router().modelReady(SHALLOW, "")).isFalse();
            assertThat(engine.router().modelReady(DEEP, "2")).isTrue();
            assertThat(engine.loader().index()).extracting(ModelState::name, ModelState::state)
                    .contains(tuple(SHALLOW, ModelState.State.UNAVAILABLE));
        }
    }

    @Test
    void start_withPollInterval_loadsANewVersionByItself() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        EngineConfig defaults = EngineConfig.defaults(repository).withPlan(PlanChoice.SINGLE);
        // Polling only: clients may not load or unload.
        EngineConfig polling = new EngineConfig(repository, defaults.plan(), defaults.device(),
                defaults.maxBatchSize(), defaults.maxQueued(), defaults.branchThreads(), defaults.intraOpThreads(),
                defaults.closeTimeout(), defaults.serving(), Duration.ofMillis(50), false, defaults.readiness());
        try (InferenceEngine engine = InferenceEngine.start(polling, new SimpleMeterRegistry())) {
            TestRepository.copy(DEEP, repository, 2);

            // Bounded by the test's own timeout.
            while (!engine.router().modelReady(DEEP, "2")) {
                Thread.sleep(10);
            }
            assertThat(Requests.infer(engine.router(), Requests.images(DEEP, FashionMnist.testImages(1), 0, 1)).version())
                    .isEqualTo("2");
            List<EngineCall<Void>> calls = List.of(() -> {
                engine.loader().load(DEEP);
                return null;
            }, () -> {
                engine.loader().unload(DEEP);
                return null;
            });
            for (EngineCall<Void> call : calls) {
                assertThatThrownBy(call::run)
                        .isInstanceOfSatisfying(InferenceException.class,
                                e -> assertThat(e.status()).isEqualTo(InferenceException.Status.FAILED_PRECONDITION))
                        .hasMessageContaining("shallowserve.repository.load-api is false");
            }
            assertThat(engine.router().modelReady(DEEP, "2")).isTrue();
        }
    }

    /** config.pbtxt's default_queue_policy max_queue_size bounds the version's queue instead of the server's. */
    @Test
    void start_queuePolicyMaxQueueSize_refusesTheRequestBeyondIt() throws Exception {
        TestRepository.copy(DEEP, repository, 1);
        Files.writeString(repository.resolve(DEEP).resolve("config.pbtxt"), """
                max_batch_size: 8
                dynamic_batching { default_queue_policy { max_queue_size: 1 } }
                instance_group [ { count: 1 } ]
                """);
        CountDownLatch decoding = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        RequestRouter.RequestDecoder held = () -> {
            decoding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw InferenceException.invalid("released");
        };

        try (InferenceEngine engine = start(repository, PlanChoice.SINGLE)) {
            // Admitted requests decode on their caller's thread: one for the instance, one for the queue of 1.
            List<Thread> callers = List.of(Thread.ofVirtual().start(() -> engine.router().submit(DEEP, "", held)),
                    Thread.ofVirtual().start(() -> engine.router().submit(DEEP, "", held)));
            decoding.await();

            assertThatThrownBy(() -> RequestRouter.await(engine.router().submit(DEEP, "", held)))
                    .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.status())
                            .isEqualTo(InferenceException.Status.RESOURCE_EXHAUSTED))
                    .hasMessageContaining("has 1 requests waiting, its limit");
            release.countDown();
            for (Thread caller : callers) {
                caller.join();
            }
        }
    }

    private static InferenceEngine start(Path repository, PlanChoice plan) {
        return InferenceEngine.start(EngineConfig.defaults(repository).withPlan(plan), new SimpleMeterRegistry());
    }
}
