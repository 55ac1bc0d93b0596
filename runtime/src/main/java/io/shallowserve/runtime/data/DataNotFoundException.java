package io.shallowserve.runtime.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data set, or one of its files, is not where it was looked for. The message says where that was and,
 * when it comes from {@link DataLocator}, how to get the data.
 */
public final class DataNotFoundException extends IOException {

    public DataNotFoundException(String message) {
        super(message);
    }

    /** For a reader handed a path that is not a regular file. */
    static DataNotFoundException missingFile(Path file) {
        return new DataNotFoundException(file + ": no such file");
    }
}
