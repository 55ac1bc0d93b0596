package io.shallowserve.loadtest.driver;

/** Sends one request of a run, asynchronously; the same request kind every time (inference, or a no-op). */
@FunctionalInterface
public interface Transport {

    /**
     * Sends request number {@code sequence} (from 0; transports cycle through their prepared requests with it) and
     * returns without waiting for the answer.
     *
     * @param done told exactly once, from any thread, when the answer (or the failure) has arrived
     */
    void send(long sequence, Completion done);

    /** The outcome of one request. */
    @FunctionalInterface
    interface Completion {
        /** @param error null for a successful answer, else its kind ("HTTP 503", "UNAVAILABLE: " and the message) */
        void complete(String error);
    }
}
