package io.shallowserve.server.http;

import io.helidon.common.config.Config;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import java.time.Duration;

/**
 * The REST API's HTTP/1.1 port on Helidon and its protections: JSON errors for what Helidon answers itself
 * ({@link JsonResponses}), read timeouts ({@link ReadTimeouts}), a connection that ends wherever a request could
 * not be read to its end ({@link ConnectionCloseFilter}), and gzip and deflate bodies each way, decompressed within
 * the body limit ({@link HttpCompression}), HEAD answered as GET without the body ({@link HeadRequests}), and a
 * {@code Date} header in RFC 9110's form ({@link DateHeader}).
 */
public final class HttpPort {

    /** Helidon's name of HTTP/1.1 among a listener's protocols, and its configuration key under protocols. */
    private static final String HTTP_1_1 = "http_1_1";

    private HttpPort() {
    }

    /**
     * Puts the protections on {@code listener}, already configured from {@code serverConfig} (its node, "server"),
     * and on the {@code routing} it serves.
     */
    public static void configure(Config serverConfig, ListenerConfig.BuilderBase<?, ?> listener,
            HttpRouting.Builder routing) {
        Duration readTimeout = listener.connectionOptions().orElseGet(SocketOptions::create).readTimeout();
        ReadTimeouts readTimeouts = new ReadTimeouts(readTimeout);
        // The protocol settings Helidon makes of server.protocols.http_1_1, with the timeouts' listener. It must be
        // the only receive listener: Helidon 4.5.0 combines several into one that forwards no event
        // (Http1ConnectionListenerUtil.ListFrameListener), so Helidon's own log of received requests is left out.
        Http1Config http1 = Http1Config.builder()
                .config(serverConfig.get("protocols." + HTTP_1_1))
                .name(HTTP_1_1)
                .addReceiveListener(readTimeouts)
                .build();
        HttpCompression compression = new HttpCompression();
        listener.addProtocol(http1)
                .contentEncoding(compression)
                .directHandlers(JsonResponses.directHandlers(listener.maxPayloadSize(), http1.maxPrologueLength()));
        routing.addFilter(new ConnectionCloseFilter())
                .addFilter(new HeadRequests())
                .addFilter(readTimeouts)
                .addFilter(compression)
                .addFilter(new DateHeader());
    }
}
