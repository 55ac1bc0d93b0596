package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ServerLiveRequest;
import io.shallowserve.server.it.Http2Frames.Frame;
import io.shallowserve.server.it.Http2Frames.Literal;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection-level faults, on a server whose connection limits are set short by flags (as an operator would set
 * them): a connection that never sends the HTTP/2 preface, one that sends only the preface, and one that resets
 * streams past the limit (a rapid-reset flood). Each must be closed by the server within a bounded wait, and the
 * server must serve others meanwhile.
 */
@Timeout(120)
class GrpcFaultConnectionTest {

    private static final int MAX_RESETS = 100;
    private static final String SERVER_LIVE = GRPCInferenceServiceGrpc.getServerLiveMethod().getFullMethodName();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single",
            "--set", "shallowserve.grpc.handshake-timeout=PT1S",
            "--set", "shallowserve.grpc.max-connection-idle=PT1S",
            "--set", "shallowserve.grpc.max-rst-frames-per-window=" + MAX_RESETS,
            "--set", "shallowserve.grpc.rst-frames-window=PT10S");

    /** Far above the settings: GOAWAY, then (the client not answering its PING) grpc-java's 10 s grace. */
    private static final Duration BOUNDED_WAIT = Duration.ofSeconds(40);
    private static final StringBuilder SUMMARY = new StringBuilder("gRPC connection faults:");

    @AfterAll
    static void printSummary() {
        System.out.println(SUMMARY);
    }

    @Test
    void connection_withoutPreface_isClosedAfterTheHandshakeTimeout() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), SERVER.server().grpcPort())) {
            socket.setSoTimeout((int) BOUNDED_WAIT.toMillis());
            InputStream in = socket.getInputStream();

            // The server's SETTINGS may come first; then the end of the stream, or a timeout that fails the test.
            int received = 0;
            while (in.read() != -1) {
                received++;
            }

            SUMMARY.append("\n  no preface: closed by the server after ").append(received).append(" bytes from it");
        }
        assertStillServing();
    }

    @Test
    void connection_sendingOnlyThePreface_isClosedAfterMaxConnectionIdle() throws IOException {
        try (Http2Frames http2 = Http2Frames.connectWithoutAnswers(SERVER.server().grpcPort())) {
            List<Frame> frames = http2.readUntilClosed(BOUNDED_WAIT);

            SUMMARY.append("\n  preface only: closed by the server after frames ").append(types(frames));
            assertThat(frames).as(types(frames)).anySatisfy(frame -> {
                assertThat(frame.type()).isEqualTo(Http2Frames.GOAWAY);
                assertThat(frame.errorCode()).isEqualTo(Http2Frames.NO_ERROR);
            });
        }
        assertStillServing();
    }

    /**
     * CVE-2023-44487: streams opened and reset at once. The connection takes as many resets within the window as
     * shallowserve.grpc.max-rst-frames-per-window allows; the next one closes it with GOAWAY ENHANCE_YOUR_CALM. (The
     * test sends nothing after that reset: a server that closes with bytes unread resets the TCP connection, which
     * can discard the GOAWAY before this client reads it.)
     */
    @Test
    void connection_resetsPastTheLimit_areCutOffWithEnhanceYourCalm() throws IOException {
        int port = SERVER.server().grpcPort();
        try (Http2Frames http2 = Http2Frames.connect(port)) {
            for (int stream = 1; stream < 2 * MAX_RESETS; stream += 2) {
                openAndReset(http2, stream, port);
            }
            // Answered: the connection is up after as many resets as the limit allows.
            http2.ping();
            openAndReset(http2, 2 * MAX_RESETS + 1, port);
            List<Frame> frames = http2.readUntilClosed(BOUNDED_WAIT);

            SUMMARY.append("\n  rapid reset: ").append(MAX_RESETS).append(" streams reset kept the connection (PING")
                    .append(" answered), one more got frames ").append(types(frames)).append(" and the close");
            assertThat(frames).as(types(frames)).anySatisfy(frame -> {
                assertThat(frame.type()).isEqualTo(Http2Frames.GOAWAY);
                assertThat(frame.errorCode()).isEqualTo(Http2Frames.ENHANCE_YOUR_CALM);
            });
        }
        assertStillServing();
    }

    private static void openAndReset(Http2Frames http2, int stream, int port) throws IOException {
        http2.headers(stream, Http2Frames.grpcRequest(SERVER_LIVE, port), Literal.WITH_INCREMENTAL_INDEXING, false);
        http2.rstStream(stream, Http2Frames.CANCEL);
    }

    /** A new call on the test's grpc-java channel and a health check are answered. */
    private static void assertStillServing() {
        assertThat(SERVER.grpc().withDeadlineAfter(BOUNDED_WAIT.toSeconds(), TimeUnit.SECONDS)
                .serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(HealthGrpc.newBlockingStub(SERVER.channel())
                .withDeadlineAfter(BOUNDED_WAIT.toSeconds(), TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    }

    /** Frame types by name, with the error code of RST_STREAM and GOAWAY. */
    private static String types(List<Frame> frames) {
        return frames.stream().map(frame -> switch (frame.type()) {
            case Http2Frames.SETTINGS -> "SETTINGS";
            case Http2Frames.WINDOW_UPDATE -> "WINDOW_UPDATE";
            case Http2Frames.PING -> "PING";
            case Http2Frames.HEADERS -> "HEADERS";
            case Http2Frames.DATA -> "DATA";
            case Http2Frames.RST_STREAM -> "RST_STREAM(" + frame.errorCode() + ")";
            case Http2Frames.GOAWAY -> "GOAWAY(" + frame.errorCode() + ")";
            default -> "type " + frame.type();
        }).distinct().toList().toString();
    }
}
