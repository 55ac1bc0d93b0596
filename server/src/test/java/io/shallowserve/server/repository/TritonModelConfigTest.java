package io.shallowserve.server.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.proto.inference.DataType;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's config.pbtxt: configurations as Triton's model configuration docs write them, what each field becomes,
 * the errors, the fields left unused, precedence with serving.yaml and the check against the graph.
 */
class TritonModelConfigTest {

    private static final int MAX_BATCH = 64;
    private static final int CPU = -1;
    private static final ModelSettings DEFAULTS = new ModelSettings(2,
            new ModelSettings.Batching(true, 500, List.of(4)), VersionPolicy.parse("latest:1"));

    /** The graph of the docs' minimal example: two FP32 inputs of 16, one output of 16, batch first. */
    private static final List<TensorSpec> GRAPH_INPUTS = List.of(
            new TensorSpec("input0", Datatype.FP32, List.of(-1L, 16L)),
            new TensorSpec("input1", Datatype.FP32, List.of(-1L, 16L)));
    private static final List<TensorSpec> GRAPH_OUTPUTS = List.of(
            new TensorSpec("output0", Datatype.FP32, List.of(-1L, 16L)));

    @TempDir
    Path repository;

    private Path model;

    @BeforeEach
    void createModelFolder() throws Exception {
        model = Files.createDirectory(repository.resolve("mymodel"));
    }

    @Test
    void read_withoutConfigPbtxt_isEmpty() throws Exception {
        assertThat(TritonModelConfig.read(model, DEFAULTS, MAX_BATCH, CPU)).isEmpty();
    }

    @Test
    void read_emptyFile_isTheDefaultsWithoutBatching() throws Exception {
        TritonModelConfig config = read("");

        // As in Triton, no dynamic_batching means none.
        assertThat(config.settings()).isEqualTo(new ModelSettings(2, ModelSettings.Batching.OFF,
                DEFAULTS.versionPolicy()));
        assertThat(config.plan()).isEmpty();
        assertThat(config.maxBatchSize()).isZero();
        assertThat(config.inputs()).isEmpty();
        assertThat(config.outputs()).isEmpty();
        assertThat(config.unusedFields()).isEmpty();
    }

    @Test
    void read_tritonsMinimalConfiguration_putsTheBatchDimensionFirst() throws Exception {
        TritonModelConfig config = read("""
                  platform: "onnxruntime_onnx"
                  max_batch_size: 8
                  input [
                    {
                      name: "input0"
                      data_type: TYPE_FP32
                      dims: [ 16 ]
                    },
                    {
                      name: "input1"
                      data_type: TYPE_FP32
                      dims: [ 16 ]
                    }
                  ]
                  output [
                    {
                      name: "output0"
                      data_type: TYPE_FP32
                      dims: [ 16 ]
                    }
                  ]
                """);

        assertThat(config.maxBatchSize()).isEqualTo(8);
        assertThat(config.inputs()).isEqualTo(unchanged(GRAPH_INPUTS));
        assertThat(config.outputs()).isEqualTo(unchanged(GRAPH_OUTPUTS));
        assertThat(config.unusedFields()).isEmpty();
    }

    @Test
    void read_maxBatchSizeZero_makesTheShapeTheDimsAlone() throws Exception {
        TritonModelConfig config = read("""
                  backend: "onnxruntime"
                  max_batch_size: 0
                  input [ { name: "input0" data_type: TYPE_FP32 dims: [ 16 ] } ]
                  output [ { name: "output0" data_type: TYPE_FP32 dims: [ 4, -1 ] } ]
                """);

        assertThat(config.inputs()).containsExactly(ServedTensor.unchanged(
                new TensorSpec("input0", Datatype.FP32, List.of(16L))));
        assertThat(config.outputs()).containsExactly(ServedTensor.unchanged(
                new TensorSpec("output0", Datatype.FP32, List.of(4L, -1L))));
    }

