package io.shallowserve.server.inference;

/** One model version in the repository index: READY, or UNAVAILABLE with the reason it failed to load. */
public record ModelState(String name, String version, State state, String reason) {

    public enum State {
        READY,
        UNAVAILABLE
    }
}
