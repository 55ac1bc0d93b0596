package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An HTTP/1.1 client and JSON parser this project did not write, Python's http.client and json (Debian's python3, its
 * standard library alone), against the real server: src/test/python/http_client_conformance.py reads health, server
 * and model metadata and the model configuration, infers in plain JSON, in tritonclient.http's binary tensor data
 * and in gzip and deflate both ways, replays KServe's Python SDK (InferenceRESTClient, protocol v2) from its source,
 * compares the logits with ONNX Runtime run here on the same Fashion-MNIST test images, sends {@link MixedGraph} NaN
 * and infinities as json.dumps writes them, and gets the errors a client sees, all on one keep-alive connection.
 */
@Timeout(240)
class PythonHttpClientConformanceTest {

    private static final String MODEL = TestRepository.DEEP;
    private static final String MIXED_MODEL = "mixed";
    private static final Path REPOSITORY = repository();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single");

    private static final String SCRIPT = "http_client_conformance.py";
    /** The largest batch the script sends. */
    private static final int IMAGES = 32;
    private static final long SCRIPT_TIMEOUT_SECONDS = 180;

    /**
     * Every check of the script, in its order: a check the script skips, or one it adds without this list knowing,
     * fails the test.
     */
    private static final List<String> CHECKS = List.of(
            "GET /v2/health/live",
            "GET /v2/health/ready",
            "GET /v2",
            "GET /v2/models/" + MODEL,
            "GET /v2/models/" + MODEL + "/ready",
            "GET /v2/models/" + MODEL + "/config",
            "POST /v2/models/" + MODEL + "/infer JSON, batch 1",
            "POST /v2/models/" + MODEL + "/infer JSON, batch 16",
            "POST /v2/models/" + MODEL + "/infer as tritonclient.http sends it, batch 1",
            "POST /v2/models/" + MODEL + "/infer as tritonclient.http sends it, batch 32",
            "POST /v2/models/" + MODEL + "/infer as tritonclient.http sends it, gzip both ways, batch 8",
            "POST /v2/models/" + MODEL + "/infer as tritonclient.http sends it, deflate both ways, batch 8",
            "KServe InferenceRESTClient health",
            "KServe InferenceRESTClient infer, numpy data",
            "KServe InferenceRESTClient infer, set_data_from_numpy, binary logits",
            "KServe InferenceRESTClient error",
            "POST /v2/models/" + MIXED_MODEL + "/infer JSON NaN and infinities, JSON outputs",
            "POST /v2/models/" + MIXED_MODEL + "/infer JSON NaN and infinities, binary outputs",
            "unknown model",
            "malformed JSON");

    @Test
    void pythonHttpClient_everyCheck_answersAsTritonWithTheReferenceLogits() throws Exception {
        PythonScript.requirePython("python3");
        Path work = TestRepository.emptyFolder(getClass().getSimpleName() + "-client");
        Path expected = work.resolve("expected-logits.f32");
        PythonScript.writeReferenceLogits(REPOSITORY.resolve(MODEL).resolve("1"), IMAGES, expected);

        PythonScript.Run script = PythonScript.run(SCRIPT, List.of(
                "--server", "127.0.0.1:" + SERVER.server().port(),
                "--repository", REPOSITORY.toString(),
                "--model", MODEL,
                "--mixed-model", MIXED_MODEL,
                "--data", FashionMnist.directory().toString(),
                "--expected", expected.toString(),
                "--images", Integer.toString(IMAGES)), work.resolve("output.txt"), SCRIPT_TIMEOUT_SECONDS);

        assertThat(script.exitValue()).as("the script's exit status; it printed:%n%s", script.printed()).isZero();
        assertThat(passedChecks(script.printed())).as("the checks the script passed; it printed:%n%s",
                script.printed()).containsExactlyElementsOf(CHECKS);
    }

    /** The checks named by the script's "ok: CHECK: what held" lines, in order. */
    private static List<String> passedChecks(String printed) {
        return printed.lines().filter(line -> line.startsWith("ok: "))
                .map(line -> line.substring("ok: ".length(), line.indexOf(": ", "ok: ".length())))
                .toList();
    }

    /** Version 1 of the committed deep model, and the mixed graph. */
    private static Path repository() {
        try {
            Path root = TestRepository.emptyFolder(PythonHttpClientConformanceTest.class.getSimpleName());
            TestRepository.copy(MODEL, root, 1);
            MixedGraph.write(root, MIXED_MODEL);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