    @Test
    void read_everyAppliedField_becomesTheSettingsPlanAndTensors() throws Exception {
        TritonModelConfig config = read("""
                name: "mymodel"
                platform: "onnxruntime_onnx"
                backend: "onnxruntime"
                max_batch_size: 16
                input [
                  { name: "image" data_type: TYPE_UINT8 dims: [ 3, -1, -1 ] },
                  { name: "prompt" data_type: TYPE_STRING dims: [ 1 ] }
                ]
                output [ { name: "logits" data_type: TYPE_FP16 dims: [ 10 ] } ]
                dynamic_batching {
                  preferred_batch_size: [ 4, 8 ]
                  max_queue_delay_microseconds: 100
                }
                instance_group [ { count: 2 }, { } ]
                version_policy: { specific: { versions: [1,3] } }
                parameters: { key: "shallowserve.plan" value: { string_value: "wide" } }
                """);

        // Two groups: 2 instances, and 1 where a group gives no count (Triton's default).
        assertThat(config.settings()).isEqualTo(new ModelSettings(3,
                new ModelSettings.Batching(true, 100, List.of(4, 8)), VersionPolicy.parse("specific:1,3")));
        assertThat(config.plan()).contains(PlanChoice.WIDE);
        assertThat(config.inputs()).isEqualTo(unchanged(List.of(
                new TensorSpec("image", Datatype.UINT8, List.of(-1L, 3L, -1L, -1L)),
                new TensorSpec("prompt", Datatype.BYTES, List.of(-1L, 1L)))));
        assertThat(config.outputs()).isEqualTo(unchanged(List.of(
                new TensorSpec("logits", Datatype.FP16, List.of(-1L, 10L)))));
        assertThat(config.unusedFields()).isEmpty();
    }

    @Test
    void read_versionPolicies_asTritonsDocsWriteThem() throws Exception {
        Map<String, String> policies = Map.of(
                "version_policy: { all { }}", "all",
                "version_policy: { all: {}}", "all",
                "version_policy: { latest: { num_versions: 2}}", "latest:2",
                "version_policy: { specific: { versions: [1,3]}}", "specific:1,3",
                "version_policy: { }", DEFAULTS.versionPolicy().toString());
        for (Map.Entry<String, String> policy : policies.entrySet()) {
            assertThat(read(policy.getKey()).settings().versionPolicy()).as(policy.getKey())
                    .hasToString(policy.getValue());
        }
    }

    @Test
    void read_dataTypes_areTheProtocolsNames() throws Exception {
        for (Datatype datatype : Datatype.values()) {
            String type = datatype == Datatype.BYTES ? "TYPE_STRING" : "TYPE_" + datatype.name();
            TritonModelConfig config = read("input [ { name: \"x\" data_type: " + type + " dims: [ 1 ] } ]");

            assertThat(config.inputs().getFirst().api().datatype()).as(type).isEqualTo(datatype);
        }
    }

    @Test
    void read_instanceGroupKinds_countOnTheServersDeviceAndListOtherKindsAndGpusUnused() throws Exception {
        TritonModelConfig config = read("""
                  instance_group [
                    {
                      count: 1
                      kind: KIND_GPU
                      gpus: [ 0 ]
                    },
                    {
                      count: 2
                      kind: KIND_CPU
                    }
                  ]
                """);

        assertThat(config.settings().instances()).isEqualTo(3);
        assertThat(config.unusedFields()).containsExactly(
                "instance_group.kind KIND_GPU (every model runs on the CPU, --device)",
                "instance_group.gpus [0] (every model runs on the CPU, --device)");
    }

    @Test
    void read_tritonFieldsTheServerDoesNotUse_areListedOnceAndChangeNothing() throws Exception {
        TritonModelConfig config = read("""
                name: "mymodel"
                platform: "onnxruntime_onnx"
                max_batch_size: 8
                max_batch_sze: 4
                input [
                  {
                    name: "input0"
                    data_type: TYPE_FP32
                    format: FORMAT_NCHW
                    dims: [ 16 ]
                  },
                  {
                    name: "input1"
                    data_type: TYPE_FP32
                    dims: [ 16 ]
                    reshape: { shape: [ 16 ] }
                    allow_ragged_batch: false
                  }
                ]
                output [
                  {
                    name: "output0"
                    data_type: TYPE_FP32
                    dims: [ 16 ]
                    label_filename: "labels.txt"
                  }
                ]
                dynamic_batching {
                  preferred_batch_size: [ 4 ]
                  preserve_ordering: true
                  default_queue_policy { timeout_action: REJECT default_timeout_microseconds: 1000 }
                }
                instance_group [
                  {
                    name: "mymodel_0"
                    count: 2
                    kind: KIND_CPU
                    host_policy: "policy_0"
                    rate_limiter { resources [ { name: "R1" count: 4 } ] priority: 2 }
                  }
                ]
                optimization { execution_accelerators {
                  gpu_execution_accelerator : [ {
                    name : "tensorrt"
                    parameters { key: "precision_mode" value: "FP16" }
                    parameters { key: "max_workspace_size_bytes" value: "1073741824" }
                  } ]
                }}
                model_warmup [
                  {
                    name: "sample"
                    batch_size: 1
                    inputs {
                      key: "input0"
                      value: {
                        data_type: TYPE_FP32
                        dims: [ 16 ]
                        zero_data: true
                      }
                    }
                  }
                ]
                response_cache {
                  enable: true
                }
                model_transaction_policy { decoupled: false }
                parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
                parameters { key: "execution_mode" value: { string_value: "1" } }
                parameters { key: "shallowserve.plan" value: { string_value: "branches" } }
                """);

        // input1's reshape is applied: a reshape to its own dims, which changes nothing.
        assertThat(config.unusedFields()).containsExactly("max_batch_sze", "input.allow_ragged_batch",
                "output.label_filename", "dynamic_batching.preserve_ordering",
                "instance_group.host_policy", "instance_group.rate_limiter",
                "optimization", "response_cache", "model_transaction_policy", "parameters.execution_mode");
        // What the server applies is read all the same.
        assertThat(config.maxBatchSize()).isEqualTo(8);
        assertThat(config.inputs()).isEqualTo(unchanged(GRAPH_INPUTS));
        assertThat(config.outputs()).isEqualTo(unchanged(GRAPH_OUTPUTS));
        assertThat(config.settings()).isEqualTo(new ModelSettings(2,
                new ModelSettings.Batching(true, 0, List.of(4)), DEFAULTS.versionPolicy()));
        assertThat(config.plan()).contains(PlanChoice.BRANCHES);
        assertThat(config.intraOpThreads()).hasValue(1);
        assertThat(config.queuePolicy()).isEqualTo(new TritonModelConfig.QueuePolicy(OptionalInt.empty(), 1000));
        assertThat(config.warmups()).containsExactly(new WarmupSample("sample", 1, 1, List.of(
                new WarmupSample.Input("input0", Datatype.FP32, List.of(16L), WarmupSample.Source.ZEROS, ""))));
    }

