package io.shallowserve.trainer.latency;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.trainer.repository.ModelManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code branches}: the stem on the calling thread, then the branches at the same time on the calling thread and a
 * pool of platform threads (one intra-op thread per branch session, so the parallelism is across branches), the
 * outputs summed here, then the head on the stem's output and that sum.
 */
final class BranchesPlan implements OrtPlan {

    private final ModelManifest manifest;
    private final ExecutorService branchPool;
    private final List<OrtSession> sessions = new ArrayList<>();
    private final OrtSession stem;
    private final List<OrtSession> branches = new ArrayList<>();
    private final OrtSession head;

    /** @param branchPool platform threads the branches run on; the caller owns it */
    BranchesPlan(Path versionFolder, ModelManifest manifest, ExecutorService branchPool, int intraOpThreads)
            throws OrtException {
        if (manifest.branches() == null) {
            throw new IllegalArgumentException(versionFolder + " holds a " + manifest.shape()
                    + " model, which has no branches");
        }
        this.manifest = manifest;
        this.branchPool = branchPool;
        try {
            stem = open(versionFolder.resolve(manifest.branches().stem()), intraOpThreads);
            for (String branch : manifest.branches().branches()) {
                branches.add(open(versionFolder.resolve(branch), 1));
            }
            head = open(versionFolder.resolve(manifest.branches().head()), intraOpThreads);
        } catch (OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private OrtSession open(Path graph, int intraOpThreads) throws OrtException {
        OrtSession session = OrtSessions.open(graph, intraOpThreads);
        sessions.add(session);
        return session;
    }

    @Override
    public float[] run(float[] pixels, int batch) throws OrtException {
        ModelManifest.Branches graphs = manifest.branches();
        try (OnnxTensor input = OrtSessions.tensor(pixels, manifest.architecture().inputShape(batch));
                OrtSession.Result stemResult = stem.run(Map.of(manifest.input().name(), input))) {
            OnnxTensor stemOutput = (OnnxTensor) stemResult.get(graphs.stemOutput()).orElseThrow();
            float[] branchSum = sumOfBranches(stemOutput);
            try (OnnxTensor sum = OrtSessions.tensor(branchSum, stemOutput.getInfo().getShape());
                    OrtSession.Result headResult = head.run(Map.of(
                            graphs.headInputs().get(0), stemOutput, graphs.headInputs().get(1), sum))) {
                return OrtSessions.floats(headResult, manifest.output().name());
            }
        }
    }

    /**
     * The caller and up to {@code branches - 1} pool threads take branch indices from one counter until none is
     * left. Waits for every branch that started, even after a failure, because they read {@code stemOutput}.
     */
    private float[] sumOfBranches(OnnxTensor stemOutput) throws OrtException {
        float[][] outputs = new float[branches.size()][];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(branches.size());
        Throwable[] failure = new Throwable[1];
        Runnable takeBranches = () -> {
            for (int k = next.getAndIncrement(); k < outputs.length; k = next.getAndIncrement()) {
                try (OrtSession.Result result = branches.get(k).run(Map.of(manifest.branches().stemOutput(),
                        stemOutput))) {
                    outputs[k] = OrtSessions.floats(result, manifest.branches().branchOutput());
                } catch (OrtException | RuntimeException e) {
                    failure[0] = e;
                } finally {
                    done.countDown();
                }
            }
        };
        for (int helper = 1; helper < branches.size(); helper++) {
            branchPool.execute(takeBranches);
        }
        takeBranches.run();
        awaitAll(done);
        if (failure[0] != null) {
            throw new OrtException("a branch failed: " + failure[0]);
        }
        float[] sum = outputs[0];
        for (int k = 1; k < outputs.length; k++) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += outputs[k][i];
            }
        }
        return sum;
    }

    /** Waits even when interrupted (the branches read the caller's tensor), then restores the interrupt. */
    private static void awaitAll(CountDownLatch done) {
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

    @Override
    public void close() throws OrtException {
        for (OrtSession session : sessions) {
            session.close();
        }
    }
}
