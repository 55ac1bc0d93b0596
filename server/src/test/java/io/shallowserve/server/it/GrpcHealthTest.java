package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * grpc.health.v1 follows readiness as it changes while the server runs: strict readiness, a model whose only
 * version is broken at start, then repaired and loaded.
 */
@Timeout(60)
class GrpcHealthTest {

    private static final String MODEL = "late";
    private static final Path REPOSITORY = repositoryWithABrokenModel();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single",
            "--set", "shallowserve.readiness.models=all");

    @Test
    void check_modelLoadedAfterStart_turnsServingAsHttpReadinessDoes() throws Exception {
        assertThat(health()).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(SERVER.get("/v2/health/ready").statusCode()).isEqualTo(503);

        ModelRepository.delete(REPOSITORY.resolve(MODEL).resolve("1"));
        TestRepository.copyAs(TestRepository.DEEP, MODEL, REPOSITORY, 1);
        assertThat(SERVER.post("/v2/repository/models/" + MODEL + "/load", "").statusCode()).isEqualTo(200);

        assertThat(SERVER.get("/v2/health/ready").statusCode()).isEqualTo(200);
        // The health service reads readiness again every second: wait for it, bounded by the test's timeout.
        while (health() != ServingStatus.SERVING) {
            Thread.sleep(50);
        }
    }

    private static ServingStatus health() {
        return HealthGrpc.newBlockingStub(SERVER.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    private static Path repositoryWithABrokenModel() {
        try {
            Path root = TestRepository.emptyFolder(GrpcHealthTest.class.getSimpleName());
            Path version = TestRepository.copyAs(TestRepository.DEEP, MODEL, root, 1);
            Files.write(version.resolve("model.onnx"), new byte[] {1}, StandardOpenOption.APPEND);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
