package io.shallowserve.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line says what is wrong, in one line, and exits non-zero, for input a user can get wrong. */
class TrainerMainTest {

    @TempDir
    Path folder;

    private final StringWriter errors = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = TrainerMain.commandLine();
        commandLine.setErr(new PrintWriter(errors, true));
        return commandLine.execute(args);
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
        assertThat(errors.toString()).contains("no model.json under " + folder).contains("trainer train");
    }
}
