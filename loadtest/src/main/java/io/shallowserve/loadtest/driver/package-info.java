/**
 * The load driver: open-loop (constant arrival rate) and closed-loop (fixed requests in flight) runs against any
 * Open Inference Protocol server, over gRPC (grpc-java) or HTTP (the JDK's client; tensors in JSON or as Triton's
 * binary tensor data), in the spirit of Triton's perf_analyzer.
 *
 * <p>Open-loop latency counts from the time the schedule meant a request to leave, not from the time it left: when
 * the server (or the driver itself) stalls, the requests that should have gone out meanwhile are charged the wait,
 * so a stall cannot hide behind the few requests that happened to be sent (no coordinated omission). Latencies go
 * into HdrHistograms.
 */
package io.shallowserve.loadtest.driver;
