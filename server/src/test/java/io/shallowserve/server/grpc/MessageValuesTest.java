package io.shallowserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.shallowserve.proto.inference.InferParameter;
import io.shallowserve.proto.inference.InferTensorContents;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferRequest.InferInputTensor;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class MessageValuesTest {

    @Test
    void count_aRequest_countsItsMessagesStringsAndBytesButNotItsNumbers() {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .setModelName("m")                                                   // 1
                .putParameters("priority", InferParameter.newBuilder().setInt64Param(1).build())  // entry, key, value
                .addInputs(InferInputTensor.newBuilder().setName("a").setDatatype("FP32")         // input, name, datatype
                        .addShape(1).addShape(3)
                        .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2)
                                .addFp32Contents(3)))                                // contents (a packed array)
                .addInputs(InferInputTensor.newBuilder().setName("s").setDatatype("BYTES").addShape(2)
                        .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("x"))
                                .addBytesContents(ByteString.EMPTY)))     // input, name, datatype, contents, 2
                .addRawInputContents(ByteString.copyFrom(new byte[1000]))            // 1
                .build();

        assertThat(MessageValues.count(request.toByteArray(), ModelInferRequest.getDescriptor(), 1000))
                .isEqualTo(1 + 3 + 4 + 6 + 1);
    }

    @Test
    void count_emptyTensorsPastTheLimit_stopsJustPastIt() {
        byte[] emptyInputs = new byte[2 * 1_000_000];
        for (int i = 0; i < emptyInputs.length; i += 2) {
            emptyInputs[i] = (5 << 3) | 2;  // field 5 (inputs), length-delimited, length 0
        }

        assertThat(MessageValues.count(emptyInputs, ModelInferRequest.getDescriptor(), 100)).isEqualTo(101);
    }

    @Test
    void count_valuesBeforeABrokenEnd_areCounted() {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            message.writeBytes(new byte[] {(5 << 3) | 2, 0});
        }
        message.writeBytes(new byte[] {(5 << 3) | 2, 100, 1});  // claims 100 bytes, has 1

        assertThat(MessageValues.count(message.toByteArray(), ModelInferRequest.getDescriptor(), 1000))
                .isEqualTo(51);
    }

    @Test
    void count_unknownFields_countEach() {
        byte[] unknown = new byte[3 * 10];
        for (int i = 0; i < unknown.length; i += 3) {
            unknown[i] = (byte) ((100 << 3) & 0x7f | 0x80);  // field 100, varint: a two-byte tag
            unknown[i + 1] = (byte) ((100 << 3) >>> 7);
            unknown[i + 2] = 1;
        }

        assertThat(MessageValues.count(unknown, ModelInferRequest.getDescriptor(), 1000)).isEqualTo(10);
    }

    @Test
    void count_knownFieldsWithAnotherWireType_countEachAsUnknown() {
        byte[] varintIds = new byte[3 * 10];
        for (int i = 0; i < varintIds.length; i += 3) {
            varintIds[i] = 2 << 3;  // field 2 (id, a string) as a varint, which the parser keeps as an unknown field
            varintIds[i + 1] = (byte) 0xac;
            varintIds[i + 2] = 0x02;
        }

        assertThat(MessageValues.count(varintIds, ModelInferRequest.getDescriptor(), 1000)).isEqualTo(10);
    }

    @Test
    void count_unknownGroup_countsItAndEveryFieldInIt() {
        ByteArrayOutputStream group = new ByteArrayOutputStream();
        group.writeBytes(new byte[] {(byte) 0x9b, 0x06});  // field 99, start group
        for (int i = 0; i < 10; i++) {
            group.writeBytes(new byte[] {1 << 3, 1});  // field 1, varint 1
        }
        group.writeBytes(new byte[] {(1 << 3) | 3, (1 << 3) | 4});  // an empty group inside
        group.writeBytes(new byte[] {(byte) 0x9c, 0x06});  // field 99, end group

        assertThat(MessageValues.count(group.toByteArray(), ModelInferRequest.getDescriptor(), 1000))
                .isEqualTo(1 + 10 + 1);
    }

    @Test
    void count_millionGroupsInAKnownMessageFieldSentAsAGroup_stopsJustPastTheLimit() {
        byte[] groups = new byte[2 * 1_000_000 + 2];
        groups[0] = (5 << 3) | 3;  // field 5 (inputs, a message) as a group
        for (int i = 1; i < groups.length - 1; i += 2) {
            groups[i] = (1 << 3) | 3;
            groups[i + 1] = (1 << 3) | 4;
        }
        groups[groups.length - 1] = (5 << 3) | 4;

        assertThat(MessageValues.count(groups, ModelInferRequest.getDescriptor(), 100)).isEqualTo(101);
    }

    @Test
    void count_unknownGroupsNestedPastAnyMessage_countAsTooMany() {
        byte[] nested = new byte[2 * 100];
        for (int i = 0; i < 100; i++) {
            nested[i] = (1 << 3) | 3;
            nested[nested.length - 1 - i] = (1 << 3) | 4;
        }

        assertThat(MessageValues.count(nested, ModelInferRequest.getDescriptor(), 1000)).isEqualTo(1001);
    }
}
