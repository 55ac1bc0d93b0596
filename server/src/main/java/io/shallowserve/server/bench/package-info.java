/**
 * Benchmarks: programs that print numbers (tests assert behaviour, never times).
 * {@link io.shallowserve.server.bench.PlanBenchmark} measures the execution plans in-process, the floor under
 * every latency the server can reach.
 */
package io.shallowserve.server.bench;
