package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.grpc.health.v1.HealthGrpc;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A grpc C-core client (Debian's python3-grpcio, the transport of tritonclient.grpc, KServe's Python SDK, Triton's
 * C++ client and perf_analyzer) against the real server: src/test/python/ccore_client_conformance.py calls every
 * RPC of the inference service and the health check, compares the logits with ONNX Runtime run here on the same
 * Fashion-MNIST test images, and replays ModelInfer as tritonclient.grpc sends it, uncompressed, in gzip and in
 * deflate; then calls {@link MixedGraph}, served from model.onnx alone, with typed contents and raw contents of INT64,
 * FP32, BYTES and BOOL, and checks its four outputs against what the script computes itself.
 */
@Timeout(300)
class CCoreClientConformanceTest {

    private static final String MODEL = TestRepository.DEEP;
    /** A copy of the model that the script unloads and loads again, so that the other checks keep their model. */
    private static final String RELOAD_MODEL = "reload-copy";
    private static final String MIXED_MODEL = "mixed";
    private static final Path REPOSITORY = repository();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single");

    private static final String SCRIPT = "ccore_client_conformance.py";
    private static final Path PROTOS = Path.of("../proto/src/main/proto");
    /** grpc-services ships the health service's .proto beside its classes. */
    private static final String HEALTH_PROTO = "grpc/health/v1/health.proto";
    private static final int IMAGES = 100;
    private static final long SCRIPT_TIMEOUT_SECONDS = 240;

    @Test
    void grpcioClient_everyRpc_answersAsTheProtocolSaysWithTheReferenceLogits() throws Exception {
        PythonScript.requirePython("python3-grpcio python3-grpc-tools");
        Path work = TestRepository.emptyFolder(getClass().getSimpleName() + "-client");
        Path healthProtos = Files.createDirectories(work.resolve("protos"));
        try (InputStream proto = HealthGrpc.class.getClassLoader().getResourceAsStream(HEALTH_PROTO)) {
            assertThat(proto).as(HEALTH_PROTO + " on the test class path (io.grpc:grpc-services)").isNotNull();
            Files.copy(proto, healthProtos.resolve("health.proto"));
        }
        Path expected = work.resolve("expected-logits.f32");
        PythonScript.writeReferenceLogits(REPOSITORY.resolve(MODEL).resolve("1"), IMAGES, expected);

        PythonScript.Run script = PythonScript.run(SCRIPT, List.of(
                "--server", "127.0.0.1:" + SERVER.server().grpcPort(),
                "--proto-dir", PROTOS.toString(),
                "--proto-dir", healthProtos.toString(),
                "--work", work.resolve("stubs").toString(),
                "--repository", REPOSITORY.toString(),
                "--model", MODEL,
                "--reload-model", RELOAD_MODEL,
                "--mixed-model", MIXED_MODEL,
                "--data", FashionMnist.directory().toString(),
                "--expected", expected.toString(),
                "--images", Integer.toString(IMAGES)), work.resolve("output.txt"), SCRIPT_TIMEOUT_SECONDS);

        // The script names a missing Debian package itself.
        assertThat(script.exitValue()).as("the script's exit status; it printed:%n%s", script.printed()).isZero();
        assertThat(exercised(script.printed())).as("the RPCs the script exercised")
                .containsExactlyInAnyOrderElementsOf(methodsToExercise());
    }

    /** Every method of the inference service, and the health check. */
    private static List<String> methodsToExercise() {
        List<String> methods = new ArrayList<>(GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(MethodDescriptor::getFullMethodName).toList());
        methods.add(HealthGrpc.getCheckMethod().getFullMethodName());
        return methods;
    }

    /** The methods named by the script's "exercised:" line. */
    private static List<String> exercised(String printed) {
        return printed.lines().filter(line -> line.startsWith("exercised: ")).findFirst()
                .map(line -> Arrays.asList(line.substring("exercised: ".length()).trim().split(" ")))
                .orElseThrow(() -> new AssertionError("the script printed no 'exercised:' line:\n" + printed));
    }

    /** Version 1 of the committed deep model, under its own name and as the copy to reload, and the mixed graph. */
    private static Path repository() {
        try {
            Path root = TestRepository.emptyFolder(CCoreClientConformanceTest.class.getSimpleName());
            TestRepository.copy(MODEL, root, 1);
            TestRepository.copyAs(MODEL, RELOAD_MODEL, root, 1);
            MixedGraph.write(root, MIXED_MODEL);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