    @Test
    void read_modelWarmup_givesEachSampleItsRowsRunsAndInputs() throws Exception {
        TritonModelConfig config = read("""
                max_batch_size: 8
                model_warmup [
                  {
                    name: "zeros and a file"
                    batch_size: 4
                    count: 3
                    inputs { key: "input0" value: { data_type: TYPE_FP32 dims: [ 16 ] zero_data: true } }
                    inputs { key: "input1" value: { data_type: TYPE_FP32 dims: [ 16 ] input_data_file: "raw/in1" } }
                  },
                  {
                    name: "skipped, as Triton skips batch 0"
                    inputs { key: "input0" value: { data_type: TYPE_FP32 dims: [ 16 ] zero_data: true } }
                  },
                  {
                    name: "random"
                    batch_size: 1
                    inputs { key: "input0" value: { data_type: TYPE_FP32 dims: [ 16 ] random_data: true } }
                    inputs { key: "input1" value: { data_type: TYPE_FP32 dims: [ 16 ] random_data: true } }
                  }
                ]
                """);

        assertThat(config.warmups()).containsExactly(
                new WarmupSample("zeros and a file", 4, 3, List.of(
                        new WarmupSample.Input("input0", Datatype.FP32, List.of(16L), WarmupSample.Source.ZEROS,
                                ""),
                        new WarmupSample.Input("input1", Datatype.FP32, List.of(16L), WarmupSample.Source.FILE,
                                "raw/in1"))),
                new WarmupSample("random", 1, 1, List.of(
                        new WarmupSample.Input("input0", Datatype.FP32, List.of(16L), WarmupSample.Source.RANDOM,
                                ""),
                        new WarmupSample.Input("input1", Datatype.FP32, List.of(16L), WarmupSample.Source.RANDOM,
                                ""))));
        // Read twice, the same: a poll keeps a version whose configuration did not change.
        assertThat(read(Files.readString(model.resolve(TritonModelConfig.FILE_NAME)))).isEqualTo(config);
    }

    @Test
    void read_sequenceBatching_isListedUnusedAndBatchingIsOff() throws Exception {
        TritonModelConfig config = read("""
                max_batch_size: 8
                sequence_batching {
                  max_sequence_idle_microseconds: 5000000
                  control_input [
                    {
                      name: "START"
                      control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ]
                    }
                  ]
                }
                """);

        assertThat(config.unusedFields()).containsExactly("sequence_batching");
        assertThat(config.settings().batching()).isEqualTo(ModelSettings.Batching.OFF);
    }

    @Test
    void read_planParameter_takesEveryPlan() throws Exception {
        for (PlanChoice plan : PlanChoice.values()) {
            String text = "parameters { key: \"shallowserve.plan\" value: { string_value: \""
                    + plan.name().toLowerCase(Locale.ROOT) + "\" } }";

            assertThat(read(text).plan()).as(text).contains(plan);
        }
    }

