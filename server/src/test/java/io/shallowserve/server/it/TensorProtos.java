package io.shallowserve.server.it;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * ONNX's TensorProto (the input_N.pb and output_N.pb files of ONNX's backend tests) as the protocol's
 * {@link Tensor}. A TensorProto holds its values either in raw_data, little-endian and packed as the protocol's raw
 * contents are, or in the typed field of its data type: float_data (FLOAT), double_data (DOUBLE), int64_data (INT64),
 * string_data (STRING), and int32_data for every narrower integer, BOOL and FLOAT16 (its bits), one element per int.
 */
final class TensorProtos {

    private TensorProtos() {
    }

    /**
     * The protocol's datatype of an ONNX element type (TensorProto.DataType's number); empty for those the server does
     * not serve: unsigned 16 to 64 bits, complex, bfloat16, the 8-bit floats and any type newer than this list.
     */
    static Optional<Datatype> datatype(int elementType) {
        TensorProto.DataType type = TensorProto.DataType.forNumber(elementType);
        return Optional.ofNullable(type == null ? null : switch (type) {
            case BOOL -> Datatype.BOOL;
            case UINT8 -> Datatype.UINT8;
            case INT8 -> Datatype.INT8;
            case INT16 -> Datatype.INT16;
            case INT32 -> Datatype.INT32;
            case INT64 -> Datatype.INT64;
            case FLOAT16 -> Datatype.FP16;
            case FLOAT -> Datatype.FP32;
            case DOUBLE -> Datatype.FP64;
            case STRING -> Datatype.BYTES;
            default -> null;
        });
    }

    /** The ONNX name of an element type, for skip reasons: "UINT16", "BFLOAT16", or its number if unknown here. */
    static String elementTypeName(int elementType) {
        TensorProto.DataType type = TensorProto.DataType.forNumber(elementType);
        return type == null ? "element type " + elementType : type.name();
    }

    /**
     * {@code proto}'s values as a tensor named {@code name} (the graph's name for it; the file's own may be empty).
     *
     * @throws IllegalArgumentException for a data type the server does not serve, external data, or a value count
     *                                  other than the dims'
     */
    static Tensor toTensor(String name, TensorProto proto) {
        Datatype datatype = datatype(proto.getDataType()).orElseThrow(() -> new IllegalArgumentException(
                name + ": " + elementTypeName(proto.getDataType()) + " is not a datatype the server serves"));
        if (proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalArgumentException(name + ": values in an external file are not read here");
        }
        long[] shape = proto.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int count = Math.toIntExact(Tensor.elementCount(shape));
        Tensor tensor = switch (datatype) {
            case BYTES -> Tensor.ofBytes(name, shape, proto.getStringDataList().stream()
                    .map(ByteString::toByteArray).toList());
            default -> new Tensor(name, datatype, shape, proto.getRawData().isEmpty() && count > 0
                    ? typedValues(name, datatype, proto, count) : proto.getRawData().toByteArray());
        };
        Tensor.layoutProblem(datatype, shape, tensor.raw()).ifPresent(problem -> {
            throw new IllegalArgumentException(name + ": " + problem);
        });
        return tensor;
    }

    /** The typed field's values in the raw layout. */
    private static byte[] typedValues(String name, Datatype datatype, TensorProto proto, int count) {
        ByteBuffer raw = ByteBuffer.allocate(count * datatype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        List<? extends Number> values = switch (datatype) {
            case FP32 -> proto.getFloatDataList();
            case FP64 -> proto.getDoubleDataList();
            case INT64 -> proto.getInt64DataList();
            default -> proto.getInt32DataList();
        };
        if (values.size() != count) {
            throw new IllegalArgumentException(name + ": " + values.size() + " values for dims "
                    + Arrays.toString(proto.getDimsList().toArray()) + ", which hold " + count);
        }
        for (Number value : values) {
            switch (datatype) {
                case FP32 -> raw.putFloat(value.floatValue());
                case FP64 -> raw.putDouble(value.doubleValue());
                case INT64 -> raw.putLong(value.longValue());
                case INT32 -> raw.putInt(value.intValue());
                case INT16, FP16 -> raw.putShort(value.shortValue());
                default -> raw.put(value.byteValue());
            }
        }
        return raw.array();
    }
}
