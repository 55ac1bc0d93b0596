package io.shallowserve.trainer.distill;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.trainer.data.ImageDataset;
import io.shallowserve.trainer.repository.ModelManifest;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** A trained model from a repository version folder, run in ONNX Runtime to give its logits. */
public final class OnnxTeacher implements AutoCloseable {

    private static final int BATCH = 500;

    private final Path versionFolder;
    private final ModelManifest manifest;
    private final OrtSession session;

    private OnnxTeacher(Path versionFolder, ModelManifest manifest, OrtSession session) {
        this.versionFolder = versionFolder;
        this.manifest = manifest;
        this.session = session;
    }

    /** @param versionFolder e.g. models/fashion-deep/1: model.json and model.onnx */
    public static OnnxTeacher open(Path versionFolder) throws IOException, OrtException {
        ModelManifest manifest = ModelManifest.read(versionFolder.resolve(ModelManifest.FILE_NAME));
        OrtSession session = OrtEnvironment.getEnvironment().createSession(
                versionFolder.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
        return new OnnxTeacher(versionFolder, manifest, session);
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** {@code <name>/<version>}, as the repository names it. */
    public String id() {
        return manifest.name() + "/" + manifest.version();
    }

    /** Logits of every image, row-major [images x classes]; the graph normalises the [0,1] pixels itself. */
    public float[] logits(ImageDataset images) throws OrtException {
        if (images.channels() != manifest.architecture().inputChannels()
                || images.height() != manifest.architecture().inputHeight()
                || images.width() != manifest.architecture().inputWidth()) {
            throw new IllegalArgumentException(versionFolder + " takes " + manifest.input().shape()
                    + " images, not " + images);
        }
        int classes = manifest.architecture().classes();
        float[] logits = new float[images.size() * classes];
        for (int from = 0; from < images.size(); from += BATCH) {
            int to = Math.min(from + BATCH, images.size());
            try (OnnxTensor input = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                            FloatBuffer.wrap(images.pixelsAsFloats(from, to)),
                            manifest.architecture().inputShape(to - from));
                    OrtSession.Result result = session.run(Map.of(manifest.input().name(), input))) {
                ((OnnxTensor) result.get(manifest.output().name()).orElseThrow()).getFloatBuffer()
                        .get(logits, from * classes, (to - from) * classes);
            }
        }
        return logits;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