    @Test
    void read_defaultQueuePolicy_boundsTheQueueAndTimesOutWhatWaitsTooLong() throws Exception {
        TritonModelConfig config = read("""
                max_batch_size: 8
                dynamic_batching {
                  default_queue_policy { max_queue_size: 3 default_timeout_microseconds: 5000
                    allow_timeout_override: true }
                }
                """);
        TritonModelConfig delayed = read("""
                max_batch_size: 8
                dynamic_batching { default_queue_policy { timeout_action: DELAY default_timeout_microseconds: 5000 } }
                """);

        assertThat(config.queuePolicy()).isEqualTo(new TritonModelConfig.QueuePolicy(OptionalInt.of(3), 5000));
        assertThat(config.unusedFields())
                .containsExactly("dynamic_batching.default_queue_policy.allow_timeout_override");
        // DELAY lets a request wait on behind the others: no timeout applies here, and the field says so.
        assertThat(delayed.queuePolicy()).isEqualTo(TritonModelConfig.QueuePolicy.NONE);
        assertThat(delayed.unusedFields()).containsExactly("dynamic_batching.default_queue_policy.timeout_action");
        assertThat(read("max_batch_size: 8\ndynamic_batching { }").queuePolicy())
                .isEqualTo(TritonModelConfig.QueuePolicy.NONE);
    }

    /** Text as Triton's own tests write it (qa/L0_batcher, qa/L0_warmup): newlines inside braces, a scalar dims. */
    @Test
    void read_tritonsQaConfigurations_queuePolicyAndWarmUpAsTheyWriteThem() throws Exception {
        TritonModelConfig config = read("max_batch_size: 8\n"
                + "input [{ name: \"INPUT0\" \n data_type: TYPE_FP32 \n dims: [ 16 ] }]\n"
                + "dynamic_batching {\n  preferred_batch_size: [ 1 ]\n"
                + "  default_queue_policy { timeout_action: REJECT \n default_timeout_microseconds: 1000000 \n"
                + " max_queue_size: 8 }\n}\n"
                + "model_warmup [{\n    name : \"regular sample\"\n    batch_size: 1\n    inputs {\n"
                + "        key: \"INPUT0\"\n        value: {\n            data_type: TYPE_FP32\n"
                + "            dims: 16\n            zero_data: true\n        }\n    }\n}]\n");

        assertThat(config.queuePolicy()).isEqualTo(new TritonModelConfig.QueuePolicy(OptionalInt.of(8), 1_000_000));
        assertThat(config.warmups()).containsExactly(new WarmupSample("regular sample", 1, 1, List.of(
                new WarmupSample.Input("INPUT0", Datatype.FP32, List.of(16L), WarmupSample.Source.ZEROS, ""))));
        assertThat(config.unusedFields()).isEmpty();
    }

    @Test
    void read_intraOpThreadCount_isTheModelsThreadsWithZeroOnePerCore() throws Exception {
        String parameter = "parameters { key: \"intra_op_thread_count\" value: { string_value: \"%s\" } }";

        assertThat(read(parameter.formatted("4")).intraOpThreads()).hasValue(4);
        assertThat(read(parameter.formatted("0")).intraOpThreads())
                .hasValue(Runtime.getRuntime().availableProcessors());
        assertThat(read("").intraOpThreads()).isEmpty();
    }

    @Test
    void read_malformedText_namesTheFileLineAndColumn() throws Exception {
        Map<String, String> malformed = Map.of(
                "max_batch_size: 8\ninput [ { name: \"x\" ]", ", line 2, column 21: ",
                "max_batch_size: \"eight\"", ", line 1, column 17: ",
                "max_batch_size: 8\ninput [ { name: \"x\" data_type: TYPE_FLOAT32 } ]",
                ", line 2, column 32: ",
                "optimization { cuda { graphs: true }", ", line 1, column 37: ",
                "{", ", line 1, column 1: ",
                // As Triton's parser: a field that is not repeated is given once.
                "max_batch_size: 8\nmax_batch_size: 9", ", line 2, column 15: ");
        for (Map.Entry<String, String> text : malformed.entrySet()) {
            write(text.getKey());

            assertThatThrownBy(() -> TritonModelConfig.read(model, DEFAULTS, MAX_BATCH, CPU)).as(text.getKey())
                    .isInstanceOf(ModelVersionException.class)
                    .hasMessageStartingWith("mymodel/config.pbtxt" + text.getValue())
                    .hasMessageContaining("protobuf text format")
                    .hasMessageEndingWith("load the model again");
        }
    }

