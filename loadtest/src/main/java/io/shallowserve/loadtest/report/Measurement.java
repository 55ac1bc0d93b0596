package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.Protocol;

/**
 * One load step against one served model.
 *
 * @param served    what was measured
 * @param protocol  gRPC or HTTP
 * @param generator {@link #DRIVER} or {@link #GATLING}
 * @param load      the offered load
 * @param summary   what came back
 */
public record Measurement(ServedModel served, Protocol protocol, String generator, Load load, LatencySummary summary) {

    /** This module's load driver (microsecond latencies). */
    public static final String DRIVER = "driver";
    /** Gatling (whole-millisecond latencies). */
    public static final String GATLING = "Gatling";
}
