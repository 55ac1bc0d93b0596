package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorMessagesTest {

    @Test
    void forClient_shortMessage_isUnchanged() {
        String message = "unknown model 'm'; the repository index (POST /v2/repository/index) lists the models";

        assertThat(ErrorMessages.forClient(message)).isEqualTo(message);
    }

    @Test
    void forClient_longMessage_keepsItsStartAndEndAroundAnEllipsis() {
        String name = "m".repeat(100_000);

        String message = ErrorMessages.forClient("unknown model '" + name + "'; see POST /v2/repository/index");

        assertThat(message).hasSize(ErrorMessages.MAX_CHARS)
                .startsWith("unknown model 'mmm")
                .contains("…")
                .endsWith("mmm'; see POST /v2/repository/index");
    }

    @Test
    void forClient_cutAtASurrogatePair_keepsThePairWhole() {
        String emoji = "\uD83D\uDE00";

        String message = ErrorMessages.forClient(emoji.repeat(1000));

        assertThat(message.codePoints().filter(c -> c != '…').allMatch(c -> c == emoji.codePointAt(0))).isTrue();
        assertThat(message.length()).isLessThanOrEqualTo(ErrorMessages.MAX_CHARS);
    }

    @Test
    void forClient_absolutePathsOnTheServer_keepOnlyTheirLastSegment() {
        assertThat(ErrorMessages.forClient("cannot open /home/alice/models/fashion-deep/1/model.onnx: bad header"))
                .isEqualTo("cannot open …/model.onnx: bad header");
        assertThat(ErrorMessages.forClient("java.nio.file.NoSuchFileException: /tmp/upload-42/model.onnx"))
                .isEqualTo("java.nio.file.NoSuchFileException: …/model.onnx");
        assertThat(ErrorMessages.forClient("failed: 'C:\\Users\\bob\\models\\m.onnx' is locked"))
                .isEqualTo("failed: '…\\m.onnx' is locked");
    }

    @Test
    void forClient_requestPathsAndRelativePaths_stay() {
        String message = "no route for GET /v3/health/ready; the Open Inference Protocol paths are under /v2 "
                + "(models/fashion-deep/1 is relative)";

        assertThat(ErrorMessages.forClient(message)).isEqualTo(message);
    }

    @Test
    void forClient_controlCharacters_becomeSpaces() {
        assertThat(ErrorMessages.forClient("line one\r\n\tline two\u0000")).isEqualTo("line one line two");
    }

    @Test
    void forClient_null_isEmpty() {
        assertThat(ErrorMessages.forClient(null)).isEmpty();
    }
}
