package io.shallowserve.runtime.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file exists but its content is not what its format promises: wrong magic number, wrong length,
 * a label out of range, a {@code .gz} that is not gzip. The message starts with the file and says exactly
 * what is wrong, so the user can tell a damaged download from a wrong file.
 */
public final class DataFormatException extends IOException {

    private final transient Path file;

    public DataFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DataFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file whose content is wrong. */
    public Path file() {
        return file;
    }
}
