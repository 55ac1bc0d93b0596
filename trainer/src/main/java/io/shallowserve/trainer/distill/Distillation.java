package io.shallowserve.trainer.distill;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.data.ImageDataset;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.arch.ResidualNetwork;
import io.shallowserve.trainer.train.NetworkTrainer;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.TrainingOptions;
import io.shallowserve.trainer.train.TrainingTarget;
import java.io.IOException;

/**
 * Trains two shallow students of one spec with the same seed and options, one on the labels and one on a teacher's
 * logits, and scores both and the teacher on the test split.
 */
public final class Distillation {

    private static final int LOGITS_BATCH = 500;

    private Distillation() {
    }

    /**
     * @param student        the students' spec; they are built in the shallow shape
     * @param bottleneckRank rank of the mimic student's linear bottleneck before the head (0 = none); the label
     *                       student never has one, so it is the plain shallow model
     */
    public static DistillationResult run(OnnxTeacher teacher, TrainingData data, ArchitectureSpec student,
            TrainingOptions options, int bottleneckRank) throws IOException, OrtException {
        if (!teacher.manifest().dataset().name().equals(data.kind().id())) {
            throw new IllegalArgumentException("teacher " + teacher.id() + " was trained on "
                    + teacher.manifest().dataset().name() + ", the students would train on " + data.kind().id());
        }
        if (student.classes() != teacher.manifest().architecture().classes()) {
            throw new IllegalArgumentException("the student has " + student.classes() + " classes, the teacher "
                    + teacher.manifest().architecture().classes());
        }
        int classes = student.classes();
        ImageDataset test = data.test();
        float[] teacherTest = teacher.logits(test);
        DistillationResult.Scores teacherScores = new DistillationResult.Scores(teacher.manifest().parameters(),
                LogitScores.evaluate(teacherTest, test.labels(), classes), 1, 0);

        DistillationResult.Student labels = train("labels", data, student, options, 0, TrainingTarget.CLASS_LABELS,
                teacherTest);
        TeacherLogits teacherTraining = new TeacherLogits(teacher.logits(data.training()), classes);
        DistillationResult.Student mimic = train("teacher logits", data, student, options, bottleneckRank,
                teacherTraining, teacherTest);
        return new DistillationResult(teacher.id(), teacher.manifest().shape(), data.kind().id(),
                data.training().size(), test.size(), student, options.epochs(), options.batchSize(),
                options.learningRate(), options.seed(), teacherScores, labels, mimic);
    }

    private static DistillationResult.Student train(String targetName, TrainingData data, ArchitectureSpec spec,
            TrainingOptions options, int bottleneckRank, TrainingTarget target, float[] teacherTest)
            throws IOException {
        ResidualNetwork network = ResidualNetwork.withBottleneck(spec, NetworkShape.SHALLOW,
                data.normalization().mean(), data.normalization().std(), bottleneckRank);
        try (NetworkTrainer trainer = NetworkTrainer.create(network, options.seed())) {
            long started = System.nanoTime();
            trainer.train(data.training(), data.validation(), options, null, target);
            double seconds = (System.nanoTime() - started) / 1e9;
            float[] logits = logits(trainer, data.test());
            DistillationResult.Scores scores = new DistillationResult.Scores(spec.parameterCount(),
                    LogitScores.evaluate(logits, data.test().labels(), spec.classes()),
                    LogitScores.agreement(logits, teacherTest, spec.classes()),
                    LogitScores.meanSquaredDifference(logits, teacherTest));
            return new DistillationResult.Student(targetName, bottleneckRank,
                    trainedParameters(spec, bottleneckRank), scores, seconds);
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
