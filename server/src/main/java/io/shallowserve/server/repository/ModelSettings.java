package io.shallowserve.server.repository;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How one model is served. The server's defaults are {@code shallowserve.serving} in application.yaml; a model
 * overrides any of them in {@code <repository>/<model>/serving.yaml}, with the same keys, read again on every load
 * of the model.
 *
 * @param instances     execution instances (each its own ONNX Runtime sessions) per version: requests of one
 *                      version run on at most this many at the same time
 * @param batching      dynamic batching
 * @param versionPolicy which versions serve
 */
public record ModelSettings(int instances, Batching batching, VersionPolicy versionPolicy) {

    /**
     * The most instances a version may have. Each holds its own sessions and thread: far more than the cores gain
     * nothing, and an unbounded number would let one serving.yaml exhaust the memory.
     */
    public static final int MAX_INSTANCES = 64;

    /**
     * Dynamic batching, with the semantics Triton documents: when an instance is free, the queued requests (in
     * order, whole requests, at most the largest batch of images) run as one batch at once if they fill the largest
     * batch or make a preferred size; otherwise the batch waits until the oldest request has waited
     * {@code maxQueueDelayMicros}, then runs with what is queued.
     *
     * @param enabled             off: every request runs on its own
     * @param maxQueueDelayMicros how long the oldest request may wait for a fuller batch; 0 batches only what is
     *                            already queued when an instance frees up
     * @param preferredBatchSizes batch sizes (images) worth running without waiting further
     */
    public record Batching(boolean enabled, long maxQueueDelayMicros, List<Integer> preferredBatchSizes) {

        public static final Batching OFF = new Batching(false, 0, List.of());

        public Batching {
            preferredBatchSizes = List.copyOf(preferredBatchSizes);
            if (maxQueueDelayMicros < 0) {
                throw new IllegalArgumentException("batching.max-queue-delay-micros must be at least 0, got "
                        + maxQueueDelayMicros);
            }
            if (preferredBatchSizes.stream().anyMatch(size -> size < 1)) {
                throw new IllegalArgumentException("batching.preferred-batch-sizes must be positive, got "
                        + preferredBatchSizes);
            }
        }
    }

    public ModelSettings {
        if (instances < 1 || instances > MAX_INSTANCES) {
            throw new IllegalArgumentException("instances must be 1 to " + MAX_INSTANCES + ", got " + instances);
        }
    }

    /**
     * The settings in {@code node} (the keys of {@code shallowserve.serving}), each key it leaves out taken from
     * {@code fallback}.
     *
     * @throws IllegalArgumentException if a value is out of range or not of its type
     */
    public static ModelSettings read(Config node, ModelSettings fallback) {
        try {
            Config batching = node.get("batching");
            return new ModelSettings(
                    node.get("instances").asInt().orElse(fallback.instances()),
                    new Batching(
                            batching.get("enabled").asBoolean().orElse(fallback.batching().enabled()),
                            batching.get("max-queue-delay-micros").asLong()
                                    .orElse(fallback.batching().maxQueueDelayMicros()),
                            integers(batching.get("preferred-batch-sizes"))
                                    .orElse(fallback.batching().preferredBatchSizes())),
                    node.get("version-policy").asString().map(VersionPolicy::parse)
                            .orElse(fallback.versionPolicy()));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A YAML list of integers, or one value "4,8" as an environment variable or system property gives it. */
    private static Optional<List<Integer>> integers(Config node) {
        if (!node.exists()) {
            return Optional.empty();
        }
        if (!node.isLeaf()) {
            return Optional.of(node.asList(Integer.class).get());
        }
        List<Integer> values = new ArrayList<>();
        for (String value : node.asString().get().split(",")) {
            if (!value.isBlank()) {
                try {
                    values.add(Integer.parseInt(value.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(node.key() + " is '" + node.asString().get()
                            + "'; give whole numbers, e.g. [4, 8] or 4,8", e);
                }
            }
        }
        return Optional.of(values);
    }

    /**
     * The settings of the model in {@code modelFolder}: its serving.yaml over {@code defaults}, or the defaults if
     * it has none.
     *
     * @throws ModelVersionException if serving.yaml cannot be read or has a wrong value; the message says which
     */
    public static ModelSettings forModel(Path modelFolder, ModelSettings defaults) throws ModelVersionException {
        Path file = modelFolder.resolve(ModelRepository.SETTINGS_FILE);
        if (!Files.exists(file)) {
            return defaults;
        }
        try {
            return read(Config.just(ConfigSources.file(file)), defaults);
        } catch (IllegalArgumentException | ConfigException e) {
            // Named from the repository root: clients see the message, and the server's paths are not theirs.
            throw new ModelVersionException(modelFolder.getFileName().resolve(ModelRepository.SETTINGS_FILE) + ": " + e.getMessage()
                    + "; fix it (docs/model-repository.md"
                    + " lists the keys) and load the model again", e);
        }
    }
}
