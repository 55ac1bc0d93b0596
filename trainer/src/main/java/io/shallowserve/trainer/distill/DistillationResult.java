package io.shallowserve.trainer.distill;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.shallowserve.runtime.report.Table;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.train.Evaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code trainer distill} measured, as written to {@link #fileName()}: the teacher and two students of one
 * shallow spec, one trained on the labels and one on the teacher's logits, all scored on the same test split.
 *
 * @param teacher          {@code <name>/<version>} of the teacher
 * @param teacherShape     deep or shallow
 * @param dataset          data set id
 * @param teacherImages    labelled images the teacher trained on, as its model.json records
 * @param trainImages      labelled images the students trained on: the label student's; the mimic learnt the
 *                         teacher's logits on them and on the unlabelled images and copies
 * @param unlabelledImages training images only the mimic learnt from, by the teacher's logits (0 = none)
 * @param augmentedCopies  moved copies of every image the mimic learnt from, also scored by the teacher (0 = none)
 * @param testImages       images all three are scored on
 * @param student          the students' spec (shallow shape)
 * @param epochs           training epochs of each student
 * @param batchSize        images per step
 * @param learningRate     Adam's starting rate
 * @param seed             initialisation and batch order, the same for both students, and the copies' moves
 * @param teacherScores    the teacher on the test split
 * @param labels           the student trained on the labels (softmax cross-entropy)
 * @param mimic            the student trained on the teacher's logits (L2)
 * @param mimicToTeacher   the mimic's test accuracy against the teacher's; null in a file written before it was
 *                         measured
 * @param mimicToLabels    the mimic's test accuracy against the label student's; null where mimicToTeacher is
 */
public record DistillationResult(
        String teacher,
        String teacherShape,
        String dataset,
        int teacherImages,
        int trainImages,
        int unlabelledImages,
        int augmentedCopies,
        int testImages,
        ArchitectureSpec student,
        int epochs,
        int batchSize,
        float learningRate,
        long seed,
        Scores teacherScores,
        Student labels,
        Student mimic,
        AccuracyDifference mimicToTeacher,
        AccuracyDifference mimicToLabels) {

    private static final String STEM = "distill";

    public static final String FILE_NAME = STEM + ".json";

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

    /**
     * One network's test accuracy against another's on the same test images.
     *
     * @param difference its accuracy less the other's
     * @param margin     half the width of the difference's 95% interval: a difference within it is what chance gives
     *                   two equally good networks on these images
     */
    public record AccuracyDifference(double difference, double margin) {

        /** Whether the difference is within the margin: the two are not told apart. */
        public boolean withinMargin() {
            return Math.abs(difference) <= margin;
        }
    }

    /**
     * {@value #FILE_NAME} for a mimic that learnt from the label student's images alone, else a name that says where
     * its other images came from ({@code distill-held-out.json}, {@code distill-augmented.json}, or both), so one
     * results folder keeps each kind of run.
     */
    public String fileName() {
        return stem() + ".json";
    }

    /** Writes {@link #fileName()} and, beside it with the extension .md, {@link #markdown()}. */
    public void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(fileName()), GSON.toJson(this) + "\n");
        Files.writeString(folder.resolve(stem() + ".md"), markdown());
    }

    private String stem() {
        return STEM + (unlabelledImages > 0 ? "-held-out" : "") + (augmentedCopies > 0 ? "-augmented" : "");
    }

    /** Reads {@value #FILE_NAME} from {@code folder}. */
    public static DistillationResult read(Path folder) throws IOException {
        return read(folder, FILE_NAME);
    }

    /** Reads a result {@link #write} wrote to {@code folder} as {@code fileName}. */
    public static DistillationResult read(Path folder, String fileName) throws IOException {
        Path file = folder.resolve(fileName);
        if (!Files.exists(file)) {
            throw new IOException("no " + fileName + " in " + folder + ": run trainer distill --output " + folder
                    + " first");
        }
        return GSON.fromJson(Files.readString(file), DistillationResult.class);
    }

    /** Images the mimic learnt the teacher's logits on: the labelled and unlabelled ones and their copies. */
    public int mimicImages() {
        return (trainImages + unlabelledImages) * (1 + augmentedCopies);
    }

    /** What was compared, to stand above {@link #tableRows()}: one sentence, and one more for the mimic's images. */
    public String description() {
        String compared = String.format(Locale.ROOT, "Teacher %s (%s) on %s; students: shallow, %d units of width %d,"
                        + " kernel %d, %s; %d training images, %d epoch(s), batch %d, learning rate %s, seed %d; all"
                        + " scored on %d test images.",
                teacher, teacherShape, dataset, student.units(), student.width(), student.unitKernel(),
                student.activation().name().toLowerCase(Locale.ROOT), trainImages, epochs, batchSize, learningRate,
                seed, testImages);
        if (unlabelledImages == 0 && augmentedCopies == 0) {
            return compared;
        }
        List<String> more = new ArrayList<>();
        if (unlabelledImages > 0) {
            more.add(String.format(Locale.ROOT, "%d more training images whose labels neither the teacher nor the"
                    + " students learnt", unlabelledImages));
        }
        if (augmentedCopies > 0) {
            more.add(String.format(Locale.ROOT, "%d cop%s of every image it learnt from, each mirrored left to right"
                    + " or not and moved by up to %d pixels", augmentedCopies, augmentedCopies == 1 ? "y" : "ies",
                    AugmentedCopies.MAX_SHIFT));
        }
        return String.format(Locale.ROOT, "%s The mimic learnt the teacher's logits on %d images: the %d training"
                + " images, %s.", compared, mimicImages(), trainImages, String.join(", and ", more));
    }

    /** Column names of {@link #tableRows()}. */
    public static List<String> tableHeader() {
        return List.of("network", "trained on", "images learnt from", "parameters", "test loss", "test accuracy",
                "agreement with teacher", "logit MSE to teacher", "training time");
    }

    /** The teacher and the two students, one row each. */
    public List<List<String>> tableRows() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("teacher (" + teacherShape + ")", "labels", teacherImages,
                Long.toString(teacherScores.parameters()), teacherScores, "-"));
        rows.add(studentRow(labels, trainImages));
        rows.add(studentRow(mimic, mimicImages()));
        return rows;
    }

    /**
     * Two plain sentences: whether the mimic matches the teacher and whether it beats the label student, each with
     * the margin chance allows on these test images.
     *
     * @throws IllegalStateException for a result read from a file written before the differences were measured
     */
    public String verdict() {
        if (mimicToTeacher == null || mimicToLabels == null) {
            throw new IllegalStateException("this result of " + teacher + " predates the accuracy differences: run"
                    + " trainer distill again for a verdict");
        }
        return String.format(Locale.ROOT, "The mimic, which learnt from %d images, %s the teacher, which learnt from"
                        + " %d: test accuracy %.4f against %.4f, a difference of %+.4f, %s the ±%.4f that chance"
                        + " allows on these %d test images (95%%, paired image by image). It %s the label student,"
                        + " which learnt from %d: %.4f against %.4f, %+.4f, %s ±%.4f.",
                mimicImages(), relation(mimicToTeacher, "matches"), teacherImages, mimic.scores().test().accuracy(),
                teacherScores.test().accuracy(), mimicToTeacher.difference(), side(mimicToTeacher),
                mimicToTeacher.margin(), testImages, relation(mimicToLabels, "does not beat"), trainImages,
                mimic.scores().test().accuracy(), labels.scores().test().accuracy(), mimicToLabels.difference(),
                side(mimicToLabels), mimicToLabels.margin());
    }

    /** {@link #description()}, the table and {@link #verdict()}: the result on its own, in Markdown. */
    public String markdown() {
        return description() + "\n\n" + table().markdown() + "\n" + verdict() + "\n";
    }

    /** {@link #tableRows()} under {@link #tableHeader()}, the numbers right-aligned. */
    public Table table() {
        return new Table(tableHeader(), tableRows(), 2);
    }

    private static String relation(AccuracyDifference difference, String withinMargin) {
        if (difference.withinMargin()) {
            return withinMargin;
        }
        return difference.difference() > 0 ? "beats" : "falls short of";
    }

    private static String side(AccuracyDifference difference) {
        return difference.withinMargin() ? "within" : "outside";
    }

    private static List<String> studentRow(Student s, int images) {
        String parameters = s.scores().parameters() + (s.bottleneckRank() == 0 ? ""
                : " (" + s.trainedParameters() + " trained through a rank-" + s.bottleneckRank() + " bottleneck)");
        return row("shallow student", s.target(), images, parameters, s.scores(),
                String.format(Locale.ROOT, "%.0f s", s.seconds()));
    }

    private static List<String> row(String network, String target, int images, String parameters, Scores scores,
            String seconds) {
        return List.of(network, target, Integer.toString(images), parameters,
                String.format(Locale.ROOT, "%.4f", scores.test().loss()),
                String.format(Locale.ROOT, "%.4f", scores.test().accuracy()),
                String.format(Locale.ROOT, "%.4f", scores.agreement()),
                String.format(Locale.ROOT, "%.3f", scores.logitMse()), seconds);
    }
}
