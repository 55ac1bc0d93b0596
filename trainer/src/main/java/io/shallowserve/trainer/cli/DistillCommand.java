package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.distill.Distillation;
import io.shallowserve.trainer.distill.DistillationData;
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
 * split fashion-deep/1 trained on, so the teacher never saw the validation images. {@code --labelled} and
 * {@code --augment} give the mimic more images than the labels cover (see {@link DistillationData}).
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

    @Option(names = "--labelled", defaultValue = "0",
            description = "only the first N training images are labelled: the teacher must have been trained on"
                    + " them (trainer train --train-limit N, the same validation split and seed) and the label"
                    + " student learns from them; the mimic also learns the teacher's logits on the rest"
                    + " (0 = all labelled)")
    int labelled;

    @Option(names = "--augment", defaultValue = "0",
            description = "K copies of every image the mimic learns from, each mirrored left to right or not and"
                    + " moved by up to 2 pixels (zero fill), scored by the teacher: the mimic learns from (K + 1)"
                    + " times the images (default: ${DEFAULT-VALUE})")
    int augment;

    @Mixin
    TrainingFlags training;

    @Option(names = "--output", defaultValue = "research/default-grid",
            description = "folder for distill.json (distill-held-out.json with --labelled, distill-augmented.json"
                    + " with --augment) and a .md beside it; trainer report includes distill.json when this is a"
                    + " sweep's results folder (default: ${DEFAULT-VALUE})")
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
            DistillationData data = training.distillationData(kind, teachersSplit, labelled, augment);
            DistillationResult result = Distillation.run(teacher, data, student, training.options(), bottleneck);
            result.write(output);
            System.out.println();
            System.out.print(result.markdown());
            System.out.println("wrote " + output.resolve(result.fileName()));
            return 0;
        }
    }
}