    @Test
    void read_wrongValues_nameTheFileAndTheField() throws Exception {
        Map<String, String> wrong = Map.ofEntries(
                Map.entry("name: \"othermodel\"", "name is 'othermodel', but the model's folder is 'mymodel'"),
                Map.entry("platform: \"tensorrt_plan\"", "platform is 'tensorrt_plan'; this server serves ONNX"
                        + " models with ONNX Runtime"),
                Map.entry("platform: \"ensemble\"", "platform is 'ensemble'"),
                Map.entry("backend: \"python\"", "backend is 'python'; this server serves ONNX models"),
                Map.entry("max_batch_size: -1", "max_batch_size is -1"),
                Map.entry("parameters { key: \"shallowserve.plan\" value: { string_value: \"fastest\" } }",
                        "parameters shallowserve.plan is 'fastest'; use single, wide, grouped, branches or auto"),
                Map.entry("instance_group [ { count: -1 } ]", "instance_group count is -1"),
                Map.entry("dynamic_batching { default_queue_policy { max_queue_size: 65537 } }",
                        "dynamic_batching default_queue_policy max_queue_size 65537 is over 65536"),
                Map.entry("dynamic_batching { default_queue_policy { default_timeout_microseconds: 86400000001 } }",
                        "dynamic_batching default_queue_policy default_timeout_microseconds 86400000001 is over a day"),
                Map.entry("dynamic_batching { default_queue_policy { default_timeout_microseconds:"
                        + " 18446744073709551615 } }",
                        "dynamic_batching default_queue_policy default_timeout_microseconds 18446744073709551615 is"
                        + " over a day"),
                Map.entry("parameters { key: \"intra_op_thread_count\" value: { string_value: \"two\" } }",
                        "parameters intra_op_thread_count is 'two'; give the threads of the model's sessions, 1 to"
                        + " 256, or 0 for one per core"),
                Map.entry("parameters { key: \"intra_op_thread_count\" value: { string_value: \"-1\" } }",
                        "parameters intra_op_thread_count is '-1'"),
                Map.entry("parameters { key: \"intra_op_thread_count\" value: { string_value: \"257\" } }",
                        "parameters intra_op_thread_count is '257'"),
                Map.entry("instance_group [ { count: 40 }, { count: 40 } ]",
                        "instance_group counts add up to 80 instances"),
                Map.entry("max_batch_size: 65", "max_batch_size is 65, over this server's largest batch, 64"),
                Map.entry("max_batch_size: 8\ndynamic_batching { preferred_batch_size: [ 4, 16 ] }",
                        "dynamic_batching preferred_batch_size 16 must be 1 to max_batch_size (8)"),
                Map.entry("version_policy: { latest: { num_versions: 0 } }",
                        "version_policy latest num_versions is 0"),
                Map.entry("version_policy: { specific: { versions: [ 0 ] } }",
                        "version_policy specific lists version 0"),
                Map.entry("version_policy: { specific: { } }", "version_policy specific lists no versions"),
                Map.entry("input [ { name: \"x\" dims: [ 1 ] } ]", "input 'x' has no data_type"),
                Map.entry("input [ { name: \"x\" data_type: TYPE_BF16 dims: [ 1 ] } ]",
                        "input 'x' has data_type TYPE_BF16, which this server has no tensors of"),
                Map.entry("output [ { data_type: TYPE_FP32 dims: [ 1 ] } ]", "an output has no name"),
                Map.entry("input [ { name: \"x\" data_type: TYPE_FP32 dims: [ 0 ] } ]", "input 'x' has dims [0]"),
                Map.entry("max_batch_size: 8\ninput [ { name: \"x\" data_type: TYPE_FP32 } ]",
                        "input 'x' has no dims; give them without the batch dimension (a tensor of the batch alone is"
                        + " dims [1] with reshape { shape: [] })"),
                Map.entry("output [ { name: \"y\" data_type: TYPE_FP32 dims: [ ] } ]", "output 'y' has no dims"),
                Map.entry("input [ { name: \"x\" data_type: TYPE_FP32 dims: [ -2 ] } ]", "input 'x' has dims [-2]"),
                Map.entry("max_batch_size: 8\ninput [ { name: \"x\" data_type: TYPE_FP32 dims: [ 2 ]"
                        + " reshape: { shape: [ ] } } ]", "input 'x': dims [2] and reshape shape [] hold 2 and 1"
                        + " elements per batch item; a reshape keeps the elements"),
                Map.entry("max_batch_size: 8\noutput [ { name: \"y\" data_type: TYPE_FP32 dims: [ -1 ]"
                        + " reshape: { shape: [ 4 ] } } ]", "output 'y': dims [-1] and reshape shape [4] do not pair"
                        + " up: each needs as many -1s, the sizes between them multiplying to the same counts; a"
                        + " reshape keeps the elements"),
                Map.entry("max_batch_size: 8\ninput [ { name: \"x\" data_type: TYPE_FP32 dims: [ 2, -1, 3 ]"
                        + " reshape: { shape: [ -1, 6 ] } } ]", "input 'x': dims [2, -1, 3] and reshape shape [-1, 6]"
                        + " do not pair up"),
                Map.entry("input [ { name: \"x\" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } } ]",
                        "input 'x' has an empty reshape shape with max_batch_size 0"),
                Map.entry("max_batch_size: 8\ninput [ { name: \"x\" data_type: TYPE_FP32 dims: [ 4 ]"
                        + " reshape: { shape: [ 0, 4 ] } } ]", "input 'x' has reshape shape [0, 4]; each is a size"),
                Map.entry("max_batch_size: 8\nmodel_warmup [ { name: \"w\" batch_size: 1 inputs { key: \"x\""
                        + " value: { data_type: TYPE_FP32 dims: [ -1 ] zero_data: true } } } ]",
                        "model_warmup 'w' input 'x' has dims [-1]; a sample's dimensions all have a size"),
                Map.entry("model_warmup [ { name: \"w\" batch_size: 1 inputs { key: \"x\""
                        + " value: { data_type: TYPE_FP32 dims: [ 2 ] } } } ]",
                        "model_warmup 'w' input 'x' gives no data; set zero_data, random_data or input_data_file"),
                Map.entry("model_warmup [ { name: \"w\" batch_size: 1 inputs { key: \"x\""
                        + " value: { dims: [ 2 ] zero_data: true } } } ]",
                        "model_warmup 'w' input 'x' has no data_type"),
                Map.entry("model_warmup [ { name: \"w\" batch_size: 1 inputs { key: \"x\""
                        + " value: { data_type: TYPE_FP32 dims: [ 2 ] input_data_file: \"../../secret\" } } } ]",
                        "model_warmup 'w' input 'x' has input_data_file '../../secret'; name a file in the model's"
                        + " warmup/ folder"),
                Map.entry("model_warmup [ { name: \"w\" batch_size: 1 inputs { key: \"x\""
                        + " value: { data_type: TYPE_FP32 dims: [ 2 ] input_data_file: \"/etc/passwd\" } } } ]",
                        "model_warmup 'w' input 'x' has input_data_file '/etc/passwd'"),
                Map.entry("model_warmup [ { name: \"w\" batch_size: 1 } ]", "model_warmup 'w' has no inputs"),
                Map.entry("max_batch_size: 8\nmodel_warmup [ { name: \"w\" batch_size: 8 inputs { key: \"x\""
                        + " value: { data_type: TYPE_FP64 dims: [ 65536, 65536 ] zero_data: true } } } ]",
                        "model_warmup 'w' has a batch of 8 holding more than the 256 MiB of data a sample may"
                        + " have"),
                Map.entry("max_batch_size: 64\nmodel_warmup [ { name: \"w\" batch_size: 64 inputs { key: \"x\""
                        + " value: { data_type: TYPE_FP32 dims: [ 1048577 ] zero_data: true } } } ]",
                        "model_warmup 'w' has a batch of 64 holding more than the 256 MiB"),
                Map.entry("output [ { name: \"y\" data_type: TYPE_FP32 dims: [ 1 ] },"
                        + " { name: \"y\" data_type: TYPE_FP32 dims: [ 2 ] } ]", "output 'y' is declared twice"));
        for (Map.Entry<String, String> text : wrong.entrySet()) {
            write(text.getKey());

            assertThatThrownBy(() -> TritonModelConfig.read(model, DEFAULTS, MAX_BATCH, CPU)).as(text.getKey())
                    .isInstanceOf(ModelVersionException.class)
                    .hasMessageStartingWith("mymodel/config.pbtxt: " + text.getValue())
                    .hasMessageEndingWith("load the model again");
        }
    }

