package io.shallowserve.loadtest;

import io.shallowserve.loadtest.driver.DriveCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code loadtest <command>}: the load tests' command line. */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        version = "shallowserve loadtest 0.1.0",
        description = "Load generators and the latency comparison of deep and parallel-shallow models.",
        subcommands = {CompareCommand.class, DriveCommand.class, TransportCommand.class})
public final class LoadTestMain {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it. */
    public static CommandLine commandLine() {
        return new CommandLine(new LoadTestMain())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((error, line, parsed) -> {
                    // A wrong option, an unreachable server or a missing file is the user's to fix: say what,
                    // without a stack trace.
                    line.getErr().println("error: " + error.getMessage());
                    return 1;
                });
    }
}
