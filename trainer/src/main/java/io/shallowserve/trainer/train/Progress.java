package io.shallowserve.trainer.train;

import java.io.Console;

/** How a training run shows its progress on standard output. */
public enum Progress {

    /** A progress bar redrawn in place during each epoch, and a line per epoch: for a terminal. */
    BAR,

    /**
     * A line per epoch only: for logs and pipes, where a bar redrawn with carriage returns would leave thousands of
     * frames in the file.
     */
    LINES,

    /** Nothing: the caller reports on its own. */
    QUIET;

    /** {@link #BAR} when standard output is a terminal, {@link #LINES} otherwise. */
    public static Progress forConsole() {
        return onTerminal() ? BAR : LINES;
    }

    private static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        // JDK 22 to 24 return a console even when the streams are redirected; Console.isTerminal() (JDK 22 and
        // newer, so not in this module's release 21 API) says whether it is a terminal. On JDK 21 a console is one.
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
