package io.shallowserve.runtime.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {

    private static final long[] THREE = {3};

    @Test
    void firstElementNotUtf8_text_isEmpty() {
        // Empty, a NUL inside, and a character outside the Basic Multilingual Plane (four bytes).
        Tensor text = Tensor.ofBytes("s", THREE, List.of(new byte[0], new byte[] {'a', 0, 'b'},
                "\u00e9\uD83D\uDE00".getBytes(StandardCharsets.UTF_8)));

        assertThat(text.firstElementNotUtf8()).isEmpty();
    }

    @Test
    void firstElementNotUtf8_malformedBytes_namesTheFirstSuchElement() {
        byte[] surrogate = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
        byte[] truncated = {(byte) 0xF0, (byte) 0x9F, (byte) 0x98};
        byte[] overlong = {(byte) 0xC0, (byte) 0x80};

        for (byte[] malformed : List.of(surrogate, truncated, overlong)) {
            Tensor tensor = Tensor.ofBytes("s", THREE, List.of(new byte[] {'o', 'k'}, malformed, new byte[] {-1}));
            assertThat(tensor.firstElementNotUtf8()).hasValue(1);
            assertThat(tensor.strings().get(1)).contains("\uFFFD");
        }
    }
}
