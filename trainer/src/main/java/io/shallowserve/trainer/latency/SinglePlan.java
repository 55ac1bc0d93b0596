package io.shallowserve.trainer.latency;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.trainer.repository.ModelManifest;
import java.nio.file.Path;
import java.util.Map;

/** {@code single}: one session runs model.onnx on the calling thread and its intra-op threads. */
final class SinglePlan implements OrtPlan {

    private final ModelManifest manifest;
    private final OrtSession session;

    SinglePlan(Path versionFolder, ModelManifest manifest, int intraOpThreads) throws OrtException {
        this.manifest = manifest;
        this.session = OrtSessions.open(versionFolder.resolve("model.onnx"), intraOpThreads);
    }

    @Override
    public float[] run(float[] pixels, int batch) throws OrtException {
        try (OnnxTensor input = OrtSessions.tensor(pixels, manifest.architecture().inputShape(batch));
                OrtSession.Result result = session.run(Map.of(manifest.input().name(), input))) {
            return OrtSessions.floats(result, manifest.output().name());
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
