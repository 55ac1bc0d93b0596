package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorProtosTest {

    @Test
    void toTensor_typedFieldsAndRawData_giveTheSameRawLayout() {
        ByteBuffer floats = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f);
        Tensor typed = TensorProtos.toTensor("x", proto(DataType.FLOAT).addFloatData(1.5f).addFloatData(-2f).build());
        Tensor raw = TensorProtos.toTensor("x", proto(DataType.FLOAT)
                .setRawData(ByteString.copyFrom(floats.array())).build());

        assertThat(typed.raw()).containsExactly(floats.array());
        assertThat(raw.raw()).containsExactly(floats.array());
        assertThat(typed.shape()).containsExactly(2);
    }

    @Test
    void toTensor_narrowTypesInInt32Data_takeTheirOwnWidth() {
        Tensor bools = TensorProtos.toTensor("b", proto(DataType.BOOL).addInt32Data(1).addInt32Data(0).build());
        Tensor halves = TensorProtos.toTensor("h", proto(DataType.FLOAT16)
                .addInt32Data(Float.floatToFloat16(0.5f)).addInt32Data(Float.floatToFloat16(-3f)).build());
        Tensor longs = TensorProtos.toTensor("l", proto(DataType.INT64).addInt64Data(Long.MIN_VALUE).addInt64Data(7)
                .build());

        assertThat(bools.datatype()).isEqualTo(Datatype.BOOL);
        assertThat(bools.raw()).containsExactly(1, 0);
        assertThat(halves.number(0)).isEqualTo(0.5);
        assertThat(halves.number(1)).isEqualTo(-3.0);
        assertThat(longs.exactLong(0)).isEqualTo(Long.toString(Long.MIN_VALUE));
    }

    @Test
    void toTensor_strings_areBytesElements() {
        Tensor strings = TensorProtos.toTensor("s", proto(DataType.STRING)
                .addStringData(ByteString.copyFromUtf8("a")).addStringData(ByteString.copyFromUtf8("é")).build());

        assertThat(strings.strings()).isEqualTo(List.of("a", "é"));
    }

    @Test
    void toTensor_countOtherThanTheDims_isRefused() {
        assertThatThrownBy(() -> TensorProtos.toTensor("x", proto(DataType.INT32).addInt32Data(1).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("x: 1 values for dims [2], which hold 2");
    }

    @Test
    void toTensor_typeTheServerDoesNotServe_isRefused() {
        assertThatThrownBy(() -> TensorProtos.toTensor("x", proto(DataType.UINT16).addInt32Data(1).addInt32Data(2)
                .build())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: UINT16 is not a datatype the server serves");
    }

    /** A tensor of two elements. */
    private static TensorProto.Builder proto(DataType type) {
        return TensorProto.newBuilder().setDataType(type.getNumber()).addDims(2);
    }
}
