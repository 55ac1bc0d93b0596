package io.shallowserve.trainer.repository;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.data.Normalization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code models/<name>/<version>/model.json}: everything a server needs to load, check and
 * describe one trained model. The format is documented in docs/model-repository.md; the server reads it
 * with its own code, so a field renamed here must be renamed there.
 *
 * @param format        format tag, {@link #FORMAT}
 * @param name          model name, the folder above the version
 * @param version       version number, the folder the file sits in
 * @param shape         "deep" or "shallow"
 * @param architecture  the spec both shapes share
 * @param parameters    trainable parameters
 * @param input         the one input tensor
 * @param output        the one output tensor
 * @param normalization per-channel statistics of the training split, applied inside the graph as
 *                      (pixel / 255 - mean[c]) / std[c]: clients send pixel / 255
 * @param labels        class names, by class index
 * @param dataset       what it was trained and tested on
 * @param training      how it was trained
 * @param metrics       loss and accuracy per split, measured after training with batch norm in inference mode
 * @param branches      how to run the split graphs; null for a deep model
 * @param files         sha256 of every graph file, by path relative to the version folder
 */
public record ModelManifest(
        String format,
        String name,
        int version,
        String shape,
        ArchitectureSpec architecture,
        long parameters,
        Tensor input,
        Tensor output,
        Normalization normalization,
        List<String> labels,
        Dataset dataset,
        Training training,
        Map<String, Split> metrics,
        Branches branches,
        Map<String, String> files) {

    public static final String FORMAT = "shallowserve-model/1";
    public static final String FILE_NAME = "model.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    public void write(Path file) throws IOException {
        Files.writeString(file, GSON.toJson(this) + "\n");
    }

    public static ModelManifest read(Path file) throws IOException {
        ModelManifest manifest = GSON.fromJson(Files.readString(file), ModelManifest.class);
        if (manifest == null || !FORMAT.equals(manifest.format())) {
            throw new IOException(file + ": not a " + FORMAT + " model.json");
        }
        return manifest;
    }

    /** A tensor's name, datatype (Open Inference Protocol names: FP32, ...) and shape; -1 is the batch. */
    public record Tensor(String name, String datatype, List<Long> shape) {}

    public record Dataset(String name, int trainImages, int validationImages, int testImages) {}

    public record Training(
            String framework,
            String optimizer,
            int epochs,
            int batchSize,
            float learningRate,
            long seed,
            double seconds,
            String metricsFile) {}

    public record Split(double loss, double accuracy) {}

    /**
     * The split graphs of a shallow model: run {@code stem}, then every file of {@code branches} on the stem's
     * output (independently, so at the same time), sum their outputs, and run {@code head} on the stem's output
     * and that sum.
     */
    public record Branches(
            String stem,
            List<String> branches,
            String head,
            String stemOutput,
            String branchOutput,
            List<String> headInputs) {}
}
