/**
 * The load tests' command line and the comparison: it starts the real server twice per execution plan (dynamic
 * batching off and on), measures the in-process floor, the no-op round trip, every model under open and closed load
 * over gRPC (the driver) and HTTP (Gatling), and with batching off and on each model's latency at one request in
 * flight and its capacity at a p99 target; and writes one report.
 */
package io.shallowserve.loadtest;
