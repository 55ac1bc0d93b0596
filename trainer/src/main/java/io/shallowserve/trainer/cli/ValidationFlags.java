package io.shallowserve.trainer.cli;

import io.shallowserve.trainer.train.ValidationSplit;
import picocli.CommandLine.Option;

/** {@code --validation N} or {@code --validation-fraction F}: how many training images are held out. */
final class ValidationFlags {

    @Option(names = "--validation", description = "images held out of the training split for validation")
    Integer images;

    @Option(names = "--validation-fraction",
            description = "share of the training images held out for validation, at least " + ValidationSplit.MINIMUM
                    + " images (but at most half); exclusive with --validation")
    Double fraction;

    /** What the flags say, or {@code otherwise} when neither is given. */
    ValidationSplit split(ValidationSplit otherwise) {
        if (images != null && fraction != null) {
            throw new IllegalArgumentException("--validation and --validation-fraction are exclusive: give one");
        }
        if (images != null) {
            return ValidationSplit.ofImages(images);
        }
        return fraction != null ? ValidationSplit.ofFraction(fraction) : otherwise;
    }
}
