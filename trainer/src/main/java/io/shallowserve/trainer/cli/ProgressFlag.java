package io.shallowserve.trainer.cli;

import io.shallowserve.trainer.train.Progress;
import picocli.CommandLine.Option;

/** {@code --progress / --no-progress}: progress bars on a terminal only, unless told. */
final class ProgressFlag {

    @Option(names = "--progress", negatable = true,
            description = "progress bars during each epoch (default: only when the output is a terminal; otherwise"
                    + " one line per epoch)")
    Boolean bars;

    Progress progress() {
        if (bars == null) {
            return Progress.forConsole();
        }
        return bars ? Progress.BAR : Progress.LINES;
    }
}
