package io.shallowserve.server.inference;

/**
 * One input tensor as a protocol front-end decoded it: FP32 values, row-major, {@code values.length} equal to
 * the product of {@code shape} (the front-end checks that against the bytes it received).
 */
public record InferInput(String name, String datatype, long[] shape, float[] values) {}
