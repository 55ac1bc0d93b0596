package io.shallowserve.server.inference;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The versions of one model: what the last load found and which of them serve. A load or unload builds the new
 * {@link Versions} beside the old ones and swaps them in with one write; a request looks the versions up once and
 * runs on the version it found, which finishes its requests even when a swap retires it meanwhile.
 */
final class ServedModel {

    private static final System.Logger LOG = System.getLogger(ServedModel.class.getName());

    /**
     * One model's versions at one moment; never changed once published.
     *
     * @param states every version the last load or unload considered, READY or UNAVAILABLE with its reason
     * @param ready  the READY versions
     */
    record Versions(NavigableMap<Integer, ModelState> states, NavigableMap<Integer, ServedVersion> ready) {

        static final Versions NONE = new Versions(new TreeMap<>(), new TreeMap<>());

        Versions {
            states = Collections.unmodifiableNavigableMap(new TreeMap<>(states));
            ready = Collections.unmodifiableNavigableMap(new TreeMap<>(ready));
        }

        /** Every version's reason, for messages: "version 1: model.onnx is missing; version 2: ...". */
        String describe() {
            return states.isEmpty() ? "its folder has no version folder (<model>/<positive integer>/)"
                    : states.values().stream().map(s -> "version " + s.version() + ": " + s.reason())
                            .collect(Collectors.joining("; "));
        }
    }

    private final String name;
    private volatile Versions versions = Versions.NONE;
    /** What the last load read (ModelRepository.fingerprint), for polling; guarded by this. */
    private String fingerprint = "";

    ServedModel(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    Versions versions() {
        return versions;
    }

    /**
     * Publishes {@code next}, then retires every version that served before and does not now: its requests in
     * flight finish on it. The caller holds this object's lock, so that loads and unloads of a model do not
     * interleave.
     */
    void publish(Versions next) {
        Versions previous = versions;
        versions = next;
        Set<ServedVersion> stillServing = Collections.newSetFromMap(new IdentityHashMap<>());
        stillServing.addAll(next.ready().values());
        for (ServedVersion version : previous.ready().values()) {
            if (!stillServing.contains(version)) {
                version.retire();
                LOG.log(System.Logger.Level.INFO, "{0}/{1}: {2}; its requests in flight finish on it", name,
                        version.version(), next.ready().containsKey(version.model().version())
                                ? "replaced by its reload" : "unloaded");
            }
        }
    }

    String fingerprint() {
        return fingerprint;
    }

    void fingerprint(String loaded) {
        fingerprint = loaded;
    }

}
