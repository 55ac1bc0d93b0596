package io.shallowserve.trainer.train;

/**
 * How many of the training images a run holds out for validation: a fixed number, or a fraction of them with a
 * floor.
 *
 * @param images   a fixed number of images, when {@code fraction} is 0
 * @param fraction the share of the training images held out (0 for a fixed number)
 */
public record ValidationSplit(int images, double fraction) {

    /** The default: a tenth of the training images, as many studies hold out, and at least {@link #MINIMUM}. */
    public static final ValidationSplit DEFAULT = ofFraction(0.1);

    /**
     * The floor of a fractional split. Early stopping and the validation columns of the research rows are estimates
     * from these images: the mean loss over n images has a standard error of about s / sqrt(n), with s the spread of
     * the per-image loss (about 0.5 here), so 0.016 at 1,000 images and about 1 point of accuracy at 90%: already
     * as large as the deep-shallow differences the research looks for. Fewer would make the validation loss mostly
     * sampling noise; a tenth of Fashion-MNIST's 60,000 is 6,000 (0.006).
     */
    public static final int MINIMUM = 1_000;

    public ValidationSplit {
        if (images < 0) {
            throw new IllegalArgumentException("validation images must not be negative, got " + images);
        }
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be at least 0 and below 1, got " + fraction);
        }
        if (images > 0 && fraction > 0) {
            throw new IllegalArgumentException("a validation split is a number of images or a fraction, not both");
        }
    }

    /** Exactly {@code images} held out (0 = no validation split). */
    public static ValidationSplit ofImages(int images) {
        return new ValidationSplit(images, 0);
    }

    /** {@code fraction} of the training images held out, at least {@link #MINIMUM} (see {@link #size}). */
    public static ValidationSplit ofFraction(double fraction) {
        if (fraction <= 0) {
            throw new IllegalArgumentException("validation fraction must be above 0, got " + fraction);
        }
        return new ValidationSplit(0, fraction);
    }

    /**
     * Images held out of {@code available}: the fixed number, or the fraction rounded, raised to {@link #MINIMUM}
     * but never above half of them, so a small slice still trains on most of its images (8,000 images: 1,000
     * held out, 7,000 to train on; 60,000: 6,000 and 54,000).
     *
     * @throws IllegalArgumentException if a fixed number leaves no image to train on
     */
    public int size(int available) {
        if (fraction == 0) {
            if (images >= available) {
                throw new IllegalArgumentException("validation size " + images + " must be below the " + available
                        + " training images, leaving some to train on");
            }
            return images;
        }
        return (int) Math.max(Math.round(fraction * available), Math.min(MINIMUM, available / 2));
    }

    /** "10% (at least 1000)" or "5000": for descriptions of a run. */
    public String describe() {
        return fraction == 0 ? Integer.toString(images)
                : String.format(java.util.Locale.ROOT, "%s%% (at least %d)", percent(), MINIMUM);
    }

    private String percent() {
        double percent = fraction * 100;
        return percent == Math.rint(percent) ? Long.toString(Math.round(percent)) : Double.toString(percent);
    }
}
