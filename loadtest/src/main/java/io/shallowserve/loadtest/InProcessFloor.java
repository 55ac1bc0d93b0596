package io.shallowserve.loadtest;

import ai.onnxruntime.OrtException;
import io.shallowserve.loadtest.driver.LatencyRecorder;
import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import io.shallowserve.loadtest.report.Floors;
import io.shallowserve.loadtest.report.ServedModel;
import io.shallowserve.server.exec.BranchesPlan;
import io.shallowserve.server.exec.ExecutionPlan;
import io.shallowserve.server.exec.SessionFactory;
import io.shallowserve.server.exec.SinglePlan;
import io.shallowserve.server.inference.EngineConfig;
import io.shallowserve.server.repository.ModelVersion;
import io.shallowserve.server.repository.ModelVersionException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The compute floor: each served model's execution plan run in this process by one caller, on sessions configured as
 * the server configures them by default ({@link EngineConfig#defaults}), batch 1, the same images the generators
 * send. The plans run in alternation, one run of each per round, so that other load on the machine slows them alike
 * (as the server's PlanBenchmark does). The throughput of a floor is that of its one caller.
 */
final class InProcessFloor {

    private InProcessFloor() {}

    /** The session library's version, for the report. */
    static String runtimeVersion() {
        return new SessionFactory("cpu").runtimeVersion();
    }

    /**
     * Measures every served model.
     *
     * @param versions the model version behind each served model, same order
     * @param warmUp   unrecorded runs of each
     * @param runs     recorded runs of each
     */
    static List<Floors.Compute> measure(Path repository, List<ServedModel> served, List<ModelVersion> versions,
            Path images, int warmUp, int runs) throws ModelVersionException, OrtException, IOException {
        EngineConfig config = EngineConfig.defaults(repository);
        SessionFactory sessions = new SessionFactory(config.device());
        ExecutorService branchPool = Executors.newFixedThreadPool(config.branchThreads(),
                Thread.ofPlatform().name("floor-branch-", 0).daemon(true).factory());
        List<ExecutionPlan> plans = new ArrayList<>();
        try {
            List<float[]> inputs = new ArrayList<>();
            for (int i = 0; i < served.size(); i++) {
                ModelVersion version = versions.get(i);
                plans.add(served.get(i).plan().equals(BranchesPlan.NAME)
                        ? new BranchesPlan(sessions, version, branchPool, config.intraOpThreads())
                        : new SinglePlan(sessions, version, config.intraOpThreads()));
                var declared = version.manifest().input();
                ModelInput input = new ModelInput(declared.name(), declared.datatype(), declared.shape());
                Tensor first = ImageSet.read(images, 1, input).batches(input, 1, 1).getFirst();
                inputs.add(first.data());
            }
            List<LatencyRecorder> recorders = new ArrayList<>();
            plans.forEach(plan -> recorders.add(new LatencyRecorder()));
            long[] busyNanos = new long[plans.size()];
            for (int round = 0; round < warmUp + runs; round++) {
                for (int p = 0; p < plans.size(); p++) {
                    long start = System.nanoTime();
                    plans.get(p).run(inputs.get(p), 1);
                    long end = System.nanoTime();
                    if (round >= warmUp) {
                        recorders.get(p).record(start, end, null);
                        busyNanos[p] += end - start;
                    }
                }
            }
            List<Floors.Compute> floors = new ArrayList<>();
            for (int p = 0; p < plans.size(); p++) {
                floors.add(new Floors.Compute(served.get(p), recorders.get(p).summary(busyNanos[p] / 1e9)));
            }
            return floors;
        } finally {
            plans.forEach(ExecutionPlan::close);
            branchPool.shutdown();
        }
    }
}
