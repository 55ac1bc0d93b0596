package io.shallowserve.server.repository;

import io.shallowserve.proto.inference.ModelWarmup;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of config.pbtxt's model_warmup samples, as Triton runs it: {@code batchSize} requests of one row each run
 * together as one batch, {@code runs} times, on every instance of a version before it serves; a version whose sample
 * fails does not load. A sample of batch_size 0 is skipped, as Triton skips it. Whether a request's shape has the
 * batch dimension, and how many rows a batch may have, are the loaded model's: a configuration may leave
 * max_batch_size to the graph.
 *
 * @param name      the sample's name, for messages
 * @param batchSize rows of the batch: requests run together
 * @param runs      how often the batch runs: count, at least once
 * @param inputs    how each input is made, in the order config.pbtxt gives them
 */
public record WarmupSample(String name, int batchSize, int runs, List<Input> inputs) {

    /** The folder of a model, beside its versions, that holds the files input_data_file names. */
    public static final String DATA_FOLDER = "warmup";

    /**
     * The most data one sample's batch may hold, all inputs together: a configuration asking for more fails its model
     * instead of taking the memory every model is served from.
     */
    public static final long MAX_BATCH_BYTES = 256L << 20;

    /** Where an input's values come from. */
    public enum Source {
        /** Zeros; a BYTES element is the empty string. */
        ZEROS,
        /** Random bytes, the same every load; zeros for BYTES, as in Triton. */
        RANDOM,
        /** A file in the model's {@value #DATA_FOLDER} folder, raw in the protocol's layout. */
        FILE
    }

    /**
     * @param dims the shape without the batch dimension, as config.pbtxt gives it: a request's whole shape for a model
     *             without a batch dimension, else [1] + dims
     * @param file for {@link Source#FILE}, the file's path below {@value #DATA_FOLDER}; else empty
     */
    public record Input(String name, Datatype datatype, List<Long> dims, Source source, String file) {

        public Input {
            dims = List.copyOf(dims);
        }

        /** The bytes of one request's data (a BYTES element counted by its length field); Long.MAX_VALUE past it. */
        public long requestBytes() {
            try {
                return Math.multiplyExact(Tensor.elementCount(dims.stream().mapToLong(Long::longValue).toArray()),
                        (long) (datatype == Datatype.BYTES ? Integer.BYTES : datatype.byteSize()));
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
    }

    public WarmupSample {
        inputs = List.copyOf(inputs);
    }

    /**
     * The samples of config.pbtxt's model_warmup, checked as far as the configuration can tell (the batch against the
     * model is checked when it runs, {@code Warmup}).
     *
     * @throws IllegalArgumentException naming the sample and what is wrong with it
     */
    static List<WarmupSample> of(List<ModelWarmup> warmups) {
        List<WarmupSample> samples = new ArrayList<>();
        for (ModelWarmup warmup : warmups) {
            if (warmup.getBatchSize() == 0) {
                continue;
            }
            String subject = "model_warmup '" + warmup.getName() + "'";
            int batchSize = (int) Math.min(Integer.toUnsignedLong(warmup.getBatchSize()), Integer.MAX_VALUE);
            if (warmup.getInputsMap().isEmpty()) {
                throw new IllegalArgumentException(subject + " has no inputs; give each input of the model its"
                        + " data_type, dims and zero_data, random_data or input_data_file");
            }
            List<Input> inputs = new ArrayList<>();
            long batchBytes = 0;
            for (Map.Entry<String, ModelWarmup.Input> entry : warmup.getInputsMap().entrySet()) {
                Input input = input(subject + " input '" + entry.getKey() + "'", entry.getKey(), entry.getValue());
                inputs.add(input);
                batchBytes += Math.min(input.requestBytes(), MAX_BATCH_BYTES + 1) * batchSize;
                if (batchBytes > MAX_BATCH_BYTES) {
                    throw new IllegalArgumentException(subject + " has a batch of " + batchSize + " holding more than"
                            + " the " + (MAX_BATCH_BYTES >> 20) + " MiB of data a sample may have");
                }
            }
            int runs = (int) Math.max(1, Math.min(Integer.toUnsignedLong(warmup.getCount()), Integer.MAX_VALUE));
            samples.add(new WarmupSample(warmup.getName(), batchSize, runs, inputs));
        }
        return samples;
    }

    private static Input input(String subject, String name, ModelWarmup.Input input) {
        Datatype datatype = TritonModelConfig.requireDatatype(subject, input.getDataType());
        List<Long> dims = input.getDimsList();
        if (dims.stream().anyMatch(d -> d < 0)) {
            // Triton: "warmup setting expects all variable-size dimensions are specified".
            throw new IllegalArgumentException(subject + " has dims " + dims + "; a sample's dimensions all have a"
                    + " size (no -1)");
        }
        return switch (input.getInputDataTypeCase()) {
            case ZERO_DATA -> new Input(name, datatype, dims, Source.ZEROS, "");
            case RANDOM_DATA -> new Input(name, datatype, dims, Source.RANDOM, "");
            case INPUT_DATA_FILE -> new Input(name, datatype, dims, Source.FILE,
                    dataFile(subject, input.getInputDataFile()));
            case INPUTDATATYPE_NOT_SET -> throw new IllegalArgumentException(subject + " gives no data; set"
                    + " zero_data, random_data or input_data_file");
        };
    }

    /** The file below the model's {@value #DATA_FOLDER} folder; a path that leaves it is refused. */
    private static String dataFile(String subject, String file) {
        Path folder = Path.of(DATA_FOLDER);
        Path resolved = folder.resolve(file).normalize();
        if (file.isEmpty() || Path.of(file).isAbsolute() || !resolved.startsWith(folder) || resolved.equals(folder)) {
            throw new IllegalArgumentException(subject + " has input_data_file '" + file + "'; name a file in the"
                    + " model's " + DATA_FOLDER + "/ folder, relative to it");
        }
        return folder.relativize(resolved).toString();
    }
}
