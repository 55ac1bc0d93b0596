package io.shallowserve.server.inference;

import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A request the server cannot answer, with the status both protocols map it to. The message is for the client:
 * it says what was wrong and, where it can, what to send instead.
 *
 * <p>Messages quote what the client sent (a model name, a version), which can be of any size, and may quote a
 * path on the server's disk: every message is kept in the form {@link ErrorMessages#forClient} gives it.
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
        /** A protocol feature this server does not offer (Triton's UNSUPPORTED: gRPC UNIMPLEMENTED, HTTP 501). */
        UNIMPLEMENTED(501),
        /** The client cancelled the request or went away; 499 is the code proxies log for a closed request. */
        CANCELLED(499),
        INTERNAL(500);

        private final int httpCode;

        Status(int httpCode) {
            this.httpCode = httpCode;
        }

        public int httpCode() {
            return httpCode;
        }

        /**
         * The reason Triton counts a request that failed so under (its metrics' {@code reason} label): refused by
         * the queue (full, closing, or past its deadline before it ran), cancelled by the client, failed while the
         * model ran, or another failure of a request the model took. Empty for a request Triton refuses before it
         * reaches the model's statistics (input that does not fit the model, a version it does not have:
         * TRITONSERVER_ServerInferAsync prepares the request before it counts it), so that the statistics' failures
         * and the alerts on them are the server's, not the clients' mistakes.
         */
        public Optional<String> tritonFailureReason() {
            return Optional.ofNullable(switch (this) {
                case RESOURCE_EXHAUSTED, UNAVAILABLE, DEADLINE_EXCEEDED -> "REJECTED";
                case CANCELLED -> "CANCELED";
                case INTERNAL -> "BACKEND";
                case FAILED_PRECONDITION, UNIMPLEMENTED -> "OTHER";
                case INVALID_ARGUMENT, NOT_FOUND -> null;
            });
        }
    }

    private final Status status;

    public InferenceException(Status status, String message) {
        super(ErrorMessages.forClient(message));
        this.status = status;
    }

    public InferenceException(Status status, String message, Throwable cause) {
        super(ErrorMessages.forClient(message), cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /**
     * What {@code failure} means to a client: the {@link InferenceException} itself, also when a future wrapped
     * it; CANCELLED for a cancelled future; INTERNAL, with {@code failure} as the cause, for anything else (a bug,
     * which the front-end logs).
     */
    public static InferenceException of(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return switch (cause) {
            case InferenceException e -> e;
            case CancellationException e -> new InferenceException(Status.CANCELLED, "the request was cancelled");
            default -> new InferenceException(Status.INTERNAL, "internal error: " + cause, cause);
        };
    }

    public static InferenceException invalid(String message) {
        return new InferenceException(Status.INVALID_ARGUMENT, message);
    }

    public static InferenceException notFound(String message) {
        return new InferenceException(Status.NOT_FOUND, message);
    }
}
