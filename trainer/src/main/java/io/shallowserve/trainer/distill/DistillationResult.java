package io.shallowserve.trainer.distill;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.train.Evaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code trainer distill} measured, as written to {@value #FILE_NAME}: the teacher and two students of one
 * shallow spec, one trained on the labels and one on the teacher's logits, all scored on the same test split.
 *
 * @param teacher       {@code <name>/<version>} of the teacher
 * @param teacherShape  deep or shallow
 * @param dataset       data set id
 * @param trainImages   images the students trained on
 * @param testImages    images all three are scored on
 * @param student       the students' spec (shallow shape)
 * @param epochs        training epochs of each student
 * @param batchSize     images per step
 * @param learningRate  Adam's starting rate
 * @param seed          initialisation and batch order, the same for both students
 * @param teacherScores the teacher on the test split
 * @param labels        the student trained on the labels (softmax cross-entropy)
 * @param mimic         the student trained on the teacher's logits (L2)
 */
public record DistillationResult(
        String teacher,
        String teacherShape,
        String dataset,
        int trainImages,
        int testImages,
        ArchitectureSpec student,
        int epochs,
        int batchSize,
        float learningRate,
        long seed,
        Scores teacherScores,
        Student labels,
        Student mimic) {

    public static final String FILE_NAME = "distill.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    /**
     * One network on the test split.
     *
     * @param parameters trainable parameters at inference (a bottleneck folded)
     * @param test       cross-entropy and accuracy against the labels
     * @param agreement  fraction of images on which it predicts the teacher's class (1 for the teacher)
     * @param logitMse   mean squared difference of its logits from the teacher's (0 for the teacher)
     */
    public record Scores(long parameters, Evaluation test, double agreement, double logitMse) {}

    /**
     * @param target            "labels" or "teacher logits"
     * @param bottleneckRank    rank of the linear bottleneck before the head's dense layer during training (0 = none)
     * @param trainedParameters parameters trained (more or fewer than at inference with a bottleneck)
     * @param seconds           training time
     */
    public record Student(String target, int bottleneckRank, long trainedParameters, Scores scores, double seconds) {}

    public void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(FILE_NAME), GSON.toJson(this) + "\n");
    }

    public static DistillationResult read(Path folder) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            throw new IOException("no " + FILE_NAME + " in " + folder + ": run trainer distill --output " + folder
                    + " first");
        }
        return GSON.fromJson(Files.readString(file), DistillationResult.class);
    }

    /** One sentence on what was compared, to stand above {@link #tableRows()}. */
    public String description() {
        return String.format(Locale.ROOT, "Teacher %s (%s) on %s; students: shallow, %d units of width %d, kernel %d,"
                        + " %s; %d training images, %d epoch(s), batch %d, learning rate %s, seed %d; all scored on %d"
                        + " test images.",
                teacher, teacherShape, dataset, student.units(), student.width(), student.unitKernel(),
                student.activation().name().toLowerCase(Locale.ROOT), trainImages, epochs, batchSize, learningRate,
                seed, testImages);
    }

    /** Column names of {@link #tableRows()}. */
    public static List<String> tableHeader() {
        return List.of("network", "trained on", "parameters", "test loss", "test accuracy", "agreement with teacher",
                "logit MSE to teacher", "training time");
    }

    /** The teacher and the two students, one row each. */
    public List<List<String>> tableRows() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("teacher (" + teacherShape + ")", "labels", Long.toString(teacherScores.parameters()),
                teacherScores, "-"));
        for (Student s : List.of(labels, mimic)) {
            String parameters = s.scores().parameters() + (s.bottleneckRank() == 0 ? ""
                    : " (" + s.trainedParameters() + " trained through a rank-" + s.bottleneckRank() + " bottleneck)");
            rows.add(row("shallow student", s.target(), parameters, s.scores(),
                    String.format(Locale.ROOT, "%.0f s", s.seconds())));
        }
        return rows;
    }

    private static List<String> row(String network, String target, String parameters, Scores scores, String seconds) {
        return List.of(network, target, parameters, String.format(Locale.ROOT, "%.4f", scores.test().loss()),
                String.format(Locale.ROOT, "%.4f", scores.test().accuracy()),
                String.format(Locale.ROOT, "%.4f", scores.agreement()),
                String.format(Locale.ROOT, "%.3f", scores.logitMse()), seconds);
    }
}
