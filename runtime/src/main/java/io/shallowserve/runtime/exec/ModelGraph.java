package io.shallowserve.runtime.exec;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * model.onnx of a version as the ONNX protobuf: for the plans that rewrite or cut it at load time, and for the
 * parameter count of a graph that no model.json describes.
 */
public final class ModelGraph {

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

    /**
     * The parameters of model.onnx: the elements of its graph's initializers (its weights, biases and other
     * constant tensors), counted from their shapes, so tensors stored outside the file count too.
     *
     * @throws ModelVersionException if model.onnx cannot be read, is not an ONNX model, or an initializer's shape
     *                               has a negative dimension or more elements than a long counts
     */
    public static long parameterCount(ServableVersion model) throws ModelVersionException {
        long count = 0;
        for (TensorProto initializer : read(model).getGraph().getInitializerList()) {
            long elements = 1;
            try {
                for (long dimension : initializer.getDimsList()) {
                    if (dimension < 0) {
                        throw new ModelVersionException(model.file(ModelManifest.MODEL_FILE) + ": initializer "
                                + initializer.getName() + " has a negative dimension " + initializer.getDimsList());
                    }
                    elements = Math.multiplyExact(elements, dimension);
                }
                count = Math.addExact(count, elements);
            } catch (ArithmeticException e) {
                throw new ModelVersionException(model.file(ModelManifest.MODEL_FILE) + ": its initializers have"
                        + " more elements than a long counts (at " + initializer.getName() + ")", e);
            }
        }
        return count;
    }
}
