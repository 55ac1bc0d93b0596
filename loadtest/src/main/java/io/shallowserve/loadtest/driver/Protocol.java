package io.shallowserve.loadtest.driver;

/** The two front-ends of an Open Inference Protocol server, each on a port of its own. */
public enum Protocol {
    GRPC("gRPC", "ServerLive", 8001),
    HTTP("HTTP", "GET /v2/health/live", 8000);

    private final String label;
    private final String noOp;
    private final int defaultPort;

    Protocol(String label, String noOp, int defaultPort) {
        this.label = label;
        this.noOp = noOp;
        this.defaultPort = defaultPort;
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
}
