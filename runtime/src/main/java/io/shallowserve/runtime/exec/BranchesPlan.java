package io.shallowserve.runtime.exec;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.graph.BranchGroups;
import io.shallowserve.runtime.graph.ForkJoinSplit;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code branches} plan, for any graph with a fork–join region: model.onnx cut there into a stem, independent
 * branches and a head ({@link ForkJoinSplit}), checked against the whole graph when the plan opens. A run computes
 * the stem on the calling thread, then the branches at the same time on the calling thread and the shared pool of
 * platform threads, then the head on the branch outputs and whatever stem tensors and graph inputs it reads. The
 * tensors pass from session to session as ONNX Runtime's own: nothing is copied into Java or added up here between
 * the parts, since the head holds the join itself. Each branch session has one intra-op thread: the parallelism is
 * across branches, and one thread per session keeps ONNX Runtime from starting a thread pool per branch that would
 * compete for the same cores.
 *
 * <p>A trainer's shallow model runs the split of its model.onnx too, not the graphs of its branches/ folder. The split
 * cuts at the Sum of the units, so its head adds the branch outputs itself; the folder's head takes their sum, which
 * the plan before this one computed in Java after copying each branch output out. Measured in process on the
 * committed shallow model ({@link PlanTiming}, in alternation, 2 busy cores, 3000 runs), the folder's graphs with
 * that Sum moved into their head ran as fast as the split (within 2% either way, at batch 1 and 8, whichever ran
 * first), and both faster than the plan before (median 174 against 205 µs at batch 1, 1134 against 1357 µs at
 * batch 8). With no speed to gain from the folder, one source serves every graph: the split found the same way for
 * all and checked against the graph it came from. The folder stays in the repository contract, written by the
 * trainer and verified with model.json; serving does not read it.
 */
public final class BranchesPlan implements ExecutionPlan {

    public static final String NAME = "branches";
    /** The plan that runs the branches in as many groups as cores, each group fused ({@link BranchGroups}). */
    public static final String GROUPED = "grouped";

    private final String name;
    private final SessionFactory sessions;
    private final ServableVersion model;
    private final ExecutorService branchPool;
    private final ForkJoinSplit.Parts parts;
    private final List<OrtSession> opened = new ArrayList<>();
    /** Null when the branches read a graph input: the graph has no stem. */
    private final OrtSession stem;
    private final List<String> stemInputs;
    private final List<OrtSession> branches = new ArrayList<>();
    private final OrtSession head;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    /**
     * Cuts model.onnx at its most parallel fork–join region, checks the parts against the whole graph and opens
     * them.
     *
     * @param branchPool     platform threads the branches run on; the caller owns and shuts it down
     * @param intraOpThreads threads per operator of the stem and head sessions
     * @throws ModelVersionException if the graph has no fork–join region, its parts do not compute what it computes,
     *                               or they do not open
     */
    public BranchesPlan(SessionFactory sessions, ServableVersion model, ExecutorService branchPool, int intraOpThreads)
            throws ModelVersionException {
        this(sessions, model, found(sessions, model), false, branchPool, intraOpThreads);
    }

    /**
     * The {@code grouped} plan: as {@link #BranchesPlan(SessionFactory, ServableVersion, ExecutorService, int)}, with
     * the branches in as many groups as the cores a request may use, each group one session of fused branches that
     * hands the head its partial sum.
     *
     * @throws ModelVersionException also if the branches cannot be grouped (a join other than a Sum, or no more
     *                               branches than groups)
     */
    public static BranchesPlan grouped(SessionFactory sessions, ServableVersion model, ExecutorService branchPool,
            int intraOpThreads) throws ModelVersionException {
        BranchSplit.Found split = found(sessions, model);
        if (split.grouped().isEmpty()) {
            throw new ModelVersionException(model.id() + " has no grouped branches: " + split.description()
                    + "; serve it with plan branches or single");
        }
        return new BranchesPlan(sessions, model, split, true, branchPool, intraOpThreads);
    }

