package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shallowserve.runtime.graph.TestGraph;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A model that cannot run the values a client sends (ONNX Runtime refuses them at run time, after the request's
 * shape was accepted): every such request is a 500 naming the model, the server logs the failure with its stack at
 * most once per {@link io.shallowserve.server.observe.FailureLog#INTERVAL}, and the next good request is answered.
 */
@Timeout(120)
class ModelRunFailureTest {

    private static final String MODEL = "reshape-by-three";
    private static final int REQUESTS = 30;
    private static final Path REPOSITORY = repository();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single");

    @Test
    void infer_valuesTheModelCannotRun_eachA500AndOneLogEntry() {
        // One row of 4 values cannot be reshaped to rows of 3; four rows (16 values) cannot either, three (12) can.
        String oneRow = """
                {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""";
        List<String> failureLines;
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < REQUESTS; i++) {
                HttpResponse<String> response = SERVER.post("/v2/models/" + MODEL + "/infer", oneRow);

                assertThat(response.statusCode()).isEqualTo(500);
                assertThat(response.body()).contains("model " + MODEL + " version 1 failed to run");
            }
            failureLines = log.lines().stream().filter(line -> line.contains("HTTP request failed")).toList();
        }

        // One, or none where another test's failure in this JVM was logged less than the interval before.
        assertThat(failureLines).hasSizeLessThanOrEqualTo(1);
        HttpResponse<String> good = SERVER.post("/v2/models/" + MODEL + "/infer", """
                {"inputs": [{"name": "x", "shape": [3, 4], "datatype": "FP32",
                             "data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}]}""");
        assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
        assertThat(good.body()).contains("\"shape\":[4,3]");
    }

    private static Path repository() {
        try {
            Path root = TestRepository.emptyFolder(ModelRunFailureTest.class.getSimpleName());
            Path version = Files.createDirectories(root.resolve(MODEL).resolve("1"));
            Files.write(version.resolve("model.onnx"), reshapeByThree().toByteArray());
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** y = x [N, 4] reshaped to rows of 3, [-1, 3]: runs only where 4N is a multiple of 3. */
    private static ModelProto reshapeByThree() {
        TestGraph graph = new TestGraph("reshape-by-three", "x", 4);
        TensorProto shape = TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(2).addInt64Data(-1).addInt64Data(3).build();
        graph.node("Constant", "shape", List.of(), AttributeProto.newBuilder().setName("value")
                .setType(AttributeProto.AttributeType.TENSOR).setT(shape).build());
        graph.node("Reshape", "y", List.of("x", "shape"));
        return graph.output("y", 3).model();
    }
}
