/**
 * The load tests' command line and the comparison: it starts the real server once per execution plan, measures the
 * in-process floor, the no-op round trip and every model under open and closed load over gRPC (the driver) and HTTP
 * (Gatling), and writes one report.
 */
package io.shallowserve.loadtest;