    /**
     * Opens the parts of a split found and checked already: one search serves every instance of a load.
     *
     * @param grouped run the split's grouped parts ({@link BranchSplit.Found#grouped()}, present) as plan grouped
     */
    BranchesPlan(SessionFactory sessions, ServableVersion model, BranchSplit.Found split, boolean grouped,
            ExecutorService branchPool, int intraOpThreads) throws ModelVersionException {
        this.name = grouped ? GROUPED : NAME;
        this.sessions = sessions;
        this.model = model;
        this.branchPool = branchPool;
        this.parts = grouped ? split.grouped().orElseThrow() : split.parts();
        String graph = model.file(ModelManifest.MODEL_FILE).toString();
        try {
            stem = parts.stem().isEmpty() ? null : OrtSessions.open(sessions, graph + "'s stem",
                    parts.stem().get().toByteArray(), intraOpThreads, List.of(), parts.stemOutputs(), opened);
            stemInputs = stem == null ? List.of() : List.copyOf(stem.getInputNames());
            for (int k = 0; k < parts.branches().size(); k++) {
                branches.add(OrtSessions.open(sessions, graph + "'s " + (grouped ? "group " : "branch ") + k,
                        parts.branches().get(k).toByteArray(), 1, List.of(parts.fork()),
                        List.of(parts.branchOutputs().get(k)), opened));
            }
            head = OrtSessions.open(sessions, graph + "'s head", parts.head().toByteArray(), intraOpThreads,
                    parts.headInputs(), OrtSessions.manifestOutputs(model), opened);
            OrtSessions.Signature signature = OrtSessions.specs(model, graphInputsRead(split.graphInputs()),
                    head.getOutputInfo());
            inputs = signature.inputs();
            outputs = signature.outputs();
        } catch (OrtException e) {
            OrtSessions.closeAll(opened);
            throw new ModelVersionException(graph + ": ONNX Runtime cannot describe a part (" + e.getMessage()
                    + "); serve the model with plan single", e);
        } catch (ModelVersionException | RuntimeException e) {
            OrtSessions.closeAll(opened);
            throw e;
        }
    }

    private static BranchSplit.Found found(SessionFactory sessions, ServableVersion model)
            throws ModelVersionException {
        return switch (BranchSplit.find(sessions, model)) {
            case BranchSplit.Found found -> found;
            case BranchSplit.NotFound(String reason) -> throw new ModelVersionException(model.id()
                    + " has no branches to run at the same time: " + reason + "; serve it with plan single");
        };
    }

    /** The graph inputs the parts read, in the graph's order, as the parts' sessions declare them. */
    private Map<String, NodeInfo> graphInputsRead(List<String> graphInputs) throws OrtException {
        Map<String, NodeInfo> declared = new HashMap<>();
        for (OrtSession part : opened) {
            declared.putAll(part.getInputInfo());
        }
        Map<String, NodeInfo> read = new LinkedHashMap<>();
        for (String input : graphInputs) {
            if (declared.containsKey(input)) {
                read.put(input, declared.get(input));
            }
        }
        return read;
    }

    @Override
    public String name() {
        return name;
    }

