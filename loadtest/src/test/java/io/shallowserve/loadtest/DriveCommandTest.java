package io.shallowserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.loadtest.report.Batching;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Smoke runs of {@code loadtest drive} against the real server, each protocol on its own port: open and closed loop,
 * every protocol (gRPC unary and streaming, HTTP in JSON and binary), the no-op.
 */
class DriveCommandTest {

    private static InProcessServer server;

    @TempDir
    Path folder;

    @BeforeAll
    static void startServer() {
        server = InProcessServer.start("single", Batching.OFF);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    /**
     * Runs the command against the server's port of {@code protocol}; returns its exit code and leaves what it printed
     * in {@code out}.
     */
    private static int drive(StringWriter out, Protocol protocol, String... args) {
        List<String> all = new ArrayList<>(List.of("drive", "--protocol", protocol.toString(),
                "--url", server.address(protocol)));
        all.addAll(List.of(args));
        return run(out, all.toArray(String[]::new));
    }

    /** Runs {@code loadtest args}; returns its exit code and leaves what it printed in {@code out}. */
    private static int run(StringWriter out, String... args) {
        CommandLine command = LoadTestMain.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(out, true));
        return command.execute(args);
    }

    private static JsonArray steps(Path json) throws IOException {
        return JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonArray("steps");
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"GRPC", "GRPC_STREAM"})
    void drive_grpcOpenAndClosedLoop_answersEveryRequest(Protocol protocol) throws IOException {
        Path json = folder.resolve(protocol + ".json");
        StringWriter out = new StringWriter();

        int exit = drive(out, protocol, "--model", "fashion-deep", "--rate", "100", "--concurrency", "1,4",
                "--duration", "0.5", "--warmup", "0.2", "--json", json.toString());

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains(protocol.label() + " fashion-deep", "open 100/s", "closed 1", "closed 4");
        JsonArray steps = steps(json);
        assertThat(steps).hasSize(3);
        for (var step : steps) {
            JsonObject summary = step.getAsJsonObject().getAsJsonObject("summary");
            assertThat(summary.get("requests").getAsLong()).as(step.toString()).isPositive();
            assertThat(summary.get("errors").getAsLong()).as(step.toString()).isZero();
        }
    }

    @Test
    void drive_httpClosedLoop_answersEveryRequest() throws IOException {
        Path json = folder.resolve("http.json");
        StringWriter out = new StringWriter();

        int exit = drive(out, Protocol.HTTP, "--model", "fashion-shallow", "--concurrency", "2",
                "--duration", "0.5", "--warmup", "0", "--json", json.toString());

        assertThat(exit).as(out.toString()).isZero();
        JsonObject summary = steps(json).get(0).getAsJsonObject().getAsJsonObject("summary");
        assertThat(summary.get("requests").getAsLong()).isPositive();
        assertThat(summary.get("errors").getAsLong()).isZero();
    }

    @Test
    void drive_httpBinaryClosedLoop_answersEveryRequestWithBinaryTensorData() throws IOException {
        Path json = folder.resolve("http-binary.json");
        StringWriter out = new StringWriter();

        // Every answer without an Inference-Header-Content-Length header would count as an error.
        int exit = run(out, "drive", "--protocol", "http-binary", "--url", server.address(Protocol.HTTP),
                "--model", "fashion-deep", "--batch", "4", "--concurrency", "2", "--duration", "0.5", "--warmup", "0",
                "--json", json.toString());

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("HTTP binary fashion-deep (input input [-1, 1, 28, 28], batch 4");
        JsonObject summary = steps(json).get(0).getAsJsonObject().getAsJsonObject("summary");
        assertThat(summary.get("requests").getAsLong()).isPositive();
        assertThat(summary.get("errors").getAsLong()).isZero();
    }

    @Test
    void drive_noOp_roundTripsWithoutAModel() {
        StringWriter out = new StringWriter();

        int exit = drive(out, Protocol.GRPC, "--no-op", "--duration", "0.3", "--warmup", "0");

        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("gRPC ServerLive");
    }

    @Test
    void drive_withoutUrl_targetsTritonsPortOfTheProtocol() {
        // An open loop of zero seconds sends nothing, so whatever listens on these ports here is left alone.
        StringWriter grpc = new StringWriter();
        StringWriter http = new StringWriter();

        int grpcExit = run(grpc, "drive", "--no-op", "--rate", "1", "--duration", "0", "--warmup", "0");
        int httpExit = run(http, "drive", "--protocol", "http", "--no-op", "--rate", "1", "--duration", "0",
                "--warmup", "0");

        assertThat(grpcExit).as(grpc.toString()).isZero();
        assertThat(grpc.toString()).contains("gRPC ServerLive on 127.0.0.1:8001");
        assertThat(httpExit).as(http.toString()).isZero();
        assertThat(http.toString()).contains("HTTP GET /v2/health/live on 127.0.0.1:8000");
    }

    @Test
    void drive_unknownModel_saysSoWithoutAStackTrace() {
        StringWriter out = new StringWriter();

        int exit = drive(out, Protocol.GRPC, "--model", "no-such-model", "--duration", "0.3");

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("error: model metadata of no-such-model: Status{code=NOT_FOUND")
                .doesNotContain("\tat ");
    }
}
