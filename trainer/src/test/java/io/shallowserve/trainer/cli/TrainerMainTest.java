package io.shallowserve.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.trainer.train.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line says what is wrong, in one line, and exits non-zero, for input a user can get wrong. */
class TrainerMainTest {

    @TempDir
    Path folder;

    private final StringWriter output = new StringWriter();
    private final StringWriter errors = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = TrainerMain.commandLine();
        commandLine.setOut(new PrintWriter(output, true));
        commandLine.setErr(new PrintWriter(errors, true));
        return commandLine.execute(args);
    }

    @Test
    void help_everySubcommand_printsItsUsage() {
        Set<String> subcommands = TrainerMain.commandLine().getSubcommands().keySet();
        assertThat(subcommands).contains("train", "compare", "sweep", "distill", "report");
        for (String subcommand : subcommands) {
            output.getBuffer().setLength(0);

            int exit = run(subcommand, "--help");

            assertThat(exit).as(subcommand).isZero();
            assertThat(output.toString()).as(subcommand).startsWith("Usage: trainer " + subcommand);
            assertThat(errors.toString()).as(subcommand).isEmpty();
        }
    }

    @Test
    void train_validationAndValidationFraction_saysTheyAreExclusive() {
        int exit = run("train", "--validation", "1000", "--validation-fraction", "0.1", "--output",
                folder.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains("--validation and --validation-fraction are exclusive");
        assertThat(folder).isEmptyDirectory();
    }

    @Test
    void train_progressFlags_barsOnlyWhenAskedOrOnATerminal() {
        assertThat(progressOf("train")).isEqualTo(Progress.forConsole());
        assertThat(progressOf("train", "--progress")).isEqualTo(Progress.BAR);
        assertThat(progressOf("train", "--no-progress")).isEqualTo(Progress.LINES);
        // Tests run with their output in a file, not on a terminal.
        assertThat(Progress.forConsole()).isEqualTo(Progress.LINES);
    }

    private static Progress progressOf(String... args) {
        CommandLine.ParseResult parsed = TrainerMain.commandLine().parseArgs(args);
        TrainCommand train = parsed.subcommand().commandSpec().commandLine().getCommand();
        return train.training.options().progress();
    }

    @Test
    void train_parnetStreamsThatDoNotSplitTheUnits_explainsSpec() {
        int exit = run("train", "--shape", "parnet", "--streams", "3", "--output", folder.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).startsWith("error: Impossible parnet network: the 8 units must split into 3"
                + " streams of equal length");
        assertThat(folder).isEmptyDirectory();
    }

    @Test
    void train_kernelLargerThanFeatureMap_explainsSpec() {
        int exit = run("train", "--unit-kernel", "15", "--output", folder.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).startsWith("error: Impossible architecture: unitKernel 15 is larger than the"
                + " 14x14 feature map");
        assertThat(folder).isEmptyDirectory();
    }

    @Test
    void train_dataFolderWithoutDataset_saysWhereItLookedAndHowToGetIt() throws Exception {
        Path empty = Files.createDirectories(folder.resolve("empty"));

        int exit = run("train", "--data", empty.toString(), "--output", folder.resolve("models").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains(empty.toString()).contains("apt-get install dataset-fashion-mnist");
        assertThat(folder.resolve("models")).doesNotExist();
    }

    @Test
    void train_unknownDataset_namesTheKnownOnes() {
        int exit = run("train", "--dataset", "imagenet", "--output", folder.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains("imagenet").contains("fashion-mnist");
    }

    @Test
    void compare_repositoryWithoutModels_saysToTrainFirst() {
        int exit = run("compare", "--models", folder.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains("no <model>/<version> folder under " + folder).contains("trainer train");
    }
}
