package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.repository.ServedTensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests routed to the committed models of one engine, the shallow one on the branches plan and the deep one on
 * single.
 */
class RequestRouterTest {

    private static final int MAX_BATCH = 16;
    private static final int IMAGES = 64;
    private static final String DEEP = TestRepository.DEEP;
    private static final String SHALLOW = TestRepository.SHALLOW;

    private static PrometheusMeterRegistry registry;
    private static InferenceEngine engine;
    private static RequestRouter router;
    private static float[] images;

    @BeforeAll
    static void start() throws Exception {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EngineConfig defaults = EngineConfig.defaults(TestRepository.COMMITTED);
        engine = InferenceEngine.start(new EngineConfig(defaults.repository(), PlanChoice.BRANCHES, "cpu", MAX_BATCH,
                64, 2, 1, defaults.closeTimeout(), defaults.serving(), Duration.ZERO, true, defaults.readiness()),
                registry);
        router = engine.router();
        images = FashionMnist.testImages(IMAGES);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void start_loadsBothModelsWithTheirPlans() throws Exception {
        assertThat(router.live()).isTrue();
        assertThat(router.ready()).isTrue();
        assertThat(engine.loader().index()).extracting(ModelState::name, ModelState::state)
                .contains(tuple(DEEP, ModelState.State.READY),
                        tuple(SHALLOW, ModelState.State.READY));
        assertThat(router.modelReady(SHALLOW, "")).isTrue();
        assertThat(router.modelReady(SHALLOW, "1")).isTrue();
        assertThat(router.modelReady(SHALLOW, "2")).isFalse();
        assertThat(router.metadata(DEEP, "").plan()).isEqualTo("single");
        assertThat(router.metadata(SHALLOW, "1").plan()).isEqualTo("branches");
    }

    @Test
    void metadata_describesTheModel() throws Exception {
        ModelMetadata metadata = router.metadata(SHALLOW, "");

        assertThat(metadata.name()).isEqualTo(SHALLOW);
        assertThat(metadata.versions()).containsExactly("1");
        assertThat(metadata.platform()).isEqualTo("onnxruntime_onnx");
        assertThat(metadata.inputs()).containsExactly(ServedTensor.unchanged(
                new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 28L, 28L))));
        assertThat(metadata.outputs()).containsExactly(ServedTensor.unchanged(
                new TensorSpec("logits", Datatype.FP32, List.of(-1L, 10L))));
        assertThat(metadata.shape()).contains("shallow");
        assertThat(metadata.planMicros()).isEmpty();
        assertThat(metadata.labels()).hasSize(10).startsWith("T-shirt/top");
        assertThat(metadata.maxBatchSize()).isEqualTo(MAX_BATCH);
        assertThat(metadata.parameters()).isPositive();
    }

    @Test
    void infer_batchOfEight_equalsEightSingleImageRuns() throws Exception {
        for (String model : List.of(DEEP, SHALLOW)) {
            InferenceResponse batch = Requests.infer(router, Requests.images(model, images, 0, 8));

            assertThat(batch.model()).isEqualTo(model);
            assertThat(batch.version()).isEqualTo("1");
            assertThat(batch.id()).isEqualTo("id-1");
            Tensor logits = batch.outputs().getFirst();
            assertThat(logits.name()).isEqualTo("logits");
            assertThat(logits.datatype()).isEqualTo(Datatype.FP32);
            assertThat(logits.shape()).containsExactly(8, 10);
            for (int image = 0; image < 8; image++) {
                float[] one = Requests.logits(Requests.infer(router, Requests.images(model, images, image, 1)));
                float[] row = Arrays.copyOfRange(logits.floats(), image * 10, image * 10 + 10);
                assertThat(row).containsExactly(one, within(1e-4f * Logits.maxAbs(one)));
            }
        }
    }

    @Test
    void infer_classification_returnsTopKAsScoreIndexLabel() throws Exception {
        Tensor pixels = Requests.pixels(FashionMnist.image(images, 0), 1);
        // Two requests: one may name an output once only, as in Triton.
        Tensor classes = Requests.infer(router, Requests.request(DEEP, pixels, new RequestedOutput("logits", 3)))
                .outputs().getFirst();
        float[] logits = Requests.infer(router, Requests.request(DEEP, pixels, new RequestedOutput("logits", 0)))
                .outputs().getFirst().floats();
        assertThat(classes.datatype()).isEqualTo(Datatype.BYTES);
        assertThat(classes.shape()).containsExactly(1, 3);
        List<String> labels = router.metadata(DEEP, "").labels();
        int previous = -1;
        for (String entry : classes.strings()) {
            String[] parts = entry.split(":", 3);
            int index = Integer.parseInt(parts[1]);
            assertThat(parts[0]).isEqualTo(String.format(Locale.ROOT, "%f", logits[index]));
            assertThat(parts[2]).isEqualTo(labels.get(index));
            if (previous >= 0) {
                assertThat(logits[index]).isLessThanOrEqualTo(logits[previous]);
            }
            previous = index;
        }
        int top = Integer.parseInt(classes.strings().getFirst().split(":")[1]);
        for (float logit : logits) {
            assertThat(logit).isLessThanOrEqualTo(logits[top]);
        }
    }

    @Test
    void infer_noRequestedOutputs_returnsLogits() throws Exception {
        InferenceResponse response = Requests.infer(router, new InferenceRequest(DEEP, "1", "", List.of(
                Requests.pixels(FashionMnist.image(images, 0), 1)), List.of(), Long.MAX_VALUE));

        assertThat(response.outputs()).singleElement().satisfies(output -> {
            assertThat(output.name()).isEqualTo("logits");
            assertThat(output.floats()).hasSize(10);
            assertThat(output.datatype()).isEqualTo(Datatype.FP32);
        });
    }

    @Test
    void infer_unknownModel_pointsToTheRepositoryIndexWithoutListingModels() {
        assertThatThrownBy(() -> Requests.infer(router, Requests.images("fashion-wide", images, 0, 1)))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.NOT_FOUND))
                .hasMessage("unknown model 'fashion-wide'; the repository index (POST /v2/repository/index, gRPC"
                        + " RepositoryIndex) lists the models this server has");
    }

    @Test
    void infer_unknownVersion_namesTheVersionsThereAre() {
        InferenceRequest request = new InferenceRequest(DEEP, "7", "", List.of(Requests.pixels(new float[784], 1)),
                List.of(), Long.MAX_VALUE);
        assertThatThrownBy(() -> Requests.infer(router, request))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.NOT_FOUND))
                .hasMessage("model fashion-deep has no version '7'; it has 1 (READY)");
    }

    @Test
    void infer_concurrentCallers_getTheirOwnResults() throws Exception {
        float[][] expected = new float[IMAGES][];
        for (int image = 0; image < IMAGES; image++) {
            expected[image] = Requests.logits(Requests.infer(router, Requests.images(SHALLOW, images, image, 1)));
        }
        int threads = 16;
        int requestsPerThread = 50;
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int caller = t;
                results.add(callers.submit(() -> {
                    int checked = 0;
                    for (int r = 0; r < requestsPerThread; r++) {
                        int image = (caller * requestsPerThread + r) % IMAGES;
                        String model = r % 5 == 0 ? DEEP : SHALLOW;
                        float[] logits = Requests.logits(Requests.infer(router, Requests.images(model, images, image, 1)));
                        if (model.equals(SHALLOW)) {
                            assertThat(logits).containsExactly(expected[image],
                                    within(1e-4f * Logits.maxAbs(expected[image])));
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            int checked = 0;
            for (Future<Integer> result : results) {
                checked += result.get();
            }
            assertThat(checked).isEqualTo(threads * requestsPerThread * 4 / 5);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void submit_fullQueue_isRefusedBeforeItsTensorsAreDecoded() throws Exception {
        // Every place of the deep model's queue (instances + the 64 that may wait) is taken by a request still
        // being decoded, which holds its place until it is queued or abandoned.
        int places = router.metadata(DEEP, "").serving().instances() + 64;
        CountDownLatch decoding = new CountDownLatch(places);
        CountDownLatch release = new CountDownLatch(1);
        InferenceRequest request = Requests.images(DEEP, images, 0, 1);
        List<Future<InferenceResponse>> held = new ArrayList<>();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < places; i++) {
                held.add(callers.submit(() -> RequestRouter.await(router.submit(DEEP, "", () -> {
                    decoding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return request;
                }))));
            }
            decoding.await();
            AtomicBoolean decoded = new AtomicBoolean();

            CompletableFuture<InferenceResponse> refused = router.submit(DEEP, "", () -> {
                decoded.set(true);
                return request;
            });

            assertThatThrownBy(() -> RequestRouter.await(refused))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(InferenceException.Status.RESOURCE_EXHAUSTED));
            assertThat(decoded).isFalse();
            release.countDown();
            for (Future<InferenceResponse> answer : held) {
                assertThat(Requests.logits(answer.get())).hasSize(10);
            }
        } finally {
            release.countDown();
            callers.shutdownNow();
        }
    }

    @Test
    void statistics_countsAddUp() throws Exception {
        ModelStatistics before = router.statistics(DEEP, "1").getFirst();

        Requests.infer(router, Requests.images(DEEP, images, 0, 1));
        Requests.infer(router, Requests.images(DEEP, images, 0, 5));
        assertThatThrownBy(() -> Requests.infer(router, Requests.request(DEEP, Requests.pixels(new float[1], 1))))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.INVALID_ARGUMENT));
        InferenceRequest late = new InferenceRequest(DEEP, "1", "late", Requests.images(DEEP, images, 0, 1).inputs(),
                List.of(), System.nanoTime() - 1);
        assertThatThrownBy(() -> Requests.infer(router, late)).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.status()).isEqualTo(InferenceException.Status.DEADLINE_EXCEEDED));

        ModelStatistics after = router.statistics(DEEP, "1").getFirst();
        assertThat(after.name()).isEqualTo(DEEP);
        assertThat(after.version()).isEqualTo("1");
        assertThat(after.success().count() - before.success().count()).isEqualTo(2);
        // The request past its deadline is a failure; the one that does not fit the model is not, as in Triton.
        assertThat(after.fail().count() - before.fail().count()).isEqualTo(1);
        assertThat(failures(after, InferenceException.Status.INVALID_ARGUMENT)
                - failures(before, InferenceException.Status.INVALID_ARGUMENT)).isEqualTo(1);
        assertThat(after.executionCount() - before.executionCount()).isEqualTo(2);
        assertThat(after.inferenceCount() - before.inferenceCount()).isEqualTo(6);
        assertThat(after.queue().count() - before.queue().count()).isEqualTo(2);
        assertThat(after.computeInfer().count() - before.computeInfer().count()).isEqualTo(2);
        assertThat(after.computeInfer().nanos()).isGreaterThan(before.computeInfer().nanos());
        assertThat(after.lastInferenceMillis()).isPositive();
        assertThat(executions(after, 5) - executions(before, 5)).isEqualTo(1);
        assertThat(after.batches()).extracting(ModelStatistics.Batch::batchSize).isSorted().contains(1, 5);
        assertThat(router.statistics("", "")).extracting(ModelStatistics::name).contains(DEEP, SHALLOW);
        assertThat(router.statistics(SHALLOW, "")).extracting(ModelStatistics::name).containsOnly(SHALLOW);
    }

    @Test
    void metrics_areExportedWithSubMillisecondBuckets() throws Exception {
        Requests.infer(router, Requests.images(SHALLOW, images, 0, 2));

        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("shallowserve_requests_total{model=\"fashion-shallow\",outcome=\"success\",plan=\"branches\","
                        + "version=\"1\"}")
                .contains("shallowserve_compute_seconds_bucket{model=\"fashion-shallow\",plan=\"branches\","
                        + "version=\"1\",le=\"5.0E-5\"}")
                .contains("shallowserve_queue_seconds_bucket")
                .contains("shallowserve_branch_compute_seconds_count{branch=\"0\",model=\"fashion-shallow\"")
                .contains("shallowserve_batch_size_bucket")
                .contains("shallowserve_batch_requests_bucket")
                .contains("shallowserve_inflight_requests{model=\"fashion-shallow\"");
    }

    /** Executions of {@code batchSize} images in {@code statistics}. */
    private static long failures(ModelStatistics statistics, InferenceException.Status status) {
        return statistics.failures().get(status);
    }

    private static long executions(ModelStatistics statistics, int batchSize) {
        return statistics.batches().stream().filter(batch -> batch.batchSize() == batchSize)
                .mapToLong(batch -> batch.computeInfer().count()).sum();
    }
}