    @Test
    void read_fileOverTheBound_isAnError() throws Exception {
        write("# " + "x".repeat(1 << 20));

        assertThatThrownBy(() -> TritonModelConfig.read(model, DEFAULTS, MAX_BATCH, CPU))
                .isInstanceOf(ModelVersionException.class)
                .hasMessageStartingWith("mymodel/config.pbtxt is 1048578 bytes; a model configuration is at most");
    }

    @Test
    void read_fileNotUtf8_isAnError() throws Exception {
        Files.write(model.resolve(TritonModelConfig.FILE_NAME), new byte[] {'n', 'a', 'm', 'e', (byte) 0xff});

        assertThatThrownBy(() -> TritonModelConfig.read(model, DEFAULTS, MAX_BATCH, CPU))
                .isInstanceOf(ModelVersionException.class)
                .hasMessageStartingWith("mymodel/config.pbtxt cannot be read (")
                .hasMessageEndingWith("make it a readable UTF-8 file and load the model again");
    }

    @Test
    void servingSettings_servingYamlOverConfigPbtxtOverDefaults() throws Exception {
        write("""
                max_batch_size: 8
                dynamic_batching { max_queue_delay_microseconds: 100 }
                instance_group [ { count: 3 } ]
                """);
        Files.writeString(model.resolve(ModelRepository.SETTINGS_FILE), """
                batching:
                  preferred-batch-sizes: [8]
                """);
        Optional<TritonModelConfig> config = TritonModelConfig.read(model, DEFAULTS, MAX_BATCH, CPU);

        // instances and the delay from config.pbtxt, the sizes from serving.yaml, the version policy the default's.
        assertThat(TritonModelConfig.servingSettings(model, config, DEFAULTS)).isEqualTo(new ModelSettings(3,
                new ModelSettings.Batching(true, 100, List.of(8)), DEFAULTS.versionPolicy()));
    }

