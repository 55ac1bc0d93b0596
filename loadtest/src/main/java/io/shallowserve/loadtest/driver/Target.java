package io.shallowserve.loadtest.driver;

import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** A server the driver sends to, over one protocol. */
public sealed interface Target extends AutoCloseable permits GrpcTarget, HttpTarget {

    /**
     * Connects (lazily) to {@code host:port} over {@code protocol}; every call gets {@code callTimeout} (but a request
     * on a gRPC stream, which has no deadline of its own).
     */
    static Target connect(Protocol protocol, String host, int port, Duration callTimeout) {
        return switch (protocol) {
            case GRPC -> new GrpcTarget(host, port, callTimeout, false);
            case GRPC_STREAM -> new GrpcTarget(host, port, callTimeout, true);
            case HTTP -> new HttpTarget(host, port, callTimeout, false);
            case HTTP_BINARY -> new HttpTarget(host, port, callTimeout, true);
        };
    }

    /** The model's first input, from its metadata; {@code version} may be empty (the server's choice). */
    ModelInput input(String model, String version) throws IOException;

    /** Inference requests carrying the prepared tensors, in turn; encoded now, so that encoding is not timed. */
    Transport infer(String model, String version, List<Tensor> tensors);

    /** A round trip through the server that runs no model ({@link Protocol#noOp()}). */
    Transport noOp();

    @Override
    void close();
}
