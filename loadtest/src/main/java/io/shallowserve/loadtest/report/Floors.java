package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Protocol;

/** The two floors under every end-to-end latency, measured in the same run. */
public final class Floors {

    private Floors() {}

    /**
     * The model's compute alone: its execution plan run in-process by one caller, no server, no network.
     *
     * @param served  the model and plan
     * @param summary the latencies of the runs
     */
    public record Compute(ServedModel served, LatencySummary summary) {}

    /**
     * A round trip through one server process that runs no model ({@link Protocol#noOp()}), one request in flight.
     *
     * @param plan     the plan that server process ran
     * @param protocol gRPC or HTTP
     * @param summary  the latencies
     */
    public record NoOp(String plan, Protocol protocol, LatencySummary summary) {}
}
