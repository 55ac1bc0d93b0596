package io.shallowserve.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code trainer <command>}: the trainer's command line. */
@Command(
        name = "trainer",
        mixinStandardHelpOptions = true,
        version = "shallowserve trainer 0.1.0",
        description = "Trains deep and parallel-shallow residual networks and exports them to a model repository.",
        subcommands = {TrainCommand.class, CompareCommand.class, SweepCommand.class, DistillCommand.class,
                ReportCommand.class, DepthScalingCommand.class})
public final class TrainerMain {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it. */
    public static CommandLine commandLine() {
        return new CommandLine(new TrainerMain())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((error, line, parsed) -> {
                    // Bad input (missing data, a damaged file, an impossible spec) is the user's to fix: say what,
                    // without a stack trace.
                    line.getErr().println("error: " + error.getMessage());
                    return 1;
                });
    }
}
