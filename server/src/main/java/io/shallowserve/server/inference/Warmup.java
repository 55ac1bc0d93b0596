package io.shallowserve.server.inference;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.server.repository.WarmupSample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * Runs a version's model_warmup samples on each of its instances before it serves, as Triton does, so that the first
 * requests do not pay for what ONNX Runtime does on its first runs. Each sample's batch is made as requests would
 * bring it, checked as a request is ({@link RequestValidator}) and run on every instance, sample after sample; the
 * first failure fails the load, naming the sample. Warm-up runs are not requests: no metric or statistic counts them.
 */
final class Warmup {

    /** Random data is the same on every load: a failure it causes happens again. */
    private static final long RANDOM_SEED = 0;

    private Warmup() {
    }

    /**
     * @param modelFolder  the model's folder, whose {@value WarmupSample#DATA_FOLDER} folder holds the data files
     * @param maxBatchSize the model's largest batch as loaded; 0 for a model without a batch dimension
     * @return the batches run, over every instance
     * @throws ModelVersionException "failed to run warmup sample 'name': " and why
     */
    static int run(List<WarmupSample> samples, Path modelFolder, RequestValidator validator,
            List<ExecutionPlan> instances, int maxBatchSize) throws ModelVersionException {
        int batches = 0;
        for (WarmupSample sample : samples) {
            if (maxBatchSize == 0 && sample.batchSize() != 1) {
                throw failed(sample, "batch_size is " + sample.batchSize() + ", but the model has no batch dimension"
                        + " (max_batch_size 0) and runs one request at a time; give batch_size 1", null);
            }
            if (sample.batchSize() > maxBatchSize && maxBatchSize > 0) {
                throw failed(sample, "batch_size is " + sample.batchSize() + ", over the model's largest batch, "
                        + maxBatchSize, null);
            }
            List<Tensor> inputs;
            try {
                inputs = validator.inputs(batch(sample, modelFolder, maxBatchSize > 0)).inputs();
            } catch (InferenceException e) {
                throw failed(sample, e.getMessage(), e);
            }
            for (int instance = 0; instance < instances.size(); instance++) {
                for (int run = 0; run < sample.runs(); run++) {
                    try {
                        instances.get(instance).run(inputs);
                    } catch (OrtException | RuntimeException e) {
                        throw failed(sample, "instance " + instance + ": " + e.getMessage(), e);
                    }
                    batches++;
                }
            }
        }
        return batches;
    }

    private static ModelVersionException failed(WarmupSample sample, String why, Exception cause) {
        return new ModelVersionException("failed to run warmup sample '" + sample.name() + "': " + why, cause);
    }

    /**
     * The sample's inputs as requests bring them: its batch_size rows of one request each, one after the other; a
     * request's shape is [1] + dims where the model {@code batches}, else dims.
     */
    private static List<Tensor> batch(WarmupSample sample, Path modelFolder, boolean batches)
            throws ModelVersionException {
        List<Tensor> tensors = new ArrayList<>();
        for (WarmupSample.Input input : sample.inputs()) {
            LongStream dims = input.dims().stream().mapToLong(Long::longValue);
            long[] shape = (batches ? LongStream.concat(LongStream.of(1), dims) : dims).toArray();
            Tensor row = new Tensor(input.name(), input.datatype(), shape, data(sample, input, shape, modelFolder));
            tensors.add(sample.batchSize() == 1 ? row
                    : Tensor.concatenateRows(Collections.nCopies(sample.batchSize(), row)));
        }
        return tensors;
    }

    /** One request's data for {@code input}, of {@code shape} (for messages). */
    private static byte[] data(WarmupSample sample, WarmupSample.Input input, long[] shape, Path modelFolder)
            throws ModelVersionException {
        Datatype datatype = input.datatype();
        // WarmupSample.of bounded the sample's batch to MAX_BATCH_BYTES.
        int bytes = (int) input.requestBytes();
        return switch (input.source()) {
            case ZEROS -> new byte[bytes];
            case RANDOM -> datatype == Datatype.BYTES ? new byte[bytes] : random(datatype, bytes);
            case FILE -> file(sample, input, shape, datatype == Datatype.BYTES ? -1 : bytes, modelFolder);
        };
    }

    /** Random bytes; for BOOL, each element 0 or 1, the values ONNX Runtime's bool holds. */
    private static byte[] random(Datatype datatype, int bytes) {
        byte[] data = new byte[bytes];
        new Random(RANDOM_SEED).nextBytes(data);
        if (datatype == Datatype.BOOL) {
            for (int i = 0; i < data.length; i++) {
                data[i] &= 1;
            }
        }
        return data;
    }

    /**
     * The first {@code bytes} bytes of the input's file, as Triton takes them; for BYTES ({@code bytes} -1) the whole
     * file, each element its 4-byte little-endian length and then its bytes.
     */
    private static byte[] file(WarmupSample sample, WarmupSample.Input input, long[] shape, int bytes,
            Path modelFolder) throws ModelVersionException {
        Path file = modelFolder.resolve(WarmupSample.DATA_FOLDER).resolve(input.file());
        String shown = modelFolder.getFileName() + "/" + WarmupSample.DATA_FOLDER + "/" + input.file();
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            if (bytes < 0 && size > WarmupSample.MAX_BATCH_BYTES / sample.batchSize()) {
                throw failed(sample, "input '" + input.name() + "': " + shown + " is " + size + " bytes; a batch of "
                        + sample.batchSize() + " of it holds more than the " + (WarmupSample.MAX_BATCH_BYTES >> 20)
                        + " MiB of data a sample may have", null);
            }
            byte[] data = in.readNBytes(bytes < 0 ? (int) size : bytes);
            if (bytes >= 0 && data.length < bytes) {
                throw failed(sample, "input '" + input.name() + "' " + input.datatype() + " "
                        + Arrays.toString(shape) + " needs " + bytes + " bytes, but " + shown
                        + " has " + data.length, null);
            }
            return data;
        } catch (IOException e) {
            throw failed(sample, "input '" + input.name() + "': " + shown + " cannot be read (" + e + ")", e);
        }
    }
}
