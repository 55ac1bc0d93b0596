package io.shallowserve.loadtest.driver;

import java.util.List;

/**
 * How the driver calls an Open Inference Protocol server: over gRPC, one ModelInfer call per request or every request
 * of a caller on one ModelStreamInfer call (what perf_analyzer's {@code --streaming} and tritonclient's start_stream()
 * do), or over HTTP/REST with the tensors in JSON, or with them as Triton's binary tensor data (the input's raw bytes
 * after a JSON header, the outputs asked back as binary data), which is what tritonclient.http and perf_analyzer send
 * by default. The two gRPC forms share the gRPC port and its no-op, the two HTTP forms the HTTP port and its; they are
 * values of their own because they cost differently and are measured side by side.
 */
public enum Protocol {
    GRPC("grpc", "gRPC", "ServerLive", 8001),
    GRPC_STREAM("grpc-stream", "gRPC stream", "ServerLive", 8001),
    HTTP("http", "HTTP", "GET /v2/health/live", 8000),
    HTTP_BINARY("http-binary", "HTTP binary", "GET /v2/health/live", 8000);

    private final String option;
    private final String label;
    private final String noOp;
    private final int defaultPort;

    Protocol(String option, String label, String noOp, int defaultPort) {
        this.option = option;
        this.label = label;
        this.noOp = noOp;
        this.defaultPort = defaultPort;
    }

    /** The protocols with a port and a no-op of their own: gRPC and HTTP. */
    public static List<Protocol> frontEnds() {
        return List.of(GRPC, HTTP);
    }

    /** The front-end this one reaches: its port and its no-op. */
    public Protocol frontEnd() {
        return switch (this) {
            case GRPC, GRPC_STREAM -> GRPC;
            case HTTP, HTTP_BINARY -> HTTP;
        };
    }

    /** The name tables show. */
    public String label() {
        return label;
    }

    /** The request that makes a round trip without running a model. */
    public String noOp() {
        return noOp;
    }

    /** Where servers listen for it unless told otherwise: Triton's ports, which shallowserve uses too. */
    public int defaultPort() {
        return defaultPort;
    }

    /**
     * The value of {@code --protocol}: grpc, grpc-stream, http or http-binary (picocli matches an option's value to
     * this).
     */
    @Override
    public String toString() {
        return option;
    }
}
