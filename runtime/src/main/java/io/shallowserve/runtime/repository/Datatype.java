package io.shallowserve.runtime.repository;

/** The tensor datatypes of the Open Inference Protocol, by the names clients send and model.json records. */
public enum Datatype {
    BOOL,
    UINT8,
    UINT16,
    UINT32,
    UINT64,
    INT8,
    INT16,
    INT32,
    INT64,
    FP16,
    FP32,
    FP64,
    BYTES
}
