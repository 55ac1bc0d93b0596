/**
 * In-process latency of exported models in ONNX Runtime, the runtime the server uses: a deep and a shallow model of
 * one spec, each through one session ({@code single}), and the shallow one split into stem, branches run at the same
 * time, and head ({@code branches}).
 *
 * <p>The trainer may not depend on the server, so this package repeats the server's way of running the plans
 * (io.shallowserve.server.exec: SinglePlan, BranchesPlan; io.shallowserve.server.bench.PlanBenchmark) rather than
 * calling it: the same session options, the same thread counts as the server's defaults on this machine, the same
 * hand-out of branches to the calling thread and a pool of platform threads, and the plans timed in alternation.
 * Only what the measurement needs is repeated; queues, deadlines and metrics stay in the server.
 */
package io.shallowserve.trainer.latency;
