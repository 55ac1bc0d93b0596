package io.shallowserve.server.inference;

/**
 * A request the server cannot answer, with the status both protocols map it to. The message is for the client:
 * it says what was wrong and, where it can, what to send instead.
 */
public final class InferenceException extends Exception {

    /** The failure kinds of the Open Inference Protocol, each with its gRPC status and HTTP code. */
    public enum Status {
        INVALID_ARGUMENT(400),
        NOT_FOUND(404),
        /** A model could not be (re)loaded from the repository as it is now. */
        FAILED_PRECONDITION(400),
        UNAVAILABLE(503),
        RESOURCE_EXHAUSTED(503),
        DEADLINE_EXCEEDED(504),
        INTERNAL(500);

        private final int httpCode;

        Status(int httpCode) {
            this.httpCode = httpCode;
        }

        public int httpCode() {
            return httpCode;
        }
    }

    private final Status status;

    public InferenceException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public InferenceException(Status status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    public static InferenceException invalid(String message) {
        return new InferenceException(Status.INVALID_ARGUMENT, message);
    }

    public static InferenceException notFound(String message) {
        return new InferenceException(Status.NOT_FOUND, message);
    }
}
