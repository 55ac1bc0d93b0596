package io.shallowserve.server.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * Counts the objects parsing a protobuf message would make, from its bytes, before it is parsed: every message,
 * string and bytes value, and every field the type does not know (kept as unknown fields, as is a known field sent
 * with a wire type not its type's; each field in an unknown group counts too). A value of two bytes on the wire (an
 * empty InferInputTensor, a one-byte bytes_contents element) becomes an object of 50 to 100 bytes in the heap: 16 MB
 * of them, the largest message taken, held about 470 MB once parsed, which a server with a 512 MB heap (the
 * Kubernetes deployment's) cannot survive. Numbers, packed or not, become primitive arrays and count nothing.
 */
final class MessageValues {

    /** Deeper than any message of the service nests; a message nesting deeper counts as too many values. */
    private static final int MAX_DEPTH = 32;

    private final CodedInputStream in;
    private final int limit;
    private int values;

    private MessageValues(byte[] bytes, int limit) {
        this.in = CodedInputStream.newInstance(bytes);
        this.limit = limit;
    }

    /**
     * The values of the message of {@code type} in {@code bytes}, counted up to one past {@code limit}: a count over
     * it says only that there are more. Malformed bytes count as far as they read (the parse then says what is wrong
     * with them), so that a message cannot hide its values in front of a broken end.
     */
    static int count(byte[] bytes, Descriptor type, int limit) {
        MessageValues counter = new MessageValues(bytes, limit);
        try {
            counter.count(type, 0);
        } catch (IOException e) {
            // Counted as far as the bytes read.
        }
        return counter.values;
    }

    private void count(Descriptor type, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            values = limit + 1;
            return;
        }
        while (values <= limit && !in.isAtEnd()) {
            int tag = in.readTag();
            int wireType = WireFormat.getTagWireType(tag);
            FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
            if (field == null || !(wireType == field.getLiteType().getWireType()
                    || field.isPackable() && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                // Kept as an unknown field: so is a known field whose wire type is not its type's.
                unknown(tag, depth);
            } else if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int length = in.readRawVarint32();
                if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    values++;
                    int outer = in.pushLimit(length);
                    count(field.getMessageType(), depth + 1);
                    in.popLimit(outer);
                } else {
                    // A string or bytes value is an object; a packed array of numbers is one primitive array.
                    if (field.getJavaType() == FieldDescriptor.JavaType.STRING
                            || field.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING) {
                        values++;
                    }
                    in.skipRawBytes(length);
                }
            } else {
                in.skipField(tag);
            }
        }
    }

    /**
     * An unknown field is an object, a group (wire types 3 and 4) one holding an unknown field for each of its own:
     * a group of millions of fields is millions of objects.
     */
    private void unknown(int tag, int depth) throws IOException {
        values++;
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_START_GROUP) {
            in.skipField(tag);
            return;
        }
        if (depth + 1 > MAX_DEPTH) {
            values = limit + 1;
            return;
        }
        int end = tag - WireFormat.WIRETYPE_START_GROUP + WireFormat.WIRETYPE_END_GROUP;
        while (values <= limit) {
            int inner = in.readTag();
            if (inner == end || inner == 0) {
                return;
            }
            unknown(inner, depth + 1);
        }
    }
}
