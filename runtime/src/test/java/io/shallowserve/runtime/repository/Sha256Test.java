package io.shallowserve.runtime.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {

    /** FIPS 180-2 test vector for "abc". */
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void ofFile_givesLowerCaseHexDigest(@TempDir Path directory) throws Exception {
        Path file = Files.writeString(directory.resolve("abc.txt"), "abc", StandardCharsets.US_ASCII);

        assertThat(Sha256.ofFile(file)).isEqualTo(ABC);
    }

    @Test
    void ofFile_agreesWithInMemoryDigestAcrossReadChunks(@TempDir Path directory) throws Exception {
        byte[] bytes = new byte[200_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        Path file = Files.write(directory.resolve("big.bin"), bytes);

        assertThat(Sha256.ofFile(file)).isEqualTo(Sha256.of(bytes)).hasSize(64);
    }
}
