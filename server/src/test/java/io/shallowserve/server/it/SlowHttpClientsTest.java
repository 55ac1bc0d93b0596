package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.server.it.RawHttp.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that start a request and stop sending, on a plain socket: the server closes their connections once the
 * configured timeouts pass (here a second for a read, two for an idle connection, instead of the defaults' 30 and
 * 60) and serves everyone else meanwhile and afterwards.
 */
@Timeout(120)
class SlowHttpClientsTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single",
            "--set", "server.connection-options.read-timeout=PT1S",
            "--set", "server.idle-connection-timeout=PT2S",
            "--set", "server.idle-connection-period=PT0.5S");

    private static final String MODEL = OnnxReference.modelNames(RunningServer.MODELS).getFirst();
    /** Far longer than the timeouts above: a connection still open then is one the server would hold forever. */
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(30);

    @Test
    void requestLineNeverEnding_isClosed() {
        assertClosedAndStillServing("GET /v2/health/li");
    }

    @Test
    void headersNeverEnding_isClosed() {
        assertClosedAndStillServing("GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: app");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/models/%s/infer", "/v2/repository/models/%s/load"})
    void bodyStopping_isClosed(String path) {
        // The body says 1000 bytes and brings 10.
        assertClosedAndStillServing("POST " + path.formatted(MODEL) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"inputs\":");
    }

    /**
     * A gzip body that stops within its 10-byte header or within its compressed data: the decoder's reads are timed
     * as the body's are (HttpCompression reads the header at the first read, not before).
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 100})
    void gzipBodyStopping_isClosed(int bytesSent) {
        byte[] gzip = CompressedBodies.gzip(Requests.json(FashionMnist.testImages(1))
                .getBytes(StandardCharsets.US_ASCII), 0);
        assertClosedAndStillServing("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: " + gzip.length
                + "\r\n\r\n" + new String(gzip, 0, bytesSent, StandardCharsets.ISO_8859_1));
    }

    @Test
    void bodyStoppingAfterTheAnswer_isClosed() {
        // No route reads this body: the 404 comes first, then the server waits for the rest of the body to skip it.
        try (RawHttp stalled = RawHttp.connect(SERVER.server().port())) {
            Response response = stalled.send("POST /v3/no-such-path HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"inputs\":").read();

            assertThat(response.status()).isEqualTo(404);
            assertThat(stalled.closedByServer(CLOSE_LIMIT)).as("stalled connection closed").isTrue();
        }
        assertServes();
    }

    @Test
    void chunkedBodyStopping_isClosed() {
        assertClosedAndStillServing("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\na\r\n{\"inputs\":");
    }

    @Test
    void idleBetweenRequests_isClosedAfterAnAnswer() {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send("GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(connection.closedByServer(CLOSE_LIMIT)).as("idle connection closed").isTrue();
        }
    }

    @Test
    void bodyArrivingInPiecesWithinTheTimeout_isServed() throws InterruptedException {
        // Each piece comes well within the read timeout, the whole body takes longer than it: the timeout is for a
        // silence, not for the whole body.
        String body = Requests.json(FashionMnist.testImages(1));
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            connection.send("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n");
            int pieces = 6;
            int piece = body.length() / pieces + 1;
            for (int start = 0; start < body.length(); start += piece) {
                Thread.sleep(300);
                connection.send(body.substring(start, Math.min(body.length(), start + piece)));
            }
            Response response = connection.read();

            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(Requests.logits(response.body())).hasSize(10);
        }
    }

    /** Sends {@code start} of a request and no more: the server must close, and answer a new client meanwhile. */
    private static void assertClosedAndStillServing(String start) {
        try (RawHttp stalled = RawHttp.connect(SERVER.server().port())) {
            stalled.send(start);
            assertServes();

            assertThat(stalled.closedByServer(CLOSE_LIMIT)).as("stalled connection closed").isTrue();
        }
        assertServes();
    }

    /**
     * A new client gets its answers. On a connection of its own: with an idle timeout this short, a pooled one may
     * be closed by the server just as a client reuses it.
     */
    private static void assertServes() {
        String body = Requests.json(FashionMnist.testImages(1));
        try (RawHttp client = RawHttp.connect(SERVER.server().port())) {
            assertThat(client.send("GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read().status())
                    .isEqualTo(200);
            Response inferred = client.send("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertThat(inferred.status()).as(inferred.body()).isEqualTo(200);
        }
    }
}
