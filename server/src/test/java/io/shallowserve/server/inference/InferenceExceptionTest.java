package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bound on messages for clients, which quote what the client sent. */
class InferenceExceptionTest {

    @Test
    void message_upToTheLimit_isKept() {
        String message = "x".repeat(InferenceException.MAX_MESSAGE_CHARS);

        assertThat(InferenceException.notFound(message).getMessage()).isEqualTo(message);
    }

    @Test
    void message_overTheLimit_keepsStartAndEndAndSaysHowMuchIsLeftOut() {
        String message = "unknown model '" + "m".repeat(100 * 1024) + "'; the repository index lists the models";

        String bounded = InferenceException.invalid(message).getMessage();

        assertThat(bounded).hasSizeLessThanOrEqualTo(InferenceException.MAX_MESSAGE_CHARS)
                .startsWith("unknown model 'mmm")
                .endsWith("mmm'; the repository index lists the models");
        int leftOut = Integer.parseInt(bounded.replaceAll(".*…\\((\\d+) characters left out\\)….*", "$1"));
        assertThat(bounded.length() - "…( characters left out)…".length() - Integer.toString(leftOut).length()
                + leftOut).isEqualTo(message.length());
    }

    @Test
    void message_overTheLimit_neverSplitsASurrogatePair() {
        for (int offset = 0; offset < 2; offset++) {
            String message = "x".repeat(offset) + "\uD83D\uDE42".repeat(1000);

            String bounded = new InferenceException(InferenceException.Status.NOT_FOUND, message).getMessage();

            String withoutNote = bounded.replaceAll("…\\(\\d+ characters left out\\)…", "");
            assertThat(withoutNote.codePoints()).as("offset %d", offset)
                    .allMatch(c -> c == 'x' || c == 0x1F642);
        }
    }
}
