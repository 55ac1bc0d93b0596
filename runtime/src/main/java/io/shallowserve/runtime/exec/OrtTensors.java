package io.shallowserve.runtime.exec;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Between the protocol's tensors and ONNX Runtime's: the datatypes ONNX Runtime's Java API can make (every
 * {@link Datatype} but UINT16, UINT32 and UINT64), a graph's inputs and outputs as {@link TensorSpec}s, and the values
 * both ways. Numbers pass as the raw bytes they are: the protocol's layout is little-endian, as ONNX Runtime's is on
 * the little-endian machines it runs on; BYTES elements become Java strings (UTF-8), the only strings the Java API
 * takes.
 */
final class OrtTensors {

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("shallowserve passes tensors to ONNX Runtime as little-endian bytes;"
                    + " this machine is big-endian");
        }
    }

    private OrtTensors() {}

    /**
     * The protocol's datatype for an ONNX element type; empty for types ONNX Runtime's Java API cannot make tensors
     * of (unsigned 16 to 64 bits, complex, 8-bit floats, bfloat16).
     */
    static Optional<Datatype> datatype(TensorInfo.OnnxTensorType type) {
        return Optional.ofNullable(switch (type) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> Datatype.BOOL;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> Datatype.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> Datatype.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> Datatype.INT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> Datatype.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> Datatype.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> Datatype.FP16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> Datatype.FP32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> Datatype.FP64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> Datatype.BYTES;
            default -> null;
        });
    }

    private static OnnxJavaType javaType(Datatype datatype) {
        return switch (datatype) {
            case BOOL -> OnnxJavaType.BOOL;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT8 -> OnnxJavaType.INT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case FP16 -> OnnxJavaType.FLOAT16;
            case FP32 -> OnnxJavaType.FLOAT;
            case FP64 -> OnnxJavaType.DOUBLE;
            case BYTES -> OnnxJavaType.STRING;
            case UINT16, UINT32, UINT64 -> throw new IllegalArgumentException(
                    "ONNX Runtime's Java API has no " + datatype + " tensors");
        };
    }

    /**
     * A graph's inputs or outputs, in its order, as the protocol declares them (-1 for a dimension of any size).
     *
     * @throws IllegalArgumentException naming the first that is not a tensor or not of a type the server serves
     */
    static List<TensorSpec> specs(Map<String, NodeInfo> nodes) {
        List<TensorSpec> specs = new ArrayList<>(nodes.size());
        for (NodeInfo node : nodes.values()) {
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new IllegalArgumentException("'" + node.getName() + "' is a " + node.getInfo()
                        + ", not a tensor; the server serves graphs whose inputs and outputs are tensors");
            }
            Datatype datatype = datatype(info.onnxType).orElseThrow(() -> new IllegalArgumentException(
                    "'" + node.getName() + "' is of element type " + info.onnxType.name().replace(
                            "ONNX_TENSOR_ELEMENT_DATA_TYPE_", "") + ", which ONNX Runtime's Java API cannot pass"));
            specs.add(new TensorSpec(node.getName(), datatype, Arrays.stream(info.getShape()).boxed().toList()));
        }
        return specs;
    }

    /** An ONNX Runtime tensor of {@code tensor}'s values; the caller closes it. */
    static OnnxTensor toOrt(OrtEnvironment environment, Tensor tensor) throws OrtException {
        if (tensor.datatype() == Datatype.BYTES) {
            return OnnxTensor.createTensor(environment, tensor.strings().toArray(String[]::new), tensor.shape());
        }
        // A direct buffer: ONNX Runtime reads it in place (a heap buffer it would read as its Java type, not bytes).
        ByteBuffer direct = ByteBuffer.allocateDirect(tensor.raw().length).order(ByteOrder.nativeOrder());
        direct.put(tensor.raw()).rewind();
        return OnnxTensor.createTensor(environment, direct, tensor.shape(), javaType(tensor.datatype()));
    }

    /** {@code value}'s values as the protocol's tensor {@code name} of {@code datatype}. */
    static Tensor fromOrt(String name, Datatype datatype, OnnxTensor value) throws OrtException {
        long[] shape = value.getInfo().getShape();
        if (datatype == Datatype.BYTES) {
            List<String> strings = new ArrayList<>();
            flatten(value.getValue(), strings);
            return Tensor.ofStrings(name, shape, strings);
        }
        ByteBuffer bytes = value.getByteBuffer();
        byte[] raw = new byte[bytes.remaining()];
        bytes.get(raw);
        return new Tensor(name, datatype, shape, raw);
    }

    /** The strings of a string tensor's value: one string, or nested arrays of them, row-major. */
    private static void flatten(Object value, List<String> into) {
        if (value instanceof String string) {
            into.add(string);
        } else {
            for (int i = 0; i < Array.getLength(value); i++) {
                flatten(Array.get(value, i), into);
            }
        }
    }
}
