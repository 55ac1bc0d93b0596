package io.shallowserve.server.repository;

import java.util.List;
import java.util.Map;

/**
 * The server's reading of {@code model.json} (docs/model-repository.md). The trainer writes the same fields with
 * its own record; the two modules share the documented format, not code. Fields a server does not need to serve
 * (normalisation, training) are left out: Gson skips them.
 *
 * @param format       format tag, {@link #FORMAT}
 * @param name         model name, the folder above the version folder
 * @param version      version number, the version folder's name
 * @param shape        {@code deep} or {@code shallow}
 * @param architecture the network spec
 * @param parameters   trainable parameters
 * @param input        the one input tensor
 * @param output       the one output tensor
 * @param labels       class names by class index
 * @param dataset      what the model was trained and tested on
 * @param metrics      loss and accuracy per split ({@code train}, {@code validation}, {@code test})
 * @param branches     the split graphs of a shallow model; null for a deep one
 * @param files        sha256 hex of every graph file, by path relative to the version folder
 */
public record ModelManifest(
        String format,
        String name,
        int version,
        String shape,
        Architecture architecture,
        long parameters,
        Tensor input,
        Tensor output,
        List<String> labels,
        Dataset dataset,
        Map<String, Split> metrics,
        Branches branches,
        Map<String, String> files) {

    public static final String FORMAT = "shallowserve-model/1";
    public static final String FILE_NAME = "model.json";
    public static final String MODEL_FILE = "model.onnx";
    public static final String DEEP = "deep";
    public static final String SHALLOW = "shallow";

    public boolean shallow() {
        return SHALLOW.equals(shape);
    }

    /** The spec both shapes of one network share. */
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
            int headPool) {}

    /** A tensor's name, datatype (Open Inference Protocol names) and shape; -1 is the batch dimension. */
    public record Tensor(String name, String datatype, List<Long> shape) {}

    public record Dataset(String name, int trainImages, int validationImages, int testImages) {}

    public record Split(double loss, double accuracy) {}

    /**
     * How to run a shallow model in pieces: {@code stem}, then every graph in {@code branches} on the stem's output,
     * then {@code head} on the stem's output and the sum of the branch outputs ({@code headInputs}, in that order).
     */
    public record Branches(
            String stem,
            List<String> branches,
            String head,
            String stemOutput,
            String branchOutput,
            List<String> headInputs) {}
}
