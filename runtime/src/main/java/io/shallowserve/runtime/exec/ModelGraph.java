package io.shallowserve.runtime.exec;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** model.onnx of a version as the ONNX protobuf, for the plans that rewrite or cut it at load time. */
final class ModelGraph {

    private ModelGraph() {}

    /**
     * Reads and parses model.onnx; the model folder is never written.
     *
     * @throws ModelVersionException if it cannot be read or is not an ONNX model
     */
    static ModelProto read(ServableVersion model) throws ModelVersionException {
        Path file = model.file(ModelManifest.MODEL_FILE);
        try {
            return ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelVersionException(file + " is not an ONNX model (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelVersionException(file + " cannot be read: " + e, e);
        }
    }
}
