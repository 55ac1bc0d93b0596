package io.shallowserve.server.repository;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.shallowserve.proto.inference.DataType;
import io.shallowserve.proto.inference.ModelConfig;
import io.shallowserve.proto.inference.ModelDynamicBatching;
import io.shallowserve.proto.inference.ModelInput;
import io.shallowserve.proto.inference.ModelInstanceGroup;
import io.shallowserve.proto.inference.ModelOutput;
import io.shallowserve.proto.inference.ModelParameter;
import io.shallowserve.proto.inference.ModelQueuePolicy;
import io.shallowserve.proto.inference.ModelVersionPolicy;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a model's Triton configuration, the optional {@code <repository>/<model>/config.pbtxt} (Triton's ModelConfig
 * in protobuf text format), says about serving it, so that a model folder made for Triton serves here unchanged.
 * The server's defaults come first, then config.pbtxt, then the model's serving.yaml: this project's own file has the
 * last word ({@link #servingSettings}).
 *
 * <p>Read: name (must be the folder's), platform or backend (must be ONNX Runtime's), max_batch_size, input and output
 * (with their reshape), dynamic_batching (with its default_queue_policy), instance_group counts, version_policy,
 * model_warmup and the parameters {@value PlanChoice#CONFIG_PARAMETER} and {@value #INTRA_OP_THREADS} (Triton's ONNX
 * Runtime backend's).
 * Everything else set in the file is named in {@link #unusedFields} and changes nothing.
 *
 * @param settings     the settings config.pbtxt implies over the server's defaults: instance_group counts added up,
 *                     dynamic batching on exactly when dynamic_batching is there (as in Triton), version_policy;
 *                     a setting the file leaves out is the default's
 * @param plan         the execution plan the parameter {@value PlanChoice#CONFIG_PARAMETER} asks for; empty: the
 *                     server's
 * @param intraOpThreads the intra-op threads of the model's single, wide, stem and head sessions that the parameter
 *                     {@value #INTRA_OP_THREADS} asks for (0 there: one per core, as ONNX Runtime's default); empty:
 *                     the server's
 * @param queuePolicy  dynamic_batching's default_queue_policy: a version's own queue bound and queue timeout
 * @param maxBatchSize Triton's max_batch_size: the largest batch the model takes, its first dimension the batch; 0
 *                     (or left out): the graph decides, as Triton's auto-complete does (requests batch where every
 *                     input and output has a first dimension of any size)
 * @param inputs       the inputs declared, each shape in full: the API shape [-1] + dims when max_batch_size &gt; 0,
 *                     dims when it is 0, and the model shape likewise of reshape.shape where a reshape is given;
 *                     none declared: the graph's own (Triton's auto-complete, {@link ServedTensor#autoCompleted})
 * @param outputs      the outputs declared, likewise
 * @param warmups      the model_warmup samples to run on every instance before the version serves
 * @param unusedFields the fields set in the file that the server does not apply, by their path in Triton's
 *                     ModelConfig (e.g. "optimization", "input.allow_ragged_batch", "parameters.execution_mode"),
 *                     each once
 */
public record TritonModelConfig(
        ModelSettings settings,
        Optional<PlanChoice> plan,
        OptionalInt intraOpThreads,
        QueuePolicy queuePolicy,
        int maxBatchSize,
        List<ServedTensor> inputs,
        List<ServedTensor> outputs,
        List<WarmupSample> warmups,
        List<String> unusedFields) {

    /** The file's name in the model folder, beside the version folders. */
    public static final String FILE_NAME = ModelRepository.TRITON_CONFIG_FILE;
    /** Triton's platform for ONNX models run by ONNX Runtime, the only one this server has. */
    public static final String PLATFORM = "onnxruntime_onnx";
    /** Triton's backend for {@value #PLATFORM}. */
    public static final String BACKEND = "onnxruntime";
    /** The parameter of Triton's ONNX Runtime backend that sets a model's intra-op threads. */
    public static final String INTRA_OP_THREADS = "intra_op_thread_count";
    /** Far above any core count: a bound on the threads one model's session may start. */
    private static final int MAX_INTRA_OP_THREADS = 256;
    /** A bound on max_queue_size: every request waiting holds its tensors. */
    private static final int MAX_QUEUE_SIZE = 65536;
    /** A bound on default_timeout_microseconds, a day: far beyond any wait a client makes. */
    private static final long MAX_QUEUE_TIMEOUT_MICROS = 86_400_000_000L;

    /**
     * dynamic_batching's default_queue_policy as this server applies it.
     *
     * @param maxQueued     the most requests of a version that may wait (max_queue_size); empty: the server's
     *                      shallowserve.limits.queued
     * @param timeoutMicros how long a request may wait in the queue before it is refused, UNAVAILABLE as in Triton
     *                      (default_timeout_microseconds with timeout_action REJECT); 0: as long as its client waits
     */
    public record QueuePolicy(OptionalInt maxQueued, long timeoutMicros) {

        public static final QueuePolicy NONE = new QueuePolicy(OptionalInt.empty(), 0);
    }

    /** Far above any real configuration (Triton's are a few KiB): a bound on what one load reads. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    /**
     * The fields of ModelConfig the server applies, by path; a message field not here is looked into, any other
     * field set is unused. version_policy, model_warmup and parameters are applied whole (parameters key by key,
     * below).
     */
    private static final Set<String> APPLIED = Set.of("name", "platform", "backend", "max_batch_size",
            "version_policy", "parameters", "model_warmup", "input.name", "input.data_type", "input.dims",
            "input.format",
            "input.reshape", "output.name", "output.data_type", "output.dims", "output.reshape",
            "dynamic_batching.preferred_batch_size",
            "dynamic_batching.max_queue_delay_microseconds", "dynamic_batching.default_queue_policy.max_queue_size",
            "dynamic_batching.default_queue_policy.default_timeout_microseconds",
            "dynamic_batching.default_queue_policy.timeout_action", "instance_group.name", "instance_group.count",
            "instance_group.kind", "instance_group.gpus");


    public TritonModelConfig {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        warmups = List.copyOf(warmups);
        unusedFields = List.copyOf(unusedFields);
    }

    /**
     * The configuration in {@code modelFolder}'s config.pbtxt over {@code defaults}; empty if the folder has none.
     *
     * @throws ModelVersionException if config.pbtxt cannot be read, is not a model configuration in text format (the
     *                               message gives line and column), or asks for what this server cannot do; the
     *                               message names the file from the repository root and says what to change
     */
    public static Optional<TritonModelConfig> read(Path modelFolder, ModelSettings defaults, int serverMaxBatchSize,
            int cudaDevice) throws ModelVersionException {
        Path file = modelFolder.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        // Named from the repository root: clients see the message, and the server's paths are not theirs.
        String shown = modelFolder.getFileName().resolve(FILE_NAME).toString();
        ModelConfigText.Parsed parsed;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ModelVersionException(shown + " is " + size + " bytes; a model configuration is at most "
                        + MAX_FILE_BYTES + " bytes");
            }
            parsed = ModelConfigText.parse(Files.readString(file));
        } catch (TextFormat.ParseException e) {
            String prefix = e.getLine() + ":" + e.getColumn() + ": ";
            String problem = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length())
                    : e.getMessage();
            problem = problem.endsWith(".") ? problem.substring(0, problem.length() - 1) : problem;
            throw new ModelVersionException(shown + ", line " + e.getLine() + ", column " + e.getColumn() + ": "
                    + problem + "; write it as Triton's model configuration in protobuf text format and load the"
                    + " model again", e);
        } catch (IOException e) {
            throw new ModelVersionException(shown + " cannot be read (" + e + "); make it a readable UTF-8 file and"
                    + " load the model again", e);
        }
        try {
            return Optional.of(of(modelFolder.getFileName().toString(), parsed.config(), parsed.unknownFields(),
                    defaults, serverMaxBatchSize, cudaDevice));
        } catch (IllegalArgumentException e) {
            throw new ModelVersionException(shown + ": " + e.getMessage() + "; fix it (docs/model-repository.md,"
                    + " Triton's config.pbtxt) and load the model again", e);
        }
    }

    /**
     * The settings the model in {@code modelFolder} is served with: its serving.yaml over its {@code config} (from
     * {@link #read}) over {@code defaults}. Each key serving.yaml sets wins; a model without either file gets the
     * defaults.
     *
     * @throws ModelVersionException if serving.yaml cannot be read or has a wrong value, as
     *                               {@link ModelSettings#forModel}
     */
    public static ModelSettings servingSettings(Path modelFolder, Optional<TritonModelConfig> config,
            ModelSettings defaults) throws ModelVersionException {
        return ModelSettings.forModel(modelFolder, config.map(TritonModelConfig::settings).orElse(defaults));
    }

    /**
     * Whether a declared tensor has a reshape. With max_batch_size 0 such a model runs each request alone, as Triton
     * runs it: its dims are the whole shape, whose first dimension need not be the graph's batch (dims [1, -1] with
     * reshape [-1]), so it could not be served, nor reported, as a model that batches along it.
     */
    public boolean reshapes() {
        return Stream.concat(inputs.stream(), outputs.stream()).anyMatch(ServedTensor::reshaped);
    }

    /**
     * Where this configuration contradicts the graph it would serve, one message per contradiction; none if it
     * does not. A declared tensor must be one the graph has, of its datatype, and its model shape (reshape.shape
     * where given, else dims, as Triton's ONNX Runtime backend compares them in ModelInstanceState::ValidateInputs
     * and ValidateOutputs) of the graph's rank, each dimension the graph fixes declared with that size (a dimension
     * the graph leaves open may be fixed here, which narrows what the server accepts, as Triton allows). Inputs
     * declared must be all the graph's; outputs may be some of them.
     *
     * @param graphInputs  the graph's inputs, shapes in full with -1 for a dimension of any size
     * @param graphOutputs its outputs, likewise
     */
    public List<String> contradictions(List<TensorSpec> graphInputs, List<TensorSpec> graphOutputs) {
        List<String> contradictions = new ArrayList<>();
        contradictions(contradictions, "input", inputs, graphInputs);
        contradictions(contradictions, "output", outputs, graphOutputs);
        if (!inputs.isEmpty()) {
            Set<String> declared = new HashSet<>(inputs.stream().map(ServedTensor::name).toList());
            for (TensorSpec input : graphInputs) {
                if (!declared.contains(input.name())) {
                    contradictions.add("the graph's input '" + input.name() + "' is not in the configuration;"
                            + " declare every input or none");
                }
            }
        }
        return contradictions;
    }

    private void contradictions(List<String> contradictions, String kind, List<ServedTensor> declared,
            List<TensorSpec> graph) {
        for (ServedTensor served : declared) {
            TensorSpec tensor = served.model();
            String field = served.reshaped() ? "reshape.shape" : "dims";
            Optional<TensorSpec> match = graph.stream().filter(t -> t.name().equals(tensor.name())).findFirst();
            if (match.isEmpty()) {
                contradictions.add("the configuration declares " + kind + " '" + tensor.name() + "', which the graph"
                        + " does not have (its " + kind + "s: " + String.join(", ", graph.stream()
                                .map(t -> "'" + t.name() + "'").toList()) + ")");
                continue;
            }
            TensorSpec actual = match.get();
            String subject = kind + " '" + tensor.name() + "': the configuration";
            if (tensor.datatype() != actual.datatype()) {
                contradictions.add(subject + " says " + tensor.datatype() + ", the graph " + actual.datatype());
            }
            if (tensor.shape().size() != actual.shape().size()) {
                contradictions.add(subject + " says shape " + tensor.shape() + ", the graph " + actual.shape()
                        + " (-1 = any size); " + (maxBatchSize > 0
                                ? "with max_batch_size " + maxBatchSize + " the shape is [-1] + " + field + ", the"
                                        + " batch dimension left out of " + field
                                : "with max_batch_size 0 the shape is " + field + " alone")
                        + reshapeHint(served, actual));
                continue;
            }
            for (int d = 0; d < tensor.shape().size(); d++) {
                long declaredSize = tensor.shape().get(d);
                long actualSize = actual.shape().get(d);
                if (actualSize != -1 && declaredSize != actualSize) {
                    contradictions.add(subject + " says dimension " + d + " is " + (declaredSize == -1
                            ? "of any size" + (d == 0 && maxBatchSize > 0 ? " (the batch, as max_batch_size "
                                    + maxBatchSize + " makes it)" : "")
                            : declaredSize) + ", the graph fixes it at " + actualSize);
                }
            }
        }
    }

    /**
     * Where {@code served}, declared without a reshape, holds the elements of the graph's {@code actual} shape: the
     * reshape that serves it in its declared shape, as a hint; else nothing.
     */
    private String reshapeHint(ServedTensor served, TensorSpec actual) {
        boolean batchFirst = maxBatchSize == 0 || (!actual.shape().isEmpty() && actual.shape().getFirst() == -1);
        if (served.reshaped() || !batchFirst || !ServedTensor.sameElements(served.api().shape(), actual.shape())) {
            return "";
        }
        List<Long> shape = maxBatchSize > 0 ? actual.shape().subList(1, actual.shape().size()) : actual.shape();
        return "; to serve the graph's tensor in the declared shape, add reshape: { shape: " + shape + " }";
    }

    /**
     * Triton's data type as the Open Inference Protocol's datatype (TYPE_FP32 is FP32, TYPE_STRING is BYTES); empty
     * for TYPE_INVALID (no data type given) and for types the protocol has no name for (TYPE_BF16).
     */
    public static Optional<Datatype> datatype(DataType type) {
        return switch (type) {
            case TYPE_STRING -> Optional.of(Datatype.BYTES);
            case TYPE_INVALID, UNRECOGNIZED -> Optional.empty();
            default -> Datatype.parse(type.name().substring("TYPE_".length()));
        };
    }

    /**
     * {@code type} as the protocol's datatype, or an error naming {@code subject} where the file gives none or one this
     * server has no tensors of.
     */
    static Datatype requireDatatype(String subject, DataType type) {
        return datatype(type).orElseThrow(() -> new IllegalArgumentException(subject + " has "
                + (type == DataType.TYPE_INVALID ? "no data_type" : "data_type " + type + ", which this server has"
                        + " no tensors of") + "; give its TYPE_ (e.g. TYPE_FP32)"));
    }

    /** The protocol's datatype as Triton's data type (FP32 is TYPE_FP32, BYTES is TYPE_STRING). */
    public static DataType dataType(Datatype datatype) {
        return datatype == Datatype.BYTES ? DataType.TYPE_STRING : DataType.valueOf("TYPE_" + datatype.name());
    }

    /**
     * The configuration {@code config} gives the model {@code model} over the server's {@code defaults}: the one
     * reading of Triton's ModelConfig, for config.pbtxt and for the configuration a load request brings.
     *
     * @param unknownFields      the fields the source set that this server's ModelConfig does not have, by path
     * @param serverMaxBatchSize the server's largest batch (shallowserve.limits.batch), which max_batch_size may not
     *                           exceed
     * @param cudaDevice    the CUDA device every instance runs on, -1 for the CPU: an instance group of another kind
     *                      or other GPUs is listed as unused
     * @throws IllegalArgumentException saying which field is wrong and why
     */
    public static TritonModelConfig of(String model, ModelConfig config, List<String> unknownFields,
            ModelSettings defaults, int serverMaxBatchSize, int cudaDevice) {
        if (!config.getName().isEmpty() && !config.getName().equals(model)) {
            throw new IllegalArgumentException("name is '" + config.getName() + "', but the model's folder is '"
                    + model + "'; Triton requires them equal: change the name or leave it out");
        }
        requireEmptyOr("platform", config.getPlatform(), PLATFORM);
        requireEmptyOr("backend", config.getBackend(), BACKEND);
        int maxBatchSize = config.getMaxBatchSize();
        if (maxBatchSize < 0) {
            throw new IllegalArgumentException("max_batch_size is " + maxBatchSize + "; give 0 (the graph decides)"
                    + " or the largest batch");
        }
        if (maxBatchSize > serverMaxBatchSize) {
            throw new IllegalArgumentException("max_batch_size is " + maxBatchSize + ", over this server's largest"
                    + " batch, " + serverMaxBatchSize + " (shallowserve.limits.batch)");
        }
        Set<String> unused = new LinkedHashSet<>(unknownFields);
        addUnused(config, "", unused);
        Optional<PlanChoice> plan = Optional.empty();
        OptionalInt intraOpThreads = OptionalInt.empty();
        for (Map.Entry<String, ModelParameter> parameter : config.getParametersMap().entrySet()) {
            if (parameter.getKey().equals(PlanChoice.CONFIG_PARAMETER)) {
                plan = Optional.of(plan(parameter.getValue().getStringValue()));
            } else if (parameter.getKey().equals(INTRA_OP_THREADS)) {
                intraOpThreads = OptionalInt.of(intraOpThreads(parameter.getValue().getStringValue()));
            } else {
                unused.add("parameters." + parameter.getKey());
            }
        }
        ModelSettings settings = new ModelSettings(
                instances(config.getInstanceGroupList(), cudaDevice, unused).orElse(defaults.instances()),
                batching(config, maxBatchSize),
                versionPolicy(config.getVersionPolicy()).orElse(defaults.versionPolicy()));
        List<ServedTensor> inputs = new ArrayList<>();
        for (ModelInput input : config.getInputList()) {
            inputs.add(tensor("input", input.getName(), input.getDataType(), input.getDimsList(),
                    input.hasReshape() ? Optional.of(input.getReshape().getShapeList()) : Optional.empty(),
                    maxBatchSize));
        }
        List<ServedTensor> outputs = new ArrayList<>();
        for (ModelOutput output : config.getOutputList()) {
            outputs.add(tensor("output", output.getName(), output.getDataType(), output.getDimsList(),
                    output.hasReshape() ? Optional.of(output.getReshape().getShapeList()) : Optional.empty(),
                    maxBatchSize));
        }
        requireUniqueNames("input", inputs);
        requireUniqueNames("output", outputs);
        QueuePolicy queuePolicy = queuePolicy(config, unused);
        return new TritonModelConfig(settings, plan, intraOpThreads, queuePolicy, maxBatchSize, inputs, outputs,
                WarmupSample.of(config.getModelWarmupList()), List.copyOf(unused));
    }

    private static void requireEmptyOr(String field, String value, String supported) {
        if (!value.isEmpty() && !value.equals(supported)) {
            throw new IllegalArgumentException(field + " is '" + value + "'; this server serves ONNX models with"
                    + " ONNX Runtime: " + field + " '" + supported + "', or leave it out");
        }
    }

    /** Adds the path of every field set in {@code message} (at {@code path}) that the server does not apply. */
    private static void addUnused(Message message, String path, Set<String> unused) {
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            String fieldPath = path.isEmpty() ? field.getName() : path + "." + field.getName();
            if (APPLIED.contains(fieldPath)) {
                continue;
            }
            if (field.getType() != FieldDescriptor.Type.MESSAGE) {
                unused.add(fieldPath);
            } else if (field.isRepeated()) {
                for (Object element : (List<?>) entry.getValue()) {
                    addUnused((Message) element, fieldPath, unused);
                }
            } else {
                addUnused((Message) entry.getValue(), fieldPath, unused);
            }
        }
    }

    /** Triton's ONNX Runtime backend reads the value as an integer; 0 is ONNX Runtime's default, a thread per core. */
    private static int intraOpThreads(String value) {
        int threads;
        try {
            threads = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            threads = -1;
        }
        if (threads < 0 || threads > MAX_INTRA_OP_THREADS) {
            throw new IllegalArgumentException("parameters " + INTRA_OP_THREADS + " is '" + value + "'; give the"
                    + " threads of the model's sessions, 1 to " + MAX_INTRA_OP_THREADS + ", or 0 for one per core");
        }
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    private static PlanChoice plan(String value) {
        try {
            return PlanChoice.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameters " + PlanChoice.CONFIG_PARAMETER + " is '" + value
                    + "'; use single, wide, grouped, branches or auto", e);
        }
    }

    /**
     * The instances the groups add up to, each group its count (1 if it gives none, Triton's default); empty for no
     * group. Every instance runs on the server's device (--device): a group of another kind, or naming other GPUs,
     * is added to {@code unused} with what the server does instead.
     */
    private static Optional<Integer> instances(List<ModelInstanceGroup> groups, int cudaDevice, Set<String> unused) {
        if (groups.isEmpty()) {
            return Optional.empty();
        }
        String device = cudaDevice >= 0 ? "cuda:" + cudaDevice : "the CPU";
        long total = 0;
        for (ModelInstanceGroup group : groups) {
            boolean kindFits = switch (group.getKind()) {
                case KIND_AUTO -> true;
                case KIND_CPU -> cudaDevice < 0;
                case KIND_GPU -> cudaDevice >= 0;
                default -> false;
            };
            if (!kindFits) {
                unused.add("instance_group.kind " + group.getKind() + " (every model runs on " + device
                        + ", --device)");
            }
            if (!group.getGpusList().isEmpty() && !group.getGpusList().equals(List.of(cudaDevice))) {
                unused.add("instance_group.gpus " + group.getGpusList() + " (every model runs on " + device
                        + ", --device)");
            }
            if (group.getCount() < 0) {
                throw new IllegalArgumentException("instance_group count is " + group.getCount()
                        + "; give at least 1");
            }
            total += Math.max(1, group.getCount());
        }
        if (total > ModelSettings.MAX_INSTANCES) {
            throw new IllegalArgumentException("instance_group counts add up to " + total + " instances; this"
                    + " server runs at most " + ModelSettings.MAX_INSTANCES + " per version");
        }
        return Optional.of((int) total);
    }

    /**
     * Dynamic batching on exactly when dynamic_batching is there, as in Triton. With max_batch_size 0 the graph
     * decides whether its first dimension is a batch; a model without one runs each request alone, batching or not.
     */
    private static ModelSettings.Batching batching(ModelConfig config, int maxBatchSize) {
        if (!config.hasDynamicBatching()) {
            return ModelSettings.Batching.OFF;
        }
        ModelDynamicBatching batching = config.getDynamicBatching();
        for (int size : batching.getPreferredBatchSizeList()) {
            if (size < 1 || (maxBatchSize > 0 && size > maxBatchSize)) {
                throw new IllegalArgumentException("dynamic_batching preferred_batch_size " + size + " must be 1"
                        + " to max_batch_size (" + maxBatchSize + ")");
            }
        }
        // uint64 in the file: a delay past Long.MAX_VALUE reads as negative.
        if (batching.getMaxQueueDelayMicroseconds() < 0) {
            throw new IllegalArgumentException("dynamic_batching max_queue_delay_microseconds "
                    + Long.toUnsignedString(batching.getMaxQueueDelayMicroseconds()) + " is too large");
        }
        return new ModelSettings.Batching(true, batching.getMaxQueueDelayMicroseconds(),
                batching.getPreferredBatchSizeList());
    }

    /**
     * The default_queue_policy of dynamic_batching; none without one. A timeout with timeout_action DELAY (wait
     * behind the others) is not applied and named in {@code unused}; allow_timeout_override is named there too.
     */
    private static QueuePolicy queuePolicy(ModelConfig config, Set<String> unused) {
        if (!config.getDynamicBatching().hasDefaultQueuePolicy()) {
            return QueuePolicy.NONE;
        }
        ModelQueuePolicy policy = config.getDynamicBatching().getDefaultQueuePolicy();
        long queueSize = Integer.toUnsignedLong(policy.getMaxQueueSize());
        if (queueSize > MAX_QUEUE_SIZE) {
            throw new IllegalArgumentException("dynamic_batching default_queue_policy max_queue_size " + queueSize
                    + " is over " + MAX_QUEUE_SIZE + "; every request waiting holds its tensors");
        }
        // uint64 in the file: a timeout past Long.MAX_VALUE reads as negative.
        if (Long.compareUnsigned(policy.getDefaultTimeoutMicroseconds(), MAX_QUEUE_TIMEOUT_MICROS) > 0) {
            throw new IllegalArgumentException("dynamic_batching default_queue_policy default_timeout_microseconds "
                    + Long.toUnsignedString(policy.getDefaultTimeoutMicroseconds()) + " is over a day ("
                    + MAX_QUEUE_TIMEOUT_MICROS + "); give the longest a request may wait in the queue");
        }
        long timeout = policy.getDefaultTimeoutMicroseconds();
        if (timeout > 0 && policy.getTimeoutAction() != ModelQueuePolicy.TimeoutAction.REJECT) {
            unused.add("dynamic_batching.default_queue_policy.timeout_action");
            timeout = 0;
        }
        return new QueuePolicy(queueSize == 0 ? OptionalInt.empty() : OptionalInt.of((int) queueSize), timeout);
    }

    /** latest, all or specific as {@link VersionPolicy}; empty when the file sets none. */
    private static Optional<VersionPolicy> versionPolicy(ModelVersionPolicy policy) {
        return switch (policy.getPolicyChoiceCase()) {
            case ALL -> Optional.of(VersionPolicy.ALL);
            case LATEST -> {
                long versions = Integer.toUnsignedLong(policy.getLatest().getNumVersions());
                if (versions < 1 || versions > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("version_policy latest num_versions is " + versions
                            + "; give at least 1");
                }
                yield Optional.of(new VersionPolicy(VersionPolicy.Kind.LATEST, (int) versions, new TreeSet<>()));
            }
            case SPECIFIC -> {
                TreeSet<Integer> versions = new TreeSet<>();
                for (long version : policy.getSpecific().getVersionsList()) {
                    if (version < 1 || version > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("version_policy specific lists version " + version
                                + "; versions are positive whole numbers");
                    }
                    versions.add((int) version);
                }
                if (versions.isEmpty()) {
                    throw new IllegalArgumentException("version_policy specific lists no versions; give them, e.g."
                            + " specific { versions: [1, 3] }");
                }
                yield Optional.of(new VersionPolicy(VersionPolicy.Kind.SPECIFIC, 0, versions));
            }
            case POLICYCHOICE_NOT_SET -> Optional.empty();
        };
    }

    /**
     * A declared tensor with its shapes in full: [-1] + dims when the model batches, as Triton forms it, and the
     * model's likewise of reshape.shape where a reshape is given. A reshape keeps the elements: dims and
     * reshape.shape must hold as many per batch item ({@link ServedTensor#sameElements}), as Triton requires
     * (ValidateIOShape), and with max_batch_size 0 reshape.shape may not be empty (no scalars, as in Triton). Dims
     * may not be empty either.
     */
    private static ServedTensor tensor(String kind, String name, DataType type, List<Long> dims,
            Optional<List<Long>> reshape, int maxBatchSize) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an " + kind + " has no name; give each " + kind + " the graph's"
                    + " name for it");
        }
        String subject = kind + " '" + name + "'";
        Datatype datatype = requireDatatype(subject, type);
        if (dims.isEmpty()) {
            // Triton refuses it too (ValidateModelInput / ValidateModelOutput: "must specify 'dims'").
            throw new IllegalArgumentException(subject + " has no dims; give them without the batch dimension (a"
                    + " tensor of the batch alone is dims [1] with reshape { shape: [] })");
        }
        requireSizes(subject, "dims", dims);
        TensorSpec api = new TensorSpec(name, datatype, withBatch(dims, maxBatchSize));
        if (reshape.isEmpty()) {
            return ServedTensor.unchanged(api);
        }
        List<Long> shape = reshape.get();
        requireSizes(subject, "reshape shape", shape);
        if (shape.isEmpty() && maxBatchSize == 0) {
            throw new IllegalArgumentException(subject + " has an empty reshape shape with max_batch_size 0: that is"
                    + " a scalar, which Triton does not take; give the reshape shape the graph's dimensions");
        }
        List<Long> modelShape = withBatch(shape, maxBatchSize);
        boolean sameElements;
        try {
            sameElements = ServedTensor.sameElements(api.shape(), modelShape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(subject + ": " + e.getMessage(), e);
        }
        if (!sameElements) {
            throw new IllegalArgumentException(subject + ": dims " + dims + " and reshape shape " + shape
                    + elementCounts(dims, shape, maxBatchSize) + "; a reshape keeps the elements");
        }
        return new ServedTensor(api, modelShape);
    }

    private static void requireSizes(String subject, String field, List<Long> shape) {
        for (long dim : shape) {
            if (dim < -1 || dim == 0) {
                throw new IllegalArgumentException(subject + " has " + field + " " + shape + "; each is a size of at"
                        + " least 1, or -1 for any size");
            }
        }
    }

    /** [-1] + {@code dims} when the model batches, {@code dims} when it does not. */
    private static List<Long> withBatch(List<Long> dims, int maxBatchSize) {
        List<Long> shape = new ArrayList<>(dims.size() + 1);
        if (maxBatchSize > 0) {
            shape.add(-1L);
        }
        shape.addAll(dims);
        return shape;
    }

    /**
     * What differs between two shapes that do not hold the same elements: " hold 2 and 1 elements per batch item"
     * for fixed sizes; where a size is any, that its -1s must pair up with the same counts between them.
     */
    private static String elementCounts(List<Long> dims, List<Long> reshape, int maxBatchSize) {
        if (dims.contains(-1L) || reshape.contains(-1L)) {
            return " do not pair up: each needs as many -1s, the sizes between them multiplying to the same counts";
        }
        long[] counts = {1, 1};
        dims.forEach(dim -> counts[0] = Math.multiplyExact(counts[0], dim));
        reshape.forEach(dim -> counts[1] = Math.multiplyExact(counts[1], dim));
        return " hold " + counts[0] + " and " + counts[1] + " elements" + (maxBatchSize > 0 ? " per batch item" : "");
    }

    private static void requireUniqueNames(String kind, List<ServedTensor> tensors) {
        Set<String> names = new HashSet<>();
        for (ServedTensor tensor : tensors) {
            if (!names.add(tensor.name())) {
                throw new IllegalArgumentException(kind + " '" + tensor.name() + "' is declared twice");
            }
        }
    }
}
