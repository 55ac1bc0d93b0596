package io.shallowserve.trainer.distill;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.data.ImageDataset;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.arch.ResidualNetwork;
import io.shallowserve.trainer.train.NetworkTrainer;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.TrainingOptions;
import io.shallowserve.trainer.train.TrainingTarget;
import java.io.IOException;
import java.util.Locale;

/**
 * Trains two shallow students of one spec with the same seed and options, one on the labels and one on a teacher's
 * logits (on the same images, or on more: {@link DistillationData}), and scores both and the teacher on the test
 * split.
 */
public final class Distillation {

    private static final int LOGITS_BATCH = 500;

    private Distillation() {
    }

    /**
     * @param student        the students' spec; they are built in the shallow shape
     * @param bottleneckRank rank of the mimic student's linear bottleneck before the head (0 = none); the label
     *                       student never has one, so it is the plain shallow model
     * @throws IllegalArgumentException if the teacher was trained on another data set or for other classes, or, with
     *                                  unlabelled images, not on exactly the students' labelled images: a teacher
     *                                  that learnt more labels than the label student would make the comparison
     *                                  unfair, one that learnt the unlabelled images' labels would hand the mimic
     *                                  those labels
     */
    public static DistillationResult run(OnnxTeacher teacher, DistillationData data, ArchitectureSpec student,
            TrainingOptions options, int bottleneckRank) throws IOException, OrtException {
        TrainingData labelled = data.labelled();
        if (!teacher.manifest().dataset().name().equals(labelled.kind().id())) {
            throw new IllegalArgumentException("teacher " + teacher.id() + " was trained on "
                    + teacher.manifest().dataset().name() + ", the students would train on " + labelled.kind().id());
        }
        if (student.classes() != teacher.manifest().architecture().classes()) {
            throw new IllegalArgumentException("the student has " + student.classes() + " classes, the teacher "
                    + teacher.manifest().architecture().classes());
        }
        if (data.unlabelled().size() > 0) {
            requireTrainedOn(teacher, labelled, options.seed());
        }
        int classes = student.classes();
        ImageDataset test = labelled.test();
        float[] teacherTest = teacher.logits(test);
        DistillationResult.Scores teacherScores = new DistillationResult.Scores(teacher.manifest().parameters(),
                LogitScores.evaluate(teacherTest, test.labels(), classes), 1, 0);

        Trained labels = train("labels", labelled, labelled.training(), student, options, 0,
                TrainingTarget.CLASS_LABELS, teacherTest);
        ImageDataset mimicImages = data.mimicTraining(options.seed());
        TeacherLogits teacherTraining = new TeacherLogits(teacher.logits(mimicImages), classes);
        Trained mimic = train("teacher logits", labelled, mimicImages, student, options, bottleneckRank,
                teacherTraining, teacherTest);
        return new DistillationResult(teacher.id(), teacher.manifest().shape(), labelled.kind().id(),
                teacher.manifest().dataset().trainImages(), labelled.training().size(), data.unlabelled().size(),
                data.augmentedCopies(), test.size(), student, options.epochs(), options.batchSize(),
                options.learningRate(), options.seed(), teacherScores, labels.student(), mimic.student(),
                LogitScores.accuracyDifference(mimic.testLogits(), teacherTest, test.labels(), classes),
                LogitScores.accuracyDifference(mimic.testLogits(), labels.testLogits(), test.labels(), classes));
    }

    /** The teacher's model.json must record the labelled split {@link DistillationData#split} made with its seed. */
    private static void requireTrainedOn(OnnxTeacher teacher, TrainingData labelled, long seed) {
        ModelManifest manifest = teacher.manifest();
        int trained = manifest.dataset().trainImages();
        int validated = manifest.dataset().validationImages();
        if (trained != labelled.training().size() || validated != labelled.validation().size()
                || manifest.training().seed() != seed) {
            int first = labelled.training().size() + labelled.validation().size();
            throw new IllegalArgumentException(String.format(Locale.ROOT, "teacher %s learnt from %d labelled"
                            + " images (%d more held out for validation, seed %d); the students' labelled images are"
                            + " the first %d of the training split: %d to learn from, %d held out, seed %d. The"
                            + " teacher must have learnt from exactly those, and no labels of the unlabelled rest:"
                            + " train it with trainer train --train-limit %d --validation %d --seed %d (and its own"
                            + " spec and shape)",
                    teacher.id(), trained, validated, manifest.training().seed(), first, labelled.training().size(),
                    labelled.validation().size(), seed, first, labelled.validation().size(), seed));
        }
    }

    /** A trained student and its logits on the test split. */
    private record Trained(DistillationResult.Student student, float[] testLogits) {}

    private static Trained train(String targetName, TrainingData data, ImageDataset training, ArchitectureSpec spec,
            TrainingOptions options, int bottleneckRank, TrainingTarget target, float[] teacherTest)
            throws IOException {
        ResidualNetwork network = ResidualNetwork.withBottleneck(spec, NetworkShape.SHALLOW,
                data.normalization().mean(), data.normalization().std(), bottleneckRank);
        try (NetworkTrainer trainer = NetworkTrainer.create(network, options.seed())) {
            long started = System.nanoTime();
            trainer.train(training, data.validation(), options, null, target);
            double seconds = (System.nanoTime() - started) / 1e9;
            float[] logits = logits(trainer, data.test());
            DistillationResult.Scores scores = new DistillationResult.Scores(spec.parameterCount(),
                    LogitScores.evaluate(logits, data.test().labels(), spec.classes()),
                    LogitScores.agreement(logits, teacherTest, spec.classes()),
                    LogitScores.meanSquaredDifference(logits, teacherTest));
            return new Trained(new DistillationResult.Student(targetName, bottleneckRank,
                    trainedParameters(spec, bottleneckRank), scores, seconds), logits);
        }
    }

    private static float[] logits(NetworkTrainer trainer, ImageDataset images) {
        int classes = trainer.network().spec().classes();
        float[] logits = new float[images.size() * classes];
        for (int from = 0; from < images.size(); from += LOGITS_BATCH) {
            int to = Math.min(from + LOGITS_BATCH, images.size());
            float[] batch = trainer.logits(images.pixelsAsFloats(from, to), to - from);
            System.arraycopy(batch, 0, logits, from * classes, batch.length);
        }
        return logits;
    }

    /** The head's features x classes weights are trained as rank x (features + classes) through a bottleneck. */
    static long trainedParameters(ArchitectureSpec spec, int bottleneckRank) {
        if (bottleneckRank == 0) {
            return spec.parameterCount();
        }
        long denseWeights = (long) spec.headFeatures() * spec.classes();
        return spec.parameterCount() - denseWeights
                + (long) bottleneckRank * (spec.headFeatures() + spec.classes());
    }
}
