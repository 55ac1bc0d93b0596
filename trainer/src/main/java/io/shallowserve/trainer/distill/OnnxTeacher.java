package io.shallowserve.trainer.distill;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.data.ImageDataset;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.exec.SinglePlan;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.nio.file.Path;

/**
 * A trained model from a repository version folder, verified as the server verifies it and run through the server's
 * single plan to give its logits.
 */
public final class OnnxTeacher implements AutoCloseable {

    private static final int BATCH = 500;

    private final ModelVersion model;
    private final SinglePlan plan;

    private OnnxTeacher(ModelVersion model, SinglePlan plan) {
        this.model = model;
        this.plan = plan;
    }

    /**
     * @param versionFolder e.g. models/fashion-deep/1: model.json and model.onnx
     * @throws ModelVersionException if the folder does not hold a model the server would serve
     */
    public static OnnxTeacher open(Path versionFolder) throws ModelVersionException {
        ModelVersion model = ModelRepository.verify(versionFolder);
        // All cores for one caller: the teacher labels a whole data set, nothing else runs meanwhile.
        return new OnnxTeacher(model, new SinglePlan(new SessionFactory("cpu"), model,
                Runtime.getRuntime().availableProcessors()));
    }

    public ModelManifest manifest() {
        return model.manifest();
    }

    /** {@code <name>/<version>}, as the repository names it. */
    public String id() {
        return model.id();
    }

    /** Logits of every image, row-major [images x classes]; the graph normalises the [0,1] pixels itself. */
    public float[] logits(ImageDataset images) throws OrtException {
        ModelManifest.Architecture spec = model.manifest().architecture();
        if (images.channels() != spec.inputChannels() || images.height() != spec.inputHeight()
                || images.width() != spec.inputWidth()) {
            throw new IllegalArgumentException(model.directory() + " takes " + model.manifest().input().shape()
                    + " images, not " + images);
        }
        int classes = model.classes();
        float[] logits = new float[images.size() * classes];
        for (int from = 0; from < images.size(); from += BATCH) {
            int to = Math.min(from + BATCH, images.size());
            float[] batch = plan.logits(images.pixelsAsFloats(from, to), to - from);
            System.arraycopy(batch, 0, logits, from * classes, batch.length);
        }
        return logits;
    }

    @Override
    public void close() {
        plan.close();
    }
}