    @Test
    void servingSettings_withoutConfigPbtxt_isServingYamlOverTheDefaults() throws Exception {
        Files.writeString(model.resolve(ModelRepository.SETTINGS_FILE), "instances: 5");

        assertThat(TritonModelConfig.servingSettings(model, Optional.empty(), DEFAULTS))
                .isEqualTo(new ModelSettings(5, DEFAULTS.batching(), DEFAULTS.versionPolicy()));
        Files.delete(model.resolve(ModelRepository.SETTINGS_FILE));
        assertThat(TritonModelConfig.servingSettings(model, Optional.empty(), DEFAULTS)).isSameAs(DEFAULTS);
    }

    @Test
    void contradictions_declarationsTheGraphHas_areNone() throws Exception {
        // Fixing a dimension the graph leaves open narrows what is accepted, which Triton allows; outputs may be
        // some of the graph's.
        TritonModelConfig config = read("""
                max_batch_size: 4
                input [
                  { name: "input1" data_type: TYPE_FP32 dims: [ 16 ] },
                  { name: "input0" data_type: TYPE_FP32 dims: [ 16 ] }
                ]
                output [ { name: "logits" data_type: TYPE_FP32 dims: [ 3, 10 ] } ]
                """);
        List<TensorSpec> outputs = List.of(
                new TensorSpec("logits", Datatype.FP32, List.of(-1L, -1L, 10L)),
                new TensorSpec("features", Datatype.FP32, List.of(-1L, 64L)));

        assertThat(config.contradictions(GRAPH_INPUTS, outputs)).isEmpty();
        assertThat(read("").contradictions(GRAPH_INPUTS, outputs)).isEmpty();
    }

    @Test
    void contradictions_eachDifference_isOneMessage() throws Exception {
        TritonModelConfig config = read("""
                max_batch_size: 8
                input [
                  { name: "input0" data_type: TYPE_FP16 dims: [ 16 ] },
                  { name: "image" data_type: TYPE_FP32 dims: [ 16 ] }
                ]
                output [
                  { name: "output0" data_type: TYPE_FP32 dims: [ 1, 16 ] }
                ]
                """);

        assertThat(config.contradictions(GRAPH_INPUTS, GRAPH_OUTPUTS)).containsExactly(
                "input 'input0': the configuration says FP16, the graph FP32",
                "the configuration declares input 'image', which the graph does not have (its inputs: 'input0',"
                        + " 'input1')",
                "output 'output0': the configuration says shape [-1, 1, 16], the graph [-1, 16] (-1 = any size); with"
                        + " max_batch_size 8 the shape is [-1] + dims, the batch dimension left out of dims; to serve"
                        + " the graph's tensor in the declared shape, add reshape: { shape: [16] }",
                "the graph's input 'input1' is not in the configuration; declare every input or none");
    }

    @Test
    void contradictions_dimensionsTheGraphFixes_mustBeDeclaredWithItsSize() throws Exception {
        TritonModelConfig batched = read("""
                max_batch_size: 8
                input [ { name: "input0" data_type: TYPE_FP32 dims: [ 8 ] } ]
                """);
        TritonModelConfig unbatched = read("""
                max_batch_size: 0
                input [ { name: "input0" data_type: TYPE_FP32 dims: [ -1, -1 ] } ]
                """);
        List<TensorSpec> fixedBatch = List.of(new TensorSpec("input0", Datatype.FP32, List.of(1L, 16L)));

        assertThat(batched.contradictions(fixedBatch, List.of())).containsExactly(
                "input 'input0': the configuration says dimension 0 is of any size (the batch, as max_batch_size 8"
                        + " makes it), the graph fixes it at 1",
                "input 'input0': the configuration says dimension 1 is 8, the graph fixes it at 16");
        assertThat(unbatched.contradictions(fixedBatch, List.of())).containsExactly(
                "input 'input0': the configuration says dimension 0 is of any size, the graph fixes it at 1",
                "input 'input0': the configuration says dimension 1 is of any size, the graph fixes it at 16");
    }

