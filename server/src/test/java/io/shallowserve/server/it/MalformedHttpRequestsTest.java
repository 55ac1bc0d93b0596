package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.server.inference.ErrorMessages;
import io.shallowserve.server.it.RawHttp.Response;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that no well-behaved client sends, written byte by byte on a plain socket: each gets a clear, bounded JSON
 * error, nothing hidden in one runs, and the server serves the next client.
 */
@Timeout(120)
class MalformedHttpRequestsTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final String MODEL = OnnxReference.modelNames(RunningServer.MODELS).getFirst();
    /** shallowserve.limits.message-bytes in application.yaml. */
    private static final long BODY_LIMIT = 16 * 1024 * 1024;
    /** How long a test waits for the server to close a connection it must close at once. */
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(10);

    /**
     * The chunk's size is over the limit, so the server refuses before reading the chunk; what would have been its
     * data is a complete request of its own, which a server that read on would run. A route that does not read the
     * body (the 404) answers first, and the connection ends when the rest of the body fails to be read.
     */
    @ParameterizedTest
    @CsvSource({"/v2/models/%s/infer, 413, larger than the limit of 16777216 bytes",
            "/v2/repository/index, 413, larger than the limit of 16777216 bytes",
            "/v2/repository/models/%s/load, 413, larger than the limit of 16777216 bytes",
            "/v3/no-such-path, 404, no route for POST /v3/no-such-path"})
    void chunkOverTheBodyLimit_isRefusedAndClosesWithoutRunningTheBytesBehindIt(String path, int status,
            String messagePart) {
        String hidden = "POST /v2/repository/models/" + MODEL + "/unload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: 0\r\n\r\n";

        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send("POST " + path.formatted(MODEL) + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Long.toHexString(BODY_LIMIT + 1) + "\r\n" + hidden).read();

            assertError(response, status, messagePart);
            assertThat(connection.closedByServer(CLOSE_LIMIT)).as("connection closed after the answer").isTrue();
        }
        assertModelStillReady();
    }

    /**
     * A chunk size that is not hexadecimal ends the body's framing: the server answers 400 and closes, and the bytes
     * after it, here an empty last chunk and a request, are not read.
     */
    @Test
    void chunkSizeNotHex_is400AndClosesWithoutRunningTheBytesBehindIt() {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n0\r\n\r\n"
                    + "POST /v2/repository/models/" + MODEL + "/unload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: 0\r\n\r\n").read();

            assertError(response, 400, "the request body could not be read");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(connection.closedByServer(CLOSE_LIMIT)).as("connection closed after the 400").isTrue();
        }
        assertModelStillReady();
    }

    /** What Helidon refuses before any route runs: each its own clear message, and the connection closes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedByHelidon")
    void malformedRequest_getsAClearJsonErrorAndTheServerServesOn(String what, String request, int status,
            String messagePart) {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send(request).read();

            assertError(response, status, messagePart);
            assertThat(connection.closedByServer(CLOSE_LIMIT)).as("connection closed after the error").isTrue();
        }
        assertStillServing();
    }

    static Stream<Arguments> refusedByHelidon() {
        String infer = "POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        String get = "GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        return Stream.of(
                Arguments.of("Content-Length not a number", infer + "Content-Length: 12a\r\n\r\n", 400,
                        "malformed HTTP/1.1 request: Content length is not a number"),
                Arguments.of("Content-Length twice", infer + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                        400, "Content-Length header must have exactly one value"),
                Arguments.of("Content-Length with chunked", infer + "Content-Length: 2\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n", 400, "must not be combined"),
                Arguments.of("transfer coding other than chunked", infer + "Transfer-Encoding: gzip, chunked\r\n\r\n",
                        501, "Unsupported request transfer encoding"),
                Arguments.of("request line over the limit", "GET /v2/models/" + "a".repeat(5000)
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414, "longer than the limit of 4096 bytes"),
                Arguments.of("request line without spaces", "GARBAGE\r\nHost: 127.0.0.1\r\n\r\n", 400,
                        "the request line or a header is not valid HTTP/1.1"),
                Arguments.of("method that is not a token", "G@T /v2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400,
                        "the method must be a token"),
                Arguments.of("HTTP/1.0", "GET /v2 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", 505, "send HTTP/1.1"),
                Arguments.of("HTTP/2.0 in a request line", "GET /v2 HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 400,
                        "the request line or a header is not valid HTTP/1.1"),
                Arguments.of("broken percent-encoding", "GET /v2?a=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400,
                        "non hexadecimal char"),
                Arguments.of("header without colon", get + "NoColon\r\n\r\n", 400, "missing colon"),
                Arguments.of("space in a header name", get + "Bad Name: x\r\n\r\n", 400, "whitespace"),
                Arguments.of("control character in a header value", get + "X-A: a\u0001b\r\n\r\n", 400,
                        "is invalid for header 'X-A'"),
                Arguments.of("headers over the limit", get + "X-A: " + "a".repeat(20_000) + "\r\n\r\n", 400,
                        "Header size exceeded"),
                Arguments.of("no Host", "GET /v2/health/live HTTP/1.1\r\n\r\n", 400, "Host header must be present"));
    }

    /**
     * A body in a coding the server does not decode: 415 naming the codings it does, in the message and in
     * Accept-Encoding (RFC 7694), and the connection closes (the body is not read).
     */
    @ParameterizedTest
    @CsvSource({"br, Content-Length: 4", "compress, Transfer-Encoding: chunked", "'gzip, gzip', Content-Length: 4"})
    void bodyInAnUnsupportedCoding_is415NamingTheSupportedOnes(String coding, String framing) {
        String body = framing.startsWith("Content-Length") ? "abcd" : "4\r\nabcd\r\n0\r\n\r\n";
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Encoding: " + coding + "\r\n"
                    + framing + "\r\n\r\n" + body).read();

            assertError(response, 415, "Content-Encoding: " + coding + " are not supported; send the body with gzip,"
                    + " deflate or no Content-Encoding");
            assertThat(response.header("Accept-Encoding")).isEqualTo("gzip, deflate");
            assertThat(connection.closedByServer(CLOSE_LIMIT)).as("connection closed after the 415").isTrue();
        }
        assertStillServing();
    }

    /** A body that its Content-Encoding says is gzip but is not: 400 saying so, and the connection closes. */
    @Test
    void bodyThatIsNotTheGzipItsContentEncodingSays_is400() {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                    + "Content-Length: 4\r\n\r\nabcd").read();

            assertError(response, 400, "the request body could not be read: Not in GZIP format");
            assertThat(connection.closedByServer(CLOSE_LIMIT)).as("connection closed after the 400").isTrue();
        }
        assertStillServing();
    }

    /**
     * A model name of 100 KB does not fit in a request line (4096 bytes): 414 with a message of its own. One that
     * fits is echoed in the 404, cut with an ellipsis so that the advice at its end remains.
     */
    @Test
    void hugeModelName_is414AndALongOneA404WithTheNameCut() {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send("GET /v2/models/" + "m".repeat(100 * 1024)
                    + "/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();

            assertError(response, 414, "longer than the limit of 4096 bytes");
        }
        assertStillServing();

        String name = "m".repeat(4000);
        for (HttpResponse<String> response : List.of(SERVER.get("/v2/models/" + name + "/ready"),
                SERVER.post("/v2/models/" + name + "/infer", Requests.json(FashionMnist.testImages(1))))) {
            String message = HttpInferenceApiTest.json(response, 404).get("error").getAsString();
            assertThat(message).hasSizeLessThanOrEqualTo(ErrorMessages.MAX_CHARS)
                    .startsWith("unknown model 'mmm")
                    .contains("mmm…mmm")
                    .endsWith("lists the models this server has");
        }
        assertStillServing();
    }

    private static void assertStillServing() {
        assertThat(SERVER.get("/v2/health/live").statusCode()).isEqualTo(200);
    }

    private static void assertModelStillReady() {
        assertThat(SERVER.get("/v2/models/" + MODEL + "/ready").statusCode()).as("the hidden unload did not run")
                .isEqualTo(200);
    }

    /** A JSON error with {@code status} whose message contains {@code messagePart} and is bounded. */
    static void assertError(Response response, int status, String messagePart) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        String message = JsonParser.parseString(response.body()).getAsJsonObject().get("error").getAsString();
        assertThat(message).contains(messagePart).hasSizeLessThanOrEqualTo(ErrorMessages.MAX_CHARS);
    }
}
