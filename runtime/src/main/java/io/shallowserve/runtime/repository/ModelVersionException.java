package io.shallowserve.runtime.repository;

/**
 * One model version cannot be served. The message is the reason the server reports for it: what was wrong and
 * what to do about it.
 */
public final class ModelVersionException extends Exception {

    public ModelVersionException(String message) {
        super(message);
    }

    public ModelVersionException(String message, Throwable cause) {
        super(message, cause);
    }
}
