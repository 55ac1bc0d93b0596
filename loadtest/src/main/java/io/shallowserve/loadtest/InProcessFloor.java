package io.shallowserve.loadtest;

import ai.onnxruntime.OrtException;
import io.shallowserve.loadtest.driver.LatencyRecorder;
import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.report.Floors;
import io.shallowserve.loadtest.report.ServedModel;
import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.exec.PlanLoader;
import io.shallowserve.runtime.exec.PlanTiming;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.exec.ThreadDefaults;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The compute floor: each served model's execution plan run in this process by one caller, on CPU sessions with the
 * server's default thread counts ({@link ThreadDefaults}), batch 1, the same image the generators send first. The plans
 * are timed in alternation ({@link PlanTiming}). The throughput of a floor is that of its one caller.
 */
final class InProcessFloor {

    private InProcessFloor() {}

    /**
     * Measures every served model.
     *
     * @param versions the model version behind each served model, same order
     * @param warmUp   unrecorded runs of each
     * @param runs     recorded runs of each
     */
    static List<Floors.Compute> measure(List<ServedModel> served, List<ModelVersion> versions, Path images,
            int warmUp, int runs) throws ModelVersionException, OrtException, IOException {
        SessionFactory sessions = new SessionFactory("cpu");
        ExecutorService branchPool = Executors.newFixedThreadPool(ThreadDefaults.branchThreads(),
                Thread.ofPlatform().name("floor-branch-", 0).daemon(true).factory());
        PlanLoader loader = new PlanLoader(sessions, branchPool, ThreadDefaults.intraOpThreads());
        List<ExecutionPlan> plans = new ArrayList<>();
        try {
            float[] image = null;
            TensorSpec imageInput = null;
            for (int i = 0; i < served.size(); i++) {
                ModelVersion version = versions.get(i);
                // Opened as the server opens it; for auto, measured and chosen in this process.
                plans.add(loader.load(version, PlanChoice.valueOf(served.get(i).plan().toUpperCase(Locale.ROOT)), 1)
                        .instances().getFirst());
                TensorSpec declared = version.manifest().input();
                ModelInput input = new ModelInput(declared.name(), declared.datatype().name(), declared.shape());
                float[] first = ImageSet.read(images, 1, input).batches(input, 1, 1).getFirst().data();
                if (image != null && first.length != image.length) {
                    throw new IllegalArgumentException("the served models take images of different sizes; the floor"
                            + " times models of one input size");
                }
                image = first;
                imageInput = declared;
            }
            List<PlanTiming.PlanTimes> times = PlanTiming.inAlternation(plans,
                    List.of(Tensor.ofFloats(imageInput.name(), imageInput.shapeOf(1), image)), warmUp, runs);
            List<Floors.Compute> floors = new ArrayList<>();
            for (int p = 0; p < plans.size(); p++) {
                LatencyRecorder recorder = new LatencyRecorder();
                for (long nanos : times.get(p).nanos()) {
                    recorder.record(0, nanos, null);
                }
                floors.add(new Floors.Compute(served.get(p), recorder.summary(times.get(p).busyNanos() / 1e9)));
            }
            return floors;
        } finally {
            plans.forEach(ExecutionPlan::close);
            branchPool.shutdown();
        }
    }
}
