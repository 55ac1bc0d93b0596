package io.shallowserve.server.inference;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A request the server cannot answer, with the status both protocols map it to. The message is for the client:
 * it says what was wrong and, where it can, what to send instead.
 *
 * <p>Messages quote what the client sent (a model name, a version), which can be of any size; a message is
 * therefore bounded to {@link #MAX_MESSAGE_CHARS}, its middle left out. gRPC sends it as the grpc-message header,
 * percent-encoded, and clients refuse headers past a limit (grpc-java: 8 KiB): 512 characters stay under it even
 * when every one of them takes three UTF-8 bytes, each encoded as three characters.
 */
public final class InferenceException extends Exception {

    /** The longest message a client gets. */
    public static final int MAX_MESSAGE_CHARS = 512;
    /** Where a long message keeps its start; the rest of the room goes to its end, which says what to do. */
    private static final int KEPT_START_CHARS = 320;

    /** The failure kinds of the Open Inference Protocol, each with its gRPC status and HTTP code. */
    public enum Status {
        INVALID_ARGUMENT(400),
        NOT_FOUND(404),
        /** A model could not be (re)loaded from the repository as it is now. */
        FAILED_PRECONDITION(400),
        UNAVAILABLE(503),
        RESOURCE_EXHAUSTED(503),
        DEADLINE_EXCEEDED(504),
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
    }

    private final Status status;

    public InferenceException(Status status, String message) {
        super(bounded(message));
        this.status = status;
    }

    public InferenceException(Status status, String message, Throwable cause) {
        super(bounded(message), cause);
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

    /**
     * {@code message}, or, if it is longer than {@link #MAX_MESSAGE_CHARS}, its start and end around a note of how
     * many characters were left out; never splitting a surrogate pair.
     */
    private static String bounded(String message) {
        if (message == null || message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        // The note's length depends on the count it states; assume the largest count, the whole message.
        int note = leftOut(message.length()).length();
        int start = KEPT_START_CHARS;
        int end = message.length() - (MAX_MESSAGE_CHARS - KEPT_START_CHARS - note);
        if (Character.isHighSurrogate(message.charAt(start - 1))) {
            start--;
        }
        if (Character.isLowSurrogate(message.charAt(end))) {
            end++;
        }
        return message.substring(0, start) + leftOut(end - start) + message.substring(end);
    }

    private static String leftOut(int chars) {
        return "…(" + chars + " characters left out)…";
    }

    public static InferenceException invalid(String message) {
        return new InferenceException(Status.INVALID_ARGUMENT, message);
    }

    public static InferenceException notFound(String message) {
        return new InferenceException(Status.NOT_FOUND, message);
    }
}
