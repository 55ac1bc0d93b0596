package io.shallowserve.runtime.exec;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code branches} plan of a shallow model: the stem on the calling thread, then the branches at the same time
 * on the calling thread and the shared pool of platform threads, the branch outputs summed here, then the head on
 * the stem's output and that sum. Each branch session has one intra-op thread: the parallelism is across branches,
 * and one thread per session keeps ONNX Runtime from starting a thread pool per branch that would compete for the
 * same cores.
 */
public final class BranchesPlan implements ExecutionPlan {

    public static final String NAME = "branches";

    private final SessionFactory sessions;
    private final ModelVersion model;
    private final ExecutorService branchPool;
    private final List<OrtSession> opened = new ArrayList<>();
    private final OrtSession stem;
    private final List<OrtSession> branches = new ArrayList<>();
    private final OrtSession head;
    private final String inputName;
    private final ModelManifest.Branches graphs;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    /**
     * Opens the stem, branch and head graphs of a shallow model.
     *
     * @param branchPool     platform threads the branches run on; the caller owns and shuts it down
     * @param intraOpThreads threads per operator of the stem and head sessions
     */
    public BranchesPlan(SessionFactory sessions, ModelVersion model, ExecutorService branchPool, int intraOpThreads)
            throws ModelVersionException {
        if (!model.manifest().shallow()) {
            throw new IllegalArgumentException(model.name() + " is not a shallow model");
        }
        this.sessions = sessions;
        this.model = model;
        this.branchPool = branchPool;
        this.inputName = model.manifest().input().name();
        this.graphs = model.manifest().branches();
        try {
            stem = OrtSessions.open(sessions, model, graphs.stem(), intraOpThreads, List.of(inputName),
                    List.of(graphs.stemOutput()), opened);
            for (String branch : graphs.branches()) {
                branches.add(OrtSessions.open(sessions, model, branch, 1, List.of(graphs.stemOutput()),
                        List.of(graphs.branchOutput()), opened));
            }
            head = OrtSessions.open(sessions, model, graphs.head(), intraOpThreads, graphs.headInputs(),
                    List.of(model.manifest().output().name()), opened);
            inputs = OrtSessions.specs(model, stem).inputs();
            outputs = OrtSessions.specs(model, head).outputs();
        } catch (ModelVersionException | RuntimeException e) {
            OrtSessions.closeAll(opened);
            throw e;
        }
    }

    @Override
    public String name() {
        return NAME;
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
        try (OnnxTensor input = OrtTensors.toOrt(sessions.environment(), given.getFirst());
                OrtSession.Result stemResult = stem.run(Map.of(inputName, input))) {
            OnnxTensor stemOutput = (OnnxTensor) stemResult.get(graphs.stemOutput()).orElseThrow();
            long[] branchNanos = new long[branches.size()];
            float[] branchSum = sumOfBranches(stemOutput, branchNanos);
            try (OnnxTensor sum = OnnxTensor.createTensor(sessions.environment(), FloatBuffer.wrap(branchSum),
                            stemOutput.getInfo().getShape());
                    OrtSession.Result headResult = head.run(Map.of(
                            graphs.headInputs().get(0), stemOutput, graphs.headInputs().get(1), sum))) {
                TensorSpec output = outputs.getFirst();
                return new PlanResult(List.of(OrtTensors.fromOrt(output.name(), output.datatype(),
                        (OnnxTensor) headResult.get(output.name()).orElseThrow())), branchNanos);
            }
        }
    }

    /**
     * Runs every branch and sums their outputs. The calling thread and up to {@code branches - 1} pool threads take
     * branch indices from one counter until none is left: with idle pool threads the branches run at the same
     * time; with a busy pool (other requests) the caller runs the rest itself instead of queueing behind them.
     * Waits for every branch that started, even after a failure or an interrupt, because the branches read {@code
     * stemOutput}, which the caller closes afterwards.
     */
    private float[] sumOfBranches(OnnxTensor stemOutput, long[] branchNanos) throws OrtException {
        BranchRun run = new BranchRun(stemOutput, branchNanos);
        try {
            for (int helper = 1; helper < branches.size(); helper++) {
                branchPool.execute(run::takeBranches);
            }
        } catch (RejectedExecutionException e) {
            // The pool is shutting down: the caller runs whatever no helper took.
        }
        run.takeBranches();
        run.awaitAll();
        if (run.failure != null) {
            throw run.failure instanceof OrtException ortFailure ? ortFailure
                    : new OrtException("a branch of " + model.name() + " failed: " + run.failure);
        }
        float[] sum = run.outputs[0];
        for (int k = 1; k < run.outputs.length; k++) {
            float[] values = run.outputs[k];
            for (int i = 0; i < sum.length; i++) {
                sum[i] += values[i];
            }
        }
        return sum;
    }

    /** The branches of one batch, handed out by index to whichever thread asks first. */
    private final class BranchRun {
        private final OnnxTensor stemOutput;
        private final long[] branchNanos;
        private final float[][] outputs = new float[branches.size()][];
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done = new CountDownLatch(branches.size());
        private volatile Throwable failure;

        BranchRun(OnnxTensor stemOutput, long[] branchNanos) {
            this.stemOutput = stemOutput;
            this.branchNanos = branchNanos;
        }

        void takeBranches() {
            for (int k = next.getAndIncrement(); k < outputs.length; k = next.getAndIncrement()) {
                long start = System.nanoTime();
                try (OrtSession.Result result = branches.get(k).run(Map.of(graphs.stemOutput(), stemOutput))) {
                    FloatBuffer values = ((OnnxTensor) result.get(graphs.branchOutput()).orElseThrow())
                            .getFloatBuffer();
                    outputs[k] = new float[values.remaining()];
                    values.get(outputs[k]);
                    branchNanos[k] = System.nanoTime() - start;
                } catch (OrtException | RuntimeException e) {
                    failure = e;
                } finally {
                    done.countDown();
                }
            }
        }

        /** Waits for every branch; the latch makes their outputs visible to the caller. */
        void awaitAll() {
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
    }

    @Override
    public void close() {
        OrtSessions.closeAll(opened);
    }
}
