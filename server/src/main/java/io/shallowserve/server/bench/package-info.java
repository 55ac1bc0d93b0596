/**
 * Benchmarks: programs that print numbers (tests assert behaviour, never times).
 * {@link io.shallowserve.server.bench.PlanBenchmark} measures the execution plans in-process, the floor under
 * every latency the server can reach; {@link io.shallowserve.server.bench.WarmupBenchmark} the first runs of a
 * version just loaded, what model_warmup takes off its first requests.
 */
package io.shallowserve.server.bench;
