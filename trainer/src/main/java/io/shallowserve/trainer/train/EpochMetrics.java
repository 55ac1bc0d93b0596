package io.shallowserve.trainer.train;

/** What one epoch reached; one row of a run's metrics file. Validation values are NaN without a validation split. */
public record EpochMetrics(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double validationLoss,
        double validationAccuracy,
        double seconds,
        double imagesPerSecond) {

    static final String CSV_HEADER =
            "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,images_per_second";

    String csvRow() {
        return String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f",
                epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, seconds, imagesPerSecond);
    }
}
