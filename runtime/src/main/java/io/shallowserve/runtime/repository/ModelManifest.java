package io.shallowserve.runtime.repository;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The content of {@code <repository>/<name>/<version>/model.json} (docs/model-repository.md): everything a server
 * needs to load, check and describe one trained model. This record is the format: the trainer maps its own types onto
 * it to write the file, the server and the research commands read it with {@link ModelRepository#verify}, so a field
 * changes here or nowhere.
 *
 * @param format        format tag, {@link #FORMAT}
 * @param name          model name, the folder above the version folder
 * @param version       version number, the version folder's name
 * @param shape         {@link #DEEP}, {@link #SHALLOW}, {@link #TAT} or {@link #PARNET}
 * @param architecture  the network spec the model was built from
 * @param parameters    trainable parameters
 * @param input         the one input tensor
 * @param output        the one output tensor
 * @param normalization per-channel statistics of the training split, applied inside the graph as
 *                      (pixel / 255 - mean[c]) / std[c]: clients send pixel / 255
 * @param labels        class names by class index
 * @param dataset       what the model was trained and tested on
 * @param training      how it was trained
 * @param metrics       loss and accuracy per split ({@code train}, {@code validation}, {@code test}), measured after
 *                      training with batch norm in inference mode
 * @param branches      the split graphs of a shallow or parnet model ({@link #hasBranches()}); null for the others
 * @param files         sha256 hex of every graph file, by path relative to the version folder
 */
public record ModelManifest(
        String format,
        String name,
        int version,
        String shape,
        Architecture architecture,
        long parameters,
        TensorSpec input,
        TensorSpec output,
        Normalization normalization,
        List<String> labels,
        Dataset dataset,
        Training training,
        Map<String, Split> metrics,
        Branches branches,
        Map<String, String> files) {

    public static final String FORMAT = "shallowserve-model/1";
    public static final String FILE_NAME = "model.json";
    public static final String MODEL_FILE = "model.onnx";
    public static final String DEEP = "deep";
    public static final String SHALLOW = "shallow";
    public static final String TAT = "tat";
    public static final String PARNET = "parnet";
    /** Every shape a trainer-made model may have. */
    public static final List<String> SHAPES = List.of(DEEP, SHALLOW, TAT, PARNET);

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    public boolean shallow() {
        return SHALLOW.equals(shape);
    }

    /** Whether the trainer wrote the model's split graphs too ({@link #branches()}): a shallow or parnet model. */
    public boolean hasBranches() {
        return hasBranches(shape);
    }

    /** Whether the trainer writes a model of {@code shape}'s split graphs too: the shallow and parnet shapes. */
    public static boolean hasBranches(String shape) {
        return SHALLOW.equals(shape) || PARNET.equals(shape);
    }

    /** Writes {@code <versionFolder>/model.json}. */
    public void write(Path versionFolder) throws IOException {
        Files.writeString(versionFolder.resolve(FILE_NAME), toJson());
    }

    /** The file's text: pretty-printed JSON and a final newline. */
    public String toJson() {
        return GSON.toJson(this) + "\n";
    }

    /**
     * The manifest in {@code json}, or null for an empty text.
     *
     * @throws com.google.gson.JsonParseException if it is not JSON of this shape
     */
    static ModelManifest fromJson(String json) {
        return GSON.fromJson(json, ModelManifest.class);
    }

    /**
     * The spec one network was built from (the trainer's ArchitectureSpec, written field by field).
     *
     * @param activation     {@code RELU}, {@code LEAKY_RELU} (slope 0.1) or, in a tat model, {@code TAT_LEAKY_RELU}:
     *                       {@code sqrt(2 / (1 + a^2)) * LeakyReLU_a}
     * @param leakyReluSlope a of {@code TAT_LEAKY_RELU}, solved for the network's depth; null (absent from the file)
     *                       for the other activations
     * @param branchMean     true where a shallow model sums its branches scaled by 1/L; null (absent from the file)
     *                       for the paper's unscaled sum
     * @param streams        a parnet model's number of streams, each a chain of units / streams units; null (absent
     *                       from the file) for the other shapes
     */
    public record Architecture(
            int inputChannels,
            int inputHeight,
            int inputWidth,
            int classes,
            int width,
            int stemKernel,
            boolean stemPool,
            int units,
            int unitKernel,
            String activation,
            boolean batchNorm,
            int headPool,
            Float leakyReluSlope,
            Boolean branchMean,
            Integer streams) {

        /** Values per image: channels x height x width. */
        public int imageSize() {
            return inputChannels * inputHeight * inputWidth;
        }
    }

    /** Per-channel mean and standard deviation in [0, 1] pixel units. */
    public record Normalization(List<Float> mean, List<Float> std) {}

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
     * How to run a shallow or parnet model in pieces: {@code stem}, then every graph in {@code branches} on the stem's
     * output (independently, so at the same time: a shallow model's units, a parnet model's streams), then
     * {@code head} on the stem's output and the sum of the branch outputs ({@code headInputs}, in that order).
     */
    public record Branches(
            String stem,
            List<String> branches,
            String head,
            String stemOutput,
            String branchOutput,
            List<String> headInputs) {}
}
