package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.server.it.RawHttp.Response;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HEAD, as monitors and curl -I send it, on a kept-alive connection: the response has no body (RFC 9110, 9.3.2), so
 * the client, which reads none, reads the next response where it starts. Helidon 4.5.0 sent the 404's JSON body,
 * which the client then took for the start of the next response.
 */
@Timeout(120)
class HeadRequestsTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final String MODEL = OnnxReference.modelNames(RunningServer.MODELS).getFirst();

    @ParameterizedTest
    @CsvSource({"/v2/health/ready, 200", "/v2/models/%s, 200", "/metrics, 200", "/v2/models/no-such-model, 404",
            "/v3/no-such-path, 404", "/v2/trace/setting, 501"})
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
}
