package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.proto.inference.ModelStatisticsRequest;
import io.shallowserve.proto.inference.ModelStatisticsResponse;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.repository.TestRepository;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dynamic batching end to end: one server with batching on (one instance per version, so that concurrent requests
 * queue and merge), one with it off. The deep model serves on the single plan and the shallow one on the branches
 * plan, so both plans batch. Every answer of the batching server must be bit-identical to the same request answered
 * alone by the other server.
 */
@Timeout(120)
class DynamicBatchingTest {

    @RegisterExtension
    static final RunningServer BATCHING = new RunningServer("--plan", "branches",
            "--set", "shallowserve.serving.instances=1",
            "--set", "shallowserve.serving.batching.enabled=true",
            "--set", "shallowserve.serving.batching.max-queue-delay-micros=2000");

    @RegisterExtension
    static final RunningServer UNBATCHED = new RunningServer("--plan", "branches",
            "--set", "shallowserve.serving.instances=1");

    private static final List<String> MODELS = List.of(TestRepository.DEEP, TestRepository.SHALLOW);
    private static final int CLIENTS = 16;
    private static final int REQUESTS_PER_CLIENT = 40;
    private static final int IMAGES = 64;

    @Test
    void modelInfer_concurrentClients_eachGetsExactlyItsOwnRowsAsAnUnbatchedRunWould() throws Exception {
        float[] images = FashionMnist.testImages(IMAGES);
        List<Call> calls = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            for (int request = 0; request < REQUESTS_PER_CLIENT; request++) {
                int index = client * REQUESTS_PER_CLIENT + request;
                // Requests of 1 to 3 images, so that batches hold requests of different sizes.
                int batch = 1 + index % 3;
                int first = index % (IMAGES - batch);
                calls.add(new Call(client, MODELS.get(index % 2),
                        Arrays.copyOfRange(images, first * FashionMnist.PIXELS, (first + batch) * FashionMnist.PIXELS),
                        client % 2 == 0));
            }
        }
        List<float[]> expected = new ArrayList<>();
        for (Call call : calls) {
            expected.add(call.send(UNBATCHED));
        }
        long executionsBefore = executions(BATCHING);
        long imagesBefore = images(BATCHING);

        List<Future<?>> clients = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(CLIENTS)) {
            for (int client = 0; client < CLIENTS; client++) {
                int id = client;
                clients.add(executor.submit(() -> {
                    for (int i = id * REQUESTS_PER_CLIENT; i < (id + 1) * REQUESTS_PER_CLIENT; i++) {
                        assertThat(calls.get(i).send(BATCHING)).as("call %d", i).containsExactly(expected.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get();
            }
        }

        long executions = executions(BATCHING) - executionsBefore;
        long batchedImages = images(BATCHING) - imagesBefore;
        assertThat(batchedImages).isEqualTo(calls.stream().mapToLong(call -> call.images.length).sum()
                / FashionMnist.PIXELS);
        assertThat(executions).as("executions for %d requests", calls.size()).isLessThan(calls.size());
    }

    /** One request, over gRPC (raw contents) or HTTP (JSON). */
    private record Call(int client, String model, float[] images, boolean grpc) {
        float[] send(RunningServer server) {
            return grpc ? Requests.logits(server.grpc().modelInfer(Requests.raw(model, images)))
                    : Requests.logits(server.post("/v2/models/" + model + "/infer", Requests.json(images)).body());
        }
    }

    private static long executions(RunningServer server) {
        return statistics(server).getModelStatsList().stream().mapToLong(s -> s.getExecutionCount()).sum();
    }

    private static long images(RunningServer server) {
        return statistics(server).getModelStatsList().stream().mapToLong(s -> s.getInferenceCount()).sum();
    }

    private static ModelStatisticsResponse statistics(RunningServer server) {
        return server.grpc().modelStatistics(ModelStatisticsRequest.getDefaultInstance());
    }
}