    @Test
    void read_reshape_tritonsIdiomForATensorOfTheBatchAlone() throws Exception {
        TritonModelConfig config = read("""
                max_batch_size: 8
                input [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } } ]
                output [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } } ]
                """);
        List<TensorSpec> graph = List.of(new TensorSpec("x", Datatype.FP32, List.of(-1L)));
        List<TensorSpec> graphOutputs = List.of(new TensorSpec("y", Datatype.FP32, List.of(-1L)));

        assertThat(config.inputs()).containsExactly(new ServedTensor(
                new TensorSpec("x", Datatype.FP32, List.of(-1L, 1L)), List.of(-1L)));
        assertThat(config.outputs()).containsExactly(new ServedTensor(
                new TensorSpec("y", Datatype.FP32, List.of(-1L, 1L)), List.of(-1L)));
        assertThat(config.unusedFields()).isEmpty();
        assertThat(config.reshapes()).isTrue();
        assertThat(config.contradictions(graph, graphOutputs)).as("checked against reshape.shape").isEmpty();
    }

    @Test
    void read_reshapeWithDimensionsOfAnySize_pairsThemUp() throws Exception {
        // Triton's own example (ValidateIOShape): 2 * 4 = 8 before the -1, and 6 = 1 * 6 after it.
        TritonModelConfig config = read("""
                max_batch_size: 8
                input [ { name: "x" data_type: TYPE_FP32 dims: [ 2, 4, -1, 6 ] reshape: { shape: [ 8, -1, 1, 6 ] } } ]
                """);

        assertThat(config.inputs()).containsExactly(new ServedTensor(
                new TensorSpec("x", Datatype.FP32, List.of(-1L, 2L, 4L, -1L, 6L)), List.of(-1L, 8L, -1L, 1L, 6L)));
        assertThat(config.contradictions(List.of(new TensorSpec("x", Datatype.FP32, List.of(-1L, 8L, -1L, 1L, 6L))),
                List.of())).isEmpty();
    }

    @Test
    void contradictions_reshapedTensor_areOfItsReshapeShape() throws Exception {
        TritonModelConfig config = read("""
                max_batch_size: 8
                input [ { name: "input0" data_type: TYPE_FP32 dims: [ 16 ] reshape: { shape: [ 4, 4 ] } } ]
                """);

        assertThat(config.contradictions(GRAPH_INPUTS.subList(0, 1), List.of())).containsExactly(
                "input 'input0': the configuration says shape [-1, 4, 4], the graph [-1, 16] (-1 = any size); with"
                        + " max_batch_size 8 the shape is [-1] + reshape.shape, the batch dimension left out of"
                        + " reshape.shape");
    }

    @Test
    void contradictions_dimsOfTheGraphsElementsInAnotherShape_suggestTheReshape() throws Exception {
        TritonModelConfig config = read("""
                max_batch_size: 8
                input [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] } ]
                """);

        assertThat(config.reshapes()).isFalse();
        assertThat(config.contradictions(List.of(new TensorSpec("x", Datatype.FP32, List.of(-1L))), List.of()))
                .containsExactly("input 'x': the configuration says shape [-1, 1], the graph [-1] (-1 = any size);"
                        + " with max_batch_size 8 the shape is [-1] + dims, the batch dimension left out of dims; to"
                        + " serve the graph's tensor in the declared shape, add reshape: { shape: [] }");
    }

    @Test
    void datatype_mapsTritonsTypesAndTheProtocolsBothWays() {
        for (Datatype datatype : Datatype.values()) {
            assertThat(TritonModelConfig.datatype(TritonModelConfig.dataType(datatype))).contains(datatype);
        }
        assertThat(TritonModelConfig.dataType(Datatype.FP32)).isEqualTo(DataType.TYPE_FP32);
        assertThat(TritonModelConfig.datatype(DataType.TYPE_STRING)).contains(Datatype.BYTES);
        assertThat(TritonModelConfig.datatype(DataType.TYPE_BF16)).isEmpty();
        assertThat(TritonModelConfig.datatype(DataType.TYPE_INVALID)).isEmpty();
    }

    private static List<ServedTensor> unchanged(List<TensorSpec> tensors) {
        return tensors.stream().map(ServedTensor::unchanged).toList();
    }

    private void write(String text) throws Exception {
        Files.writeString(model.resolve(TritonModelConfig.FILE_NAME), text);
    }

    private TritonModelConfig read(String text) throws Exception {
        write(text);
        return TritonModelConfig.read(model, DEFAULTS, MAX_BATCH, CPU).orElseThrow();
    }
}
