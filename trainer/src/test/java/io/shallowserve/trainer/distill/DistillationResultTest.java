package io.shallowserve.trainer.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed default-grid result, and the verdict a result states. */
class DistillationResultTest {

    private static final Path DEFAULT_GRID = Path.of("..", "research", "default-grid");

    private static DistillationResult withDifferences(DistillationResult r, DistillationResult.AccuracyDifference
            toTeacher, DistillationResult.AccuracyDifference toLabels) {
        return new DistillationResult(r.teacher(), r.teacherShape(), r.dataset(), r.teacherImages(), r.trainImages(),
                r.unlabelledImages(), r.augmentedCopies(), r.testImages(), r.student(), r.epochs(), r.batchSize(),
                r.learningRate(), r.seed(), r.teacherScores(), r.labels(), r.mimic(), toTeacher, toLabels);
    }

    @Test
    void read_committedResult_mimicLearntFromTheLabelStudentsImages() throws Exception {
        DistillationResult committed = DistillationResult.read(DEFAULT_GRID);

        assertThat(committed.teacherImages()).isEqualTo(55_000);
        assertThat(committed.mimicImages()).isEqualTo(committed.trainImages()).isEqualTo(55_000);
        assertThat(committed.fileName()).isEqualTo(DistillationResult.FILE_NAME);
        assertThatThrownBy(committed::verdict).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("predates the accuracy differences");
    }

    @Test
    void verdict_differencesOutsideTheirMargins_saysFallsShortOfBoth() throws Exception {
        DistillationResult result = withDifferences(DistillationResult.read(DEFAULT_GRID),
                new DistillationResult.AccuracyDifference(-0.0119, 0.004),
                new DistillationResult.AccuracyDifference(-0.0068, 0.0038));

        assertThat(result.verdict()).isEqualTo("The mimic, which learnt from 55000 images, falls short of the teacher,"
                + " which learnt from 55000: test accuracy 0.9154 against 0.9273, a difference of -0.0119, outside the"
                + " ±0.0040 that chance allows on these 10000 test images (95%, paired image by image). It falls short"
                + " of the label student, which learnt from 55000: 0.9154 against 0.9222, -0.0068, outside ±0.0038.");
    }

    @Test
    void verdict_withinMarginOfTheTeacherAndAboveTheLabelStudent_saysMatchesAndBeats() throws Exception {
        DistillationResult result = withDifferences(DistillationResult.read(DEFAULT_GRID),
                new DistillationResult.AccuracyDifference(-0.002, 0.004),
                new DistillationResult.AccuracyDifference(0.005, 0.004));

        assertThat(result.verdict()).contains("matches the teacher").contains("within the ±0.0040")
                .contains("It beats the label student").contains("+0.0050, outside ±0.0040");
    }

    @Test
    void verdict_withinMarginOfTheLabelStudent_saysDoesNotBeatIt() throws Exception {
        DistillationResult result = withDifferences(DistillationResult.read(DEFAULT_GRID),
                new DistillationResult.AccuracyDifference(0.006, 0.004),
                new DistillationResult.AccuracyDifference(0.001, 0.004));

        assertThat(result.verdict()).contains("beats the teacher").contains("It does not beat the label student")
                .contains("+0.0010, within ±0.0040");
    }
}
