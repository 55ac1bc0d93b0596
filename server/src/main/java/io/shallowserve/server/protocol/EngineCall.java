package io.shallowserve.server.protocol;

import io.shallowserve.server.inference.InferenceException;

/** Work of a protocol front-end that calls the engine and so may fail with an {@link InferenceException}. */
@FunctionalInterface
public interface EngineCall<T> {
    T run() throws InferenceException;
}
