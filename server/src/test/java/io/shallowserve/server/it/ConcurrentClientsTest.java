package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many clients at once, each checking every answer against the in-process reference. */
class ConcurrentClientsTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer();

    private static final Map<String, Path> MODELS = OnnxReference.newestVersions(RunningServer.MODELS);
    private static final int CLIENTS = 32;
    private static final int REQUESTS_PER_CLIENT = 200;
    /** Distinct single images the clients cycle through. */
    private static final int IMAGES = 64;

    @Test
    void modelInfer_32ConcurrentClientsOverBothProtocols_answerEveryRequestCorrectly() throws Exception {
        float[] images = FashionMnist.testImages(IMAGES);
        List<String> models = List.copyOf(MODELS.keySet());
        Map<String, float[]> expected = new HashMap<>();
        for (String model : models) {
            expected.put(model, OnnxReference.logits(MODELS.get(model), images, IMAGES));
        }

        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(CLIENTS)) {
            for (int client = 0; client < CLIENTS; client++) {
                int id = client;
                clients.add(executor.submit(() -> {
                    for (int request = 0; request < REQUESTS_PER_CLIENT; request++) {
                        int image = (id * REQUESTS_PER_CLIENT + request) % IMAGES;
                        String model = models.get((id + request) % models.size());
                        float[] pixels = Arrays.copyOfRange(images, image * FashionMnist.PIXELS,
                                (image + 1) * FashionMnist.PIXELS);
                        // Half of the clients speak gRPC, the other half HTTP.
                        float[] logits = id % 2 == 0
                                ? Requests.logits(SERVER.grpc().modelInfer(Requests.raw(model, pixels)))
                                : Requests.logits(SERVER.post("/v2/models/" + model + "/infer",
                                        Requests.json(pixels)).body());
                        float[] want = Arrays.copyOfRange(expected.get(model), image * 10, image * 10 + 10);
                        assertThat(Logits.maxDifference(want, logits))
                                .as("client %d request %d (%s, image %d)", id, request, model, image)
                                .isLessThanOrEqualTo(1e-5f);
                    }
                    return REQUESTS_PER_CLIENT;
                }));
            }
        }
        int answered = 0;
        for (Future<Integer> client : clients) {
            answered += client.get();
        }
        assertThat(answered).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
    }
}