    /** Number of branch sessions. */
    public int branchCount() {
        return branches.size();
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    @Override
    public PlanResult run(List<Tensor> given) throws OrtException {
        // Graph inputs, then stem outputs and branch outputs as they are computed: what each part is fed from.
        Map<String, OnnxTensor> values = new HashMap<>();
        List<OnnxTensor> inputTensors = new ArrayList<>(given.size());
        try {
            for (Tensor tensor : given) {
                OnnxTensor value = OrtTensors.toOrt(sessions.environment(), tensor);
                inputTensors.add(value);
                values.put(tensor.name(), value);
            }
            try (OrtSession.Result stemResult = stem == null ? null : stem.run(fed(stemInputs, values))) {
                if (stemResult != null) {
                    for (String output : parts.stemOutputs()) {
                        values.put(output, (OnnxTensor) stemResult.get(output).orElseThrow());
                    }
                }
                BranchRun branchRun = new BranchRun(fed(List.of(parts.fork()), values));
                try {
                    branchRun.runAll();
                    for (int k = 0; k < branches.size(); k++) {
                        String output = parts.branchOutputs().get(k);
                        values.put(output, (OnnxTensor) branchRun.results[k].get(output).orElseThrow());
                    }
                    try (OrtSession.Result headResult = head.run(fed(parts.headInputs(), values))) {
                        List<Tensor> results = new ArrayList<>(outputs.size());
                        for (TensorSpec output : outputs) {
                            results.add(OrtTensors.fromOrt(output.name(), output.datatype(),
                                    (OnnxTensor) headResult.get(output.name()).orElseThrow()));
                        }
                        return new PlanResult(results, branchRun.nanos);
                    }
                } finally {
                    branchRun.closeResults();
                }
            }
        } finally {
            inputTensors.forEach(OnnxTensor::close);
        }
    }

    /** The tensors {@code names} from {@code values}, as a session is fed. */
    private Map<String, OnnxTensor> fed(List<String> names, Map<String, OnnxTensor> values) throws OrtException {
        Map<String, OnnxTensor> feed = new HashMap<>(names.size());
        for (String name : names) {
            OnnxTensor value = values.get(name);
            if (value == null) {
                throw new OrtException("input " + name + " of " + model.id() + " was not given");
            }
            feed.put(name, value);
        }
        return feed;
    }

    /**
     * The branches of one run, handed out by index to whichever thread asks first: the calling thread and up to
     * {@code branches - 1} pool threads take indices from one counter until none is left. With idle pool threads the
     * branches run at the same time; with a busy pool (other requests) the caller runs the rest itself instead of
     * queueing behind them.
     */
    private final class BranchRun {
        private final Map<String, OnnxTensor> feed;
        private final OrtSession.Result[] results = new OrtSession.Result[branches.size()];
        private final long[] nanos = new long[branches.size()];
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done = new CountDownLatch(branches.size());
        private volatile Throwable failure;

        BranchRun(Map<String, OnnxTensor> feed) {
            this.feed = feed;
        }

        /**
         * Runs every branch. Waits for every branch that started, even after a failure or an interrupt, because the
         * branches read the fork tensor, which the caller closes afterwards.
         */
        void runAll() throws OrtException {
            try {
                for (int helper = 1; helper < branches.size(); helper++) {
                    branchPool.execute(this::takeBranches);
                }
            } catch (RejectedExecutionException e) {
                // The pool is shutting down: the caller runs whatever no helper took.
            }
            takeBranches();
            awaitAll();
            if (failure != null) {
                throw failure instanceof OrtException ortFailure ? ortFailure
                        : new OrtException("a branch of " + model.id() + " failed: " + failure);
            }
        }

        private void takeBranches() {
            for (int k = next.getAndIncrement(); k < results.length; k = next.getAndIncrement()) {
                try {
                    if (failure == null) {
                        long start = System.nanoTime();
                        results[k] = branches.get(k).run(feed);
                        nanos[k] = System.nanoTime() - start;
                    }
                } catch (OrtException | RuntimeException e) {
                    failure = e;
                } finally {
                    done.countDown();
                }
            }
        }

        /** Waits for every branch; the latch makes their results visible to the caller. */
        private void awaitAll() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** Closes the branch outputs once the head has read them, or a branch failed. */
        void closeResults() {
            for (OrtSession.Result result : results) {
                if (result != null) {
                    result.close();
                }
            }
        }
    }

    @Override
    public void close() {
        OrtSessions.closeAll(opened);
    }
}
