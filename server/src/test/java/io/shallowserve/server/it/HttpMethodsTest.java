package io.shallowserve.server.it;

import static io.shallowserve.server.it.MalformedHttpRequestsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.server.it.RawHttp.Response;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Methods other than a path's own, on a kept-alive connection. HEAD, as monitors and curl -I send it, is answered as
 * GET without a body (RFC 9110, 9.3.2), so the client, which reads none, reads the next response where it starts:
 * Helidon 4.5.0 sent the 404's JSON body, which the client then took for the start of the next response. Another
 * method on a path the server has is 405 naming the path's method, as Triton answers, not the 404 of an unknown path.
 */
@Timeout(120)
class HttpMethodsTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final String MODEL = OnnxReference.modelNames(RunningServer.MODELS).getFirst();

    @ParameterizedTest
    @CsvSource({"/v2/health/ready, 200", "/v2/models/%s, 200", "/metrics, 200", "/v2/models/no-such-model, 404",
            "/v3/no-such-path, 404", "/v2/trace/setting, 501", "/v2/models/%s/infer, 405"})
    void head_answersAsGetWithoutABodyAndTheConnectionServesOn(String path, int status) {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            connection.send("HEAD " + path.formatted(MODEL) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    + "GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

            Response head = connection.readHead();
            Response next = connection.read();

            assertThat(head.status()).isEqualTo(status);
            assertThat(next.status()).as("the response after HEAD's").isEqualTo(200);
            assertThat(next.body()).isEqualTo("{\"live\":true}");
        }
    }

    @ParameterizedTest
    @CsvSource({"POST, /v2/health/ready, GET", "DELETE, /v2/models/%s, GET", "GET, /v2/models/%s/infer, POST",
            "PUT, /v2/models/%s/versions/1/infer, POST", "GET, /v2/repository/index, POST",
            "POST, /v2/systemsharedmemory/status, GET"})
    void otherMethodOnAKnownPath_is405NamingThePathsMethod(String method, String path, String allowed) {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send(method + " " + path.formatted(MODEL) + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nContent-Length: 0\r\n\r\n").read();

            assertError(response, 405, "takes " + allowed + ", not " + method);
            assertThat(response.header("Allow")).isEqualTo(allowed);
        }
    }
}
