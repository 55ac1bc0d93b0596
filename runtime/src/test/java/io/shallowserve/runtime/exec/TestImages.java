package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.data.FashionMnist;
import java.io.IOException;
import java.util.Arrays;

/**
 * The Fashion-MNIST test set as the plan tests read it, loaded once per test JVM: a plan's accuracy on every test
 * image, and whether two plans compute the same logits on every one.
 */
final class TestImages {

    static final int COUNT = 10_000;
    /** Images per run when a test goes through the whole set. */
    private static final int BATCH = 250;
    private static final int CLASSES = 10;

    private static float[] images;
    private static int[] labels;

    private TestImages() {}

    /** Every test image's pixels, image after image; shared, so callers copy before they change any. */
    static synchronized float[] images() throws IOException {
        if (images == null) {
            images = FashionMnist.testImages(COUNT);
        }
        return images;
    }

    static synchronized int[] labels() throws IOException {
        if (labels == null) {
            labels = FashionMnist.testLabels(COUNT);
        }
        return labels;
    }

    /** The share of the test images {@code plan} gives its label's logit the largest. */
    static double accuracy(ExecutionPlan plan) throws Exception {
        int[] expected = labels();
        int correct = 0;
        for (int first = 0; first < COUNT; first += BATCH) {
            float[] logits = plan.logits(batch(first), BATCH);
            for (int image = 0; image < BATCH; image++) {
                if (Logits.argmax(logits, image, CLASSES) == expected[first + image]) {
                    correct++;
                }
            }
        }
        return (double) correct / COUNT;
    }

    /** Asserts that {@code plan}'s logits are {@code reference}'s within 1e-5 of the largest, on every test image. */
    static void assertSameLogits(ExecutionPlan reference, ExecutionPlan plan) throws Exception {
        for (int first = 0; first < COUNT; first += BATCH) {
            float[] pixels = batch(first);

            float[] expected = reference.logits(pixels, BATCH);
            float[] actual = plan.logits(pixels, BATCH);

            assertThat(Logits.maxDifference(expected, actual)).as("%s, images %d to %d", plan.name(), first,
                    first + BATCH).isLessThanOrEqualTo(1e-5f * Logits.maxAbs(expected));
        }
    }

    private static float[] batch(int first) throws IOException {
        return Arrays.copyOfRange(images(), first * FashionMnist.PIXELS, (first + BATCH) * FashionMnist.PIXELS);
    }
}
