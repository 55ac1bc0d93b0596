package io.shallowserve.server.inference;

import java.util.Locale;
import java.util.Objects;

/**
 * When the server reports ready ({@code GET /v2/health/ready}, gRPC ServerReady and {@code grpc.health.v1}), which is
 * what load balancers and Kubernetes send requests by. Drained or closed, it never is.
 *
 * @param models      how many of the repository's models must serve
 * @param cpuFallback whether a server whose device is {@code cuda:<n>} is ready while it serves on the CPU because the
 *                    GPU cannot be used
 */
public record Readiness(Models models, boolean cpuFallback) {

    /** A plain server: ready while any model serves, on whatever device it could get. */
    public static final Readiness ANY_MODEL = new Readiness(Models.ANY, true);

    /** How many models must serve. */
    public enum Models {
        /** At least one model version serves. */
        ANY,
        /**
         * Every model of the repository loaded every version its version policy selects at start-up, and each still
         * has a version serving. A model whose start-up load failed keeps the server not ready until a load of it
         * succeeds. A load that fails later changes nothing (the versions serving before serve on), so that one bad
         * copy in a repository that every replica reads does not take them all out of service at once.
         */
        ALL;

        /**
         * Reads {@code any} or {@code all}.
         *
         * @throws IllegalArgumentException naming the key and the values it takes
         */
        public static Models parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("shallowserve.readiness.models is '" + value + "'; use any or all",
                        e);
            }
        }
    }

    public Readiness {
        Objects.requireNonNull(models, "models");
    }
}
