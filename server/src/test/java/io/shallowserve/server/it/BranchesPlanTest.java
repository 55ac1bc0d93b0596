package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --plan branches}: the parallel-shallow model runs as stem, concurrent branches and head, and answers what
 * its single graph answers.
 */
class BranchesPlanTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "branches");

    private static final int BATCH = 16;
    private static final float[] IMAGES = FashionMnist.testImages(BATCH);

    @Test
    void modelInfer_branchesPlan_answersTheLogitsOfTheSingleGraph() {
        Map<String, Path> shallowModels = shallowModels();
        assertThat(shallowModels).as("a parallel-shallow model with branches/ in " + RunningServer.MODELS)
                .isNotEmpty();
        for (Map.Entry<String, Path> model : shallowModels.entrySet()) {
            JsonObject metadata = HttpInferenceApiTest.json(SERVER.get("/v2/models/" + model.getKey()), 200);
            assertThat(metadata.getAsJsonObject("parameters").get("plan").getAsString()).isEqualTo("branches");

            float[] single = OnnxReference.logits(model.getValue(), IMAGES, BATCH);
            float[] branches = Requests.logits(SERVER.grpc().modelInfer(Requests.raw(model.getKey(), IMAGES)));

            float largest = 0;
            for (float logit : single) {
                largest = Math.max(largest, Math.abs(logit));
            }
            // The branch sum adds in another order than the single graph: equal to float tolerance.
            assertThat(Logits.maxDifference(single, branches)).as(model.getKey())
                    .isLessThanOrEqualTo(1e-5f * Math.max(1, largest));
            for (int image = 0; image < BATCH; image++) {
                assertThat(Logits.argmax(branches, image, 10))
                        .isEqualTo(Logits.argmax(single, image, 10));
            }
        }
    }

    private static Map<String, Path> shallowModels() {
        Map<String, Path> models = OnnxReference.newestVersions(RunningServer.MODELS);
        models.values().removeIf(version -> !Files.isDirectory(version.resolve("branches")));
        return models;
    }
}
