package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.shallowserve.runtime.data.FashionMnist;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client conformance script of src/test/python run by Debian's {@code /usr/bin/python3} against a running server,
 * and the reference logits it compares the server's with. Debian's interpreter because Debian's packages (such as
 * python3-grpcio) install into its dist-packages, which another python3 does not see.
 */
final class PythonScript {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPTS = Path.of("src/test/python");

    private PythonScript() {
    }

    /** What a script printed, stdout and stderr together, and its exit status. */
    record Run(String printed, int exitValue) {
    }

    /** Fails the test, naming the Debian packages that {@code packages} lists, where the interpreter is missing. */
    static void requirePython(String packages) {
        if (!Files.isExecutable(PYTHON)) {
            fail(PYTHON + " is missing: the client conformance tests need Debian's Python (apt-get install "
                    + packages + ")");
        }
    }

    /**
     * Writes the logits of model.onnx in {@code version} for the first {@code images} Fashion-MNIST test images, run
     * by ONNX Runtime in-process, as the scripts' {@code --expected} file: little-endian float32, image after image.
     */
    static void writeReferenceLogits(Path version, int images, Path file) throws IOException {
        float[] logits = OnnxReference.logits(version, FashionMnist.testImages(images), images);
        ByteBuffer bytes = ByteBuffer.allocate(logits.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(logits);
        Files.write(file, bytes.array());
    }

    /**
     * Runs {@code script} with {@code arguments}, its output written to {@code output} and echoed to the test log;
     * fails the test when it does not end within {@code timeoutSeconds}.
     */
    static Run run(String script, List<String> arguments, Path output, long timeoutSeconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), SCRIPTS.resolve(script).toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // Debian's interpreter with its own packages, whatever Python environment the build runs in; nothing written
        // into src/test/python.
        builder.environment().keySet().removeAll(List.of("PYTHONPATH", "PYTHONHOME"));
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process process = builder.start();
        boolean exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        String printed = Files.readString(output);
        System.out.println(printed);
        assertThat(exited).as("%s ended within %d s; it printed:%n%s", script, timeoutSeconds, printed).isTrue();
        return new Run(printed, process.exitValue());
    }
}
