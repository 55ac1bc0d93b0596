package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ServerReadyRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server images, checked without a Docker engine: each Dockerfile's stage is assembled as its COPY lines say
 * ({@link ContainerImage}, from the server jar and libs/ this reactor packaged and the repository's models/), and its
 * ENTRYPOINT is run from there as its USER with a read-only root and an empty /tmp ({@link RunningImage}), with the
 * models image's repository mounted where the image's SHALLOWSERVE_MODELS points, as the Deployment mounts it. Then
 * readiness and one inference over each protocol.
 *
 * <p>The GPU image runs here with the CPU build standing in for the gpu profile's (its ONNX Runtime cannot be
 * downloaded here and no GPU is present): what is checked is its layout, class path, JRE, environment and
 * ENTRYPOINT; the server says it falls back to the CPU.
 *
 * <p>An integration test: it needs the server packaged, which `verify` does before this module (the k8s module
 * depends on the server). Needs Debian's bubblewrap (apt-get install bubblewrap; .ci/run installs it).
 */
class ImageLayoutIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path directory;

    @BeforeAll
    static void requireTheSandboxAndTheServerBuild() {
        assertThat(Sandbox.available()).as("%s: install Debian's bubblewrap (apt-get install bubblewrap)",
                Sandbox.BWRAP).isTrue();
        assertThat(RunningImage.CONTEXT.resolve("server/target/shallowserve-server.jar"))
                .as("the packaged server: run `./mvnw verify`, which packages it before this module").exists();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void image_findsJavaAndEveryJarOfItsClassPath(String dockerfile) throws IOException {
        ContainerImage image = RunningImage.assemble(dockerfile, null, directory.resolve("image"));

        assertThat(image.executable()).as("%s: ENTRYPOINT %s on the image's PATH %s", dockerfile,
                image.entrypoint().getFirst(), image.env().get("PATH")).isNotNull();
        String jar = jar(image, dockerfile);
        Path jarFile = image.file(jar);
        assertThat(jarFile).as("%s: the ENTRYPOINT's jar %s in the image", dockerfile, jar).isRegularFile();
        try (JarFile opened = new JarFile(jarFile.toFile())) {
            Attributes manifest = opened.getManifest().getMainAttributes();
            String mainClass = manifest.getValue(Attributes.Name.MAIN_CLASS);
            assertThat(opened.getEntry(mainClass.replace('.', '/') + ".class"))
                    .as("%s: Main-Class %s in %s", dockerfile, mainClass, jar).isNotNull();
            String classPath = manifest.getValue(Attributes.Name.CLASS_PATH);
            assertThat(classPath).as("%s: %s's Class-Path", dockerfile, jar).isNotBlank();
            String folder = Path.of(jar).getParent().toString();
            List<String> missing = new ArrayList<>();
            for (String entry : classPath.strip().split("\\s+")) {
                if (!Files.isRegularFile(image.file(folder + "/" + entry))) {
                    missing.add(entry);
                }
            }
            // The JVM skips a missing Class-Path entry silently; the server then dies of NoClassDefFoundError.
            assertThat(missing).as("%s: Class-Path entries of %s missing from the image (relative to %s); %s",
                    dockerfile, jar, folder, image.standIns()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void image_startsAsItsUserOnAReadOnlyRootAndServesBothProtocols(String dockerfile) throws Exception {
        try (RunningImage running = RunningImage.start(dockerfile, directory)) {
            ContainerImage image = running.image();
            Sandbox sandbox = running.sandbox();
            String model = running.model();
            ProcessHandle server = sandbox.entrypointProcess(Path.of(image.entrypoint().getFirst()).getFileName()
                    .toString());

            assertThat(uidInItsNamespace(server)).as("%s: the server's user id", dockerfile).isEqualTo(image.uid());
            assertThat(Sandbox.status(server, "CapEff:")).as("%s: the server's capabilities", dockerfile)
                    .endsWith("0000000000000000");
            assertThat(rootMountOptions(server)).as("%s: the root file system's mount options", dockerfile)
                    .contains("ro");

            HttpResponse<String> ready = get(running.httpPort(), "/v2/health/ready");
            assertThat(ready.statusCode()).as("%s: /v2/health/ready; the server's output:\n%s", dockerfile,
                    sandbox.tail()).isEqualTo(200);
            JsonObject metadata = JsonParser.parseString(get(running.httpPort(), "/v2/models/" + model).body())
                    .getAsJsonObject();
            JsonObject input = metadata.getAsJsonArray("inputs").get(0).getAsJsonObject();
            List<Long> shape = new ArrayList<>();
            input.getAsJsonArray("shape").forEach(dimension -> shape.add(Math.max(1, dimension.getAsLong())));
            float[] pixels = pixels(Math.toIntExact(shape.stream().reduce(1L, Math::multiplyExact)));
            String name = input.get("name").getAsString();

            float[] overHttp = inferOverHttp(running.httpPort(), model, name, shape, pixels);
            float[] overGrpc = inferOverGrpc(running.grpcPort(), model, name, shape, pixels);

            assertThat(overHttp).as("%s: %s's output over HTTP", dockerfile, model).isNotEmpty();
            assertThat(overGrpc).as("%s: %s's output over gRPC, the same as over HTTP", dockerfile, model)
                    .containsExactly(overHttp);
            if (image.env().getOrDefault("SHALLOWSERVE_DEVICE", "cpu").startsWith("cuda:")) {
                // The CPU build stands in for the GPU build: the image's device reached the server, which says why
                // it serves on the CPU.
                assertThat(sandbox.output()).as("%s: the server's output", dockerfile).contains("serving on the CPU");
            }
        }
    }

    /** The jar the ENTRYPOINT runs ({@code java ... -jar PATH}), as an absolute path in the image. */
    private static String jar(ContainerImage image, String dockerfile) {
        List<String> entrypoint = image.entrypoint();
        int flag = entrypoint.indexOf("-jar");
        assertThat(flag).as("%s: ENTRYPOINT %s runs java -jar", dockerfile, entrypoint).isPositive()
                .isLessThan(entrypoint.size() - 1);
        return Path.of(image.workdir()).resolve(entrypoint.get(flag + 1)).normalize().toString();
    }

    /** The process's real user id as its own user namespace sees it (the same as here where none was made). */
    private static int uidInItsNamespace(ProcessHandle process) throws IOException {
        long uid = Long.parseLong(Sandbox.status(process, "Uid:").split("\\s+")[1]);
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "uid_map"))) {
            String[] range = line.strip().split("\\s+");
            long inside = Long.parseLong(range[0]);
            long outside = Long.parseLong(range[1]);
            if (uid >= outside && uid < outside + Long.parseLong(range[2])) {
                return Math.toIntExact(inside + uid - outside);
            }
        }
        throw new AssertionError("user id " + uid + " is not mapped into the process's user namespace");
    }

    /** The options of the process's root mount (the last mounted on /), from /proc/{pid}/mountinfo. */
    private static List<String> rootMountOptions(ProcessHandle process) throws IOException {
        List<String> options = List.of();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields[4].equals("/")) {
                options = List.of(fields[5].split(","));
            }
        }
        return options;
    }

    /** A deterministic image in [0, 1], as clients send pixel/255. */
    private static float[] pixels(int count) {
        float[] pixels = new float[count];
        for (int i = 0; i < count; i++) {
            pixels[i] = (i % 17) / 16f;
        }
        return pixels;
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static float[] inferOverHttp(int port, String model, String input, List<Long> shape, float[] pixels)
            throws IOException, InterruptedException {
        JsonObject tensor = new JsonObject();
        tensor.addProperty("name", input);
        JsonArray dimensions = new JsonArray();
        shape.forEach(dimensions::add);
        tensor.add("shape", dimensions);
        tensor.addProperty("datatype", "FP32");
        JsonArray data = new JsonArray();
        for (float pixel : pixels) {
            data.add(pixel);
        }
        tensor.add("data", data);
        JsonObject request = new JsonObject();
        JsonArray inputs = new JsonArray();
        inputs.add(tensor);
        request.add("inputs", inputs);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("HTTP infer: %s", response.body()).isEqualTo(200);
        JsonArray values = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("outputs").get(0)
                .getAsJsonObject().getAsJsonArray("data");
        float[] output = new float[values.size()];
        for (int i = 0; i < output.length; i++) {
            output[i] = values.get(i).getAsFloat();
        }
        return output;
    }

    private static float[] inferOverGrpc(int port, String model, String input, List<Long> shape, float[] pixels)
            throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).as("gRPC ServerReady")
                    .isTrue();
            ByteBuffer raw = ByteBuffer.allocate(pixels.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (float pixel : pixels) {
                raw.putFloat(pixel);
            }
            ModelInferResponse response = stub.modelInfer(ModelInferRequest.newBuilder()
                    .setModelName(model)
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                            .setName(input).setDatatype("FP32").addAllShape(shape))
                    .addRawInputContents(ByteString.copyFrom(raw.flip()))
                    .build());
            ByteBuffer output = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[output.remaining() / Float.BYTES];
            output.asFloatBuffer().get(values);
            return values;
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
