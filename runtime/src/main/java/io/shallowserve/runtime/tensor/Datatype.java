package io.shallowserve.runtime.tensor;

import java.util.Optional;

/**
 * The tensor datatypes of the Open Inference Protocol, by the names clients send and model.json records, with the
 * bytes one element takes in the protocol's raw contents (little-endian; BOOL one byte; FP16 the IEEE half bits).
 */
public enum Datatype {
    BOOL(1),
    UINT8(1),
    UINT16(2),
    UINT32(4),
    UINT64(8),
    INT8(1),
    INT16(2),
    INT32(4),
    INT64(8),
    FP16(2),
    FP32(4),
    FP64(8),
    /** Strings or any bytes: each element in raw contents is its 4-byte little-endian length, then its bytes. */
    BYTES(0);

    private final int byteSize;

    Datatype(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element in raw contents; 0 for {@link #BYTES}, whose elements carry their own length. */
    public int byteSize() {
        return byteSize;
    }

    /** The datatype a client names, e.g. "FP32"; empty for a name the protocol does not have. */
    public static Optional<Datatype> parse(String name) {
        for (Datatype datatype : values()) {
            if (datatype.name().equals(name)) {
                return Optional.of(datatype);
            }
        }
        return Optional.empty();
    }
}
