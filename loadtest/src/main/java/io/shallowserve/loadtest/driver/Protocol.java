package io.shallowserve.loadtest.driver;

/** The two front-ends of an Open Inference Protocol server. */
public enum Protocol {
    GRPC("gRPC", "ServerLive"),
    HTTP("HTTP", "GET /v2/health/live");

    private final String label;
    private final String noOp;

    Protocol(String label, String noOp) {
        this.label = label;
        this.noOp = noOp;
    }

    /** The name tables show. */
    public String label() {
        return label;
    }

    /** The request that makes a round trip without running a model. */
    public String noOp() {
        return noOp;
    }
}
