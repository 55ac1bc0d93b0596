package io.shallowserve.loadtest.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's dynamic batching, as one server process of the comparison ran it.
 *
 * @param enabled             whether the server merges the queued requests of a model into one execution
 * @param maxQueueDelayMicros how long it may wait for a fuller batch; 0: it batches whatever is queued when an
 *                            execution instance is free
 */
public record Batching(boolean enabled, int maxQueueDelayMicros) {

    public static final Batching OFF = new Batching(false, 0);

    public Batching {
        if (maxQueueDelayMicros < 0 || !enabled && maxQueueDelayMicros != 0) {
            throw new IllegalArgumentException("the queue delay must be at least 0, and 0 with batching off; got "
                    + maxQueueDelayMicros);
        }
    }

    public static Batching on(int maxQueueDelayMicros) {
        return new Batching(true, maxQueueDelayMicros);
    }

    /** "off", "on, 500 µs". */
    public String label() {
        return enabled ? "on, " + maxQueueDelayMicros + " µs" : "off";
    }

    /**
     * The server's configuration keys for it, to be set as system properties of the server. Off is stated too, so
     * that the server's default does not decide what was measured.
     */
    public Map<String, String> serverProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("shallowserve.serving.batching.enabled", Boolean.toString(enabled));
        if (enabled) {
            properties.put("shallowserve.serving.batching.max-queue-delay-micros",
                    Integer.toString(maxQueueDelayMicros));
        }
        return properties;
    }
}
