package io.shallowserve.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.exec.Machine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** sweep, distill and report say what is wrong in one line, for input a user can get wrong. */
class ResearchCommandsTest {

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
    void sweep_unknownGrid_namesThePresets() {
        int exit = run("sweep", "--grid", "huge", "--output", folder.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains("unknown grid 'huge'").contains("default, converged, shapes or large");
    }

    @Test
    void sweep_shapesWithoutShallow_saysThePairIsNeededBeforeWritingResults() {
        int exit = run("sweep", "--shapes", "deep,tat", "--output", folder.resolve("results").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains("must include deep and shallow");
        assertThat(folder.resolve("results")).doesNotExist();
    }

    @Test
    void sweep_unknownShape_namesTheShapes() {
        int exit = run("sweep", "--shapes", "deep,shallow,wide", "--output", folder.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains("unknown shape 'wide'").contains("shallow-mean");
    }

    @Test
    void sweep_dataFolderWithoutDataset_saysWhereItLookedBeforeWritingResults() throws Exception {
        Path empty = Files.createDirectories(folder.resolve("empty"));

        int exit = run("sweep", "--data", empty.toString(), "--output", folder.resolve("results").toString(),
                "--models", folder.resolve("models").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains(empty.toString()).contains("apt-get install dataset-fashion-mnist");
        assertThat(folder.resolve("results")).doesNotExist();
    }

    @Test
    void machineLine_sweepResumedOnOtherHardware_namesBothMachines() {
        Machine xeon = new Machine(2, "Intel(R) Xeon(R) Processor", "Linux amd64", "25", "1.29.0");
        Machine epyc = new Machine(2, "AMD EPYC", "Linux amd64", "25", "1.29.0");

        assertThat(SweepCommand.machineLine(xeon, xeon)).isEqualTo("machine: " + xeon);
        assertThat(SweepCommand.machineLine(xeon, epyc)).startsWith("machine: " + epyc)
                .contains("first rows were made on " + xeon);
    }

    @Test
    void report_folderWithoutSweep_saysToRunTheSweepFirst() {
        int exit = run("report", "--results", folder.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains("no sweep.json in " + folder).contains("trainer sweep");
    }

    @Test
    void distill_teacherFolderWithoutModel_saysWhichFile() throws Exception {
        Path teacher = Files.createDirectories(folder.resolve("teacher").resolve("1"));
        int exit = run("distill", "--teacher", teacher.toString(), "--output", folder.resolve("out").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains(Path.of("teacher", "1", "model.json") + " is missing");
        assertThat(folder.resolve("out")).doesNotExist();
    }

    @Test
    void distill_labelledWithTeacherOfAllImages_saysHowToTrainTheTeacherBeforeTraining() {
        int exit = run("distill", "--teacher", Path.of("..", "models", "fashion-deep", "1").toString(), "--labelled",
                "10000", "--output", folder.resolve("out").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString()).contains("teacher fashion-deep/1 learnt from 55000 labelled images")
                .contains("trainer train --train-limit 10000 --validation 5000 --seed 1");
        assertThat(folder.resolve("out")).doesNotExist();
    }
}
