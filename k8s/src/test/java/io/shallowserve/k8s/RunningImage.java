package io.shallowserve.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A server image started the way a pod runs it, for the integration tests: the image assembled from its Dockerfile
 * ({@link ContainerImage}), the models image's repository mounted where the image's SHALLOWSERVE_MODELS points (as
 * the Deployment mounts the volume its init container filled), and the ENTRYPOINT run in a {@link Sandbox}.
 *
 * @param image    the server image
 * @param sandbox  where its ENTRYPOINT runs
 * @param model    the first model of the models image, by name
 * @param httpPort the port the server's start-up line names for HTTP
 * @param grpcPort the port it names for gRPC
 */
record RunningImage(ContainerImage image, Sandbox sandbox, String model, int httpPort, int grpcPort)
        implements AutoCloseable {

    /** The repository root: the build context of `docker build .`. */
    static final Path CONTEXT = Manifests.K8S.getParent();
    /** The Dockerfile and stage of the models image, which both server images are deployed with (k8s/base). */
    private static final String MODELS_DOCKERFILE = "Dockerfile";
    private static final String MODELS_STAGE = "models";
    /** Where the models image holds the repository: the init container copies it from here (k8s/base). */
    private static final String MODELS_IMAGE_REPOSITORY = "/models";
    private static final Pattern SERVING = Pattern.compile("HTTP on port (\\d+), gRPC on port (\\d+)");
    /** Loading and measuring the default models takes seconds; the first JIT and ONNX Runtime's unpacking more. */
    private static final Duration START = Duration.ofMinutes(2);

    /** Assembles {@code stage} of {@code dockerfile} (null: its last) into {@code into}. */
    static ContainerImage assemble(String dockerfile, String stage, Path into) {
        return ContainerImage.assemble(Dockerfile.read(CONTEXT.resolve(dockerfile)), stage, CONTEXT, into);
    }

    /**
     * Assembles the server image of {@code dockerfile} and the models image under {@code directory} and starts the
     * server, on loopback with ports the system picks (set through the environment, as `docker run -e` would: the
     * sandbox shares this machine's network); returns once it says it serves.
     *
     * @throws AssertionError with the server's output if it exits first or does not start in time
     */
    static RunningImage start(String dockerfile, Path directory) throws IOException, InterruptedException {
        ContainerImage image = assemble(dockerfile, null, directory.resolve("image"));
        ContainerImage models = assemble(MODELS_DOCKERFILE, MODELS_STAGE, directory.resolve("models"));
        Path repository = models.file(MODELS_IMAGE_REPOSITORY);
        String model;
        try (Stream<Path> folders = Files.list(repository)) {
            model = folders.filter(Files::isDirectory).map(folder -> folder.getFileName().toString()).sorted()
                    .findFirst().orElseThrow(() -> new AssertionError("the models image holds no model"));
        }
        String modelsPath = image.env().get("SHALLOWSERVE_MODELS");
        if (modelsPath == null) {
            throw new AssertionError(dockerfile + " sets no ENV SHALLOWSERVE_MODELS, where a pod mounts the model"
                    + " repository");
        }
        Map<String, String> env = Map.of("SERVER_HOST", "127.0.0.1", "SERVER_PORT", "0", "SHALLOWSERVE_GRPC_PORT", "0");
        Sandbox sandbox = Sandbox.start(image, Map.of(modelsPath, repository), env, directory.resolve("out.log"));
        try {
            Matcher serving = sandbox.awaitLine(SERVING, START);
            return new RunningImage(image, sandbox, model, Integer.parseInt(serving.group(1)),
                    Integer.parseInt(serving.group(2)));
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            sandbox.close();
            throw e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        sandbox.close();
    }
}
