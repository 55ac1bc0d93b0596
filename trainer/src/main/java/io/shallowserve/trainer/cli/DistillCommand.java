package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.report.Table;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.distill.Distillation;
import io.shallowserve.trainer.distill.DistillationResult;
import io.shallowserve.trainer.distill.OnnxTeacher;
import io.shallowserve.trainer.train.ValidationSplit;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trainer distill}: a shallow student trained on a teacher's logits, against the same student trained on the
 * labels. The defaults are the committed default pair's: the students train exactly as fashion-shallow/1 did, on the
 * split fashion-deep/1 trained on, so the teacher never saw the validation images.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Mimic learning: train a shallow student on a trained teacher's logits (L2) and compare it with"
                + " the same shallow spec trained on the labels, and with the teacher.")
final class DistillCommand implements Callable<Integer> {

    @Option(names = "--teacher", defaultValue = "models/fashion-deep/1",
            description = "the teacher's version folder (default: ${DEFAULT-VALUE})")
    Path teacherFolder;

    @Option(names = "--width", description = "the students' width (default: the teacher's)")
    Integer width;

    @Option(names = "--units", description = "the students' units (default: the teacher's)")
    Integer units;

    @Option(names = "--unit-kernel", description = "the students' unit kernel (default: the teacher's)")
    Integer unitKernel;

    @Option(names = "--activation", description = "the students' activation (default: the teacher's)")
    Activation activation;

    @Option(names = "--bottleneck", defaultValue = "0",
            description = "rank of the mimic's linear bottleneck before the head's dense layer, folded at export"
                    + " (0 = none)")
    int bottleneck;

    @Mixin
    TrainingFlags training;

    @Option(names = "--output", defaultValue = "research/default-grid",
            description = "folder for distill.json; trainer report includes it when this is a sweep's results folder"
                    + " (default: ${DEFAULT-VALUE})")
    Path output;

    @Override
    public Integer call() throws Exception {
        try (OnnxTeacher teacher = OnnxTeacher.open(teacherFolder)) {
            ArchitectureSpec taught = ArchitectureSpec.fromManifest(teacher.manifest().architecture());
            ArchitectureSpec student = new ArchitectureSpec(taught.inputChannels(), taught.inputHeight(),
                    taught.inputWidth(), taught.classes(), width != null ? width : taught.width(), taught.stemKernel(),
                    taught.stemPool(), units != null ? units : taught.units(),
                    unitKernel != null ? unitKernel : taught.unitKernel(),
                    activation != null ? activation : taught.activation(), taught.batchNorm(), taught.headPool());
            DatasetKind kind = DatasetKind.fromId(teacher.manifest().dataset().name());
            // The teacher's own split by default, so the students' validation images are ones it never trained on.
            ValidationSplit teachersSplit = ValidationSplit.ofImages(teacher.manifest().dataset().validationImages());
            DistillationResult result = Distillation.run(teacher, training.data(kind, teachersSplit), student,
                    training.options(), bottleneck);
            result.write(output);
            System.out.println();
            System.out.println(result.description());
            System.out.print(new Table(DistillationResult.tableHeader(),
                    result.tableRows(), 2).markdown());
            System.out.println("wrote " + output.resolve(DistillationResult.FILE_NAME));
            return 0;
        }
    }
}
