package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.data.DataLocator;
import io.shallowserve.runtime.data.DataSplits;
import io.shallowserve.runtime.data.DatasetKind;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data FOLDER}: where the data sets' files are, else where {@link DataLocator} looks. */
final class DataFlag {

    @Option(names = "--data", description = "folder with the data set files (else $SHALLOWSERVE_DATA, else"
            + " /usr/share/datasets/<dataset>)")
    Path folder;

    /** Finds {@code kind}'s files (in the --data folder only, when given) and reads its splits. */
    DataSplits load(DatasetKind kind) throws IOException {
        return DataSplits.load(kind, DataLocator.fromSystem().locate(kind, folder));
    }
}
