package io.shallowserve.server.it;

import static io.shallowserve.server.it.GrpcInferenceServiceTest.assertStatus;
import static io.shallowserve.server.it.HttpInferenceApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.shallowserve.proto.inference.CudaSharedMemoryRegisterRequest;
import io.shallowserve.proto.inference.CudaSharedMemoryStatusRequest;
import io.shallowserve.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.shallowserve.proto.inference.InferParameter;
import io.shallowserve.proto.inference.LogSettingsRequest;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.shallowserve.proto.inference.ServerMetadataRequest;
import io.shallowserve.proto.inference.SystemSharedMemoryRegisterRequest;
import io.shallowserve.proto.inference.SystemSharedMemoryStatusRequest;
import io.shallowserve.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.shallowserve.proto.inference.TraceSettingRequest;
import io.shallowserve.runtime.data.FashionMnist;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Triton's shared-memory, trace and log calls, which clients may make at start, against the real server on both
 * protocols: each answers at once, with what is true here (no region is registered; registering one, tracing and
 * log settings are not offered), and the server serves on.
 */
@Timeout(60)
class UnofferedExtensionsTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final String MODEL = OnnxReference.modelNames(RunningServer.MODELS).getFirst();

    @Test
    void sharedMemoryStatus_noRegionIsRegistered() {
        assertThat(SERVER.grpc().systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance())
                .getRegionsMap()).isEmpty();
        assertThat(SERVER.grpc().cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest.getDefaultInstance())
                .getRegionsMap()).isEmpty();
        assertStatus(() -> SERVER.grpc().systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.newBuilder()
                .setName("input0").build()), Status.Code.NOT_FOUND, "'input0'");
        assertStatus(() -> SERVER.grpc().cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest.newBuilder()
                .setName("input0").build()), Status.Code.NOT_FOUND, "'input0'");
        for (String kind : new String[] {"systemsharedmemory", "cudasharedmemory"}) {
            HttpResponse<String> status = SERVER.get("/v2/" + kind + "/status");
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            assertThat(status.body()).isEqualTo("[]");
            assertError(SERVER.get("/v2/" + kind + "/region/input0/status"), 404, "'input0'");
        }
        assertStillServing();
    }

    @Test
    void sharedMemoryRegister_isUnimplementedWithTheReason() {
        assertStatus(() -> SERVER.grpc().systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest.newBuilder()
                .setName("input0").setKey("/input0").setByteSize(3136).build()), Status.Code.UNIMPLEMENTED,
                "send the tensors in the request");
        assertStatus(() -> SERVER.grpc().cudaSharedMemoryRegister(CudaSharedMemoryRegisterRequest.newBuilder()
                .setName("input0").setRawHandle(ByteString.copyFrom(new byte[64])).setByteSize(3136).build()),
                Status.Code.UNIMPLEMENTED, "CUDA shared memory is not supported");
        assertError(SERVER.post("/v2/systemsharedmemory/region/input0/register",
                "{\"key\": \"/input0\", \"offset\": 0, \"byte_size\": 3136}"), 501, "system shared memory");
        assertError(SERVER.post("/v2/cudasharedmemory/region/input0/register",
                "{\"raw_handle\": {\"b64\": \"AAAA\"}, \"device_id\": 0, \"byte_size\": 3136}"), 501,
                "CUDA shared memory");
        assertThat(SERVER.grpc().systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance())
                .getRegionsMap()).as("nothing registered").isEmpty();
        assertStillServing();
    }

    @Test
    void sharedMemoryUnregister_succeedsWithNothingToUnregister() {
        // As perf_analyzer does for a clean start (UnregisterAllSharedMemory: both kinds, name "").
        SERVER.grpc().systemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest.getDefaultInstance());
        SERVER.grpc().cudaSharedMemoryUnregister(CudaSharedMemoryUnregisterRequest.getDefaultInstance());
        SERVER.grpc().systemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest.newBuilder()
                .setName("input0").build());
        for (String path : new String[] {"/v2/systemsharedmemory/unregister",
                "/v2/cudasharedmemory/unregister", "/v2/systemsharedmemory/region/input0/unregister",
                "/v2/cudasharedmemory/region/input0/unregister"}) {
            HttpResponse<String> unregister = SERVER.post(path, "");
            assertThat(unregister.statusCode()).as(path + ": " + unregister.body()).isEqualTo(200);
        }
        assertStillServing();
    }

    /**
     * As tritonclient sends a tensor in shared memory: the input without data, or the output to be written to the
     * region. The output was answered in the response while the client read its region; the input got a message about
     * its missing contents.
     */
    @Test
    void tensorInSharedMemory_isInvalidArgumentNamingTheRegion() {
        float[] image = FashionMnist.testImages(1);
        ModelInferRequest inputInRegion = Requests.raw(MODEL, image).toBuilder().clearRawInputContents()
                .setInputs(0, Requests.raw(MODEL, image).getInputs(0).toBuilder()
                        .putParameters("shared_memory_region", InferParameter.newBuilder().setStringParam("input0")
                                .build())
                        .putParameters("shared_memory_byte_size", InferParameter.newBuilder().setInt64Param(3136)
                                .build()))
                .build();
        ModelInferRequest outputInRegion = Requests.raw(MODEL, image).toBuilder()
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits")
                        .putParameters("shared_memory_region", InferParameter.newBuilder().setStringParam("output0")
                                .build()))
                .build();
        String input = Requests.raw(MODEL, image).getInputs(0).getName();

        assertStatus(() -> SERVER.grpc().modelInfer(inputInRegion), Status.Code.INVALID_ARGUMENT,
                "input '" + input + "' is in shared memory region 'input0', which is not registered");
        assertStatus(() -> SERVER.grpc().modelInfer(outputInRegion), Status.Code.INVALID_ARGUMENT,
                "output 'logits' is in shared memory region 'output0', which is not registered");
        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", "{\"inputs\": [{\"name\": \"" + input + "\","
                + " \"shape\": [1, 1, 28, 28], \"datatype\": \"FP32\", \"parameters\": {\"shared_memory_region\":"
                + " \"input0\", \"shared_memory_byte_size\": 3136}}]}"), 400, "is in shared memory region 'input0'");
        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", Requests.json(image).replace("}]}",
                "}], \"outputs\": [{\"name\": \"logits\", \"parameters\": {\"shared_memory_region\": \"output0\"}}]}")),
                400, "output 'logits' is in shared memory region 'output0'");
        assertStillServing();
    }

    @Test
    void traceAndLogSettings_areUnimplementedWithTheReason() {
        assertStatus(() -> SERVER.grpc().traceSetting(TraceSettingRequest.getDefaultInstance()),
                Status.Code.UNIMPLEMENTED, "tracing");
        assertStatus(() -> SERVER.grpc().traceSetting(TraceSettingRequest.newBuilder().setModelName(MODEL)
                .putSettings("trace_level", TraceSettingRequest.SettingValue.newBuilder().addValue("TIMESTAMPS")
                        .build()).build()), Status.Code.UNIMPLEMENTED, "tracing");
        assertStatus(() -> SERVER.grpc().logSettings(LogSettingsRequest.newBuilder()
                .putSettings("log_verbose_level", LogSettingsRequest.SettingValue.newBuilder().setUint32Param(1)
                        .build()).build()), Status.Code.UNIMPLEMENTED, "log settings");
        for (Map.Entry<String, HttpResponse<String>> call : Map.of(
                "GET /v2/trace/setting", SERVER.get("/v2/trace/setting"),
                "POST /v2/trace/setting", SERVER.post("/v2/trace/setting", "{\"trace_level\": [\"TIMESTAMPS\"]}"),
                "GET model trace", SERVER.get("/v2/models/" + MODEL + "/trace/setting"),
                "GET /v2/logging", SERVER.get("/v2/logging"),
                "POST /v2/logging", SERVER.post("/v2/logging", "{\"log_verbose_level\": 1}")).entrySet()) {
            assertThat(call.getValue().statusCode()).as(call.getKey()).isEqualTo(501);
            assertError(call.getValue(), 501, "not supported by this server");
        }
        assertStillServing();
    }

    @Test
    void serverMetadata_doesNotOfferTheseExtensions() {
        assertThat(SERVER.grpc().serverMetadata(ServerMetadataRequest.getDefaultInstance()).getExtensionsList())
                .doesNotContain("system_shared_memory", "cuda_shared_memory", "trace", "logging");
    }

    private static void assertStillServing() {
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(MODEL, FashionMnist.testImages(1)))))
                .hasSize(10);
    }
}
