package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.RandomTensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one in-process comparison of a deep model with its shallow twin, as the plan benchmark and the depth-scaling
 * experiment make it: deep's single plan at every intra-op thread count from 1 to
 * {@link ThreadDefaults#intraOpThreadsMax()} (the fair baseline is the best of them at each batch size, not deep at
 * the shallow plans' setting), and the shallow model's single, wide, grouped and branches plans at the server's
 * defaults, all
 * timed in alternation ({@link PlanTiming}) on the same random inputs. The model compared with deep may be another of
 * the spec's shapes with branches too (parnet): the wide and grouped plans it cannot run are left out, and why is kept
 * ({@link BatchTimes#notRun()}).
 */
public final class PairTiming {

    /** The shallow model's plans, in the order {@link BatchTimes#shallow()} holds them. */
    public static final List<String> SHALLOW_PLANS = List.of(SinglePlan.NAME, WidePlan.NAME, BranchesPlan.GROUPED,
            BranchesPlan.NAME);

    private PairTiming() {}

    /**
     * The times of one batch size.
     *
     * @param deepByThreads deep's single plan at 1, 2, ... intra-op threads
     * @param shallow       the shallow model's plans by name, in the order of {@link #SHALLOW_PLANS}; grouped only
     *                      where the model has more branches than groups, wide only where it has parallel
     *                      convolutions to fuse
     * @param notRun        the plans of {@link #SHALLOW_PLANS} left out, by name, with why
     */
    public record BatchTimes(int batch, List<PlanTiming.PlanTimes> deepByThreads,
            Map<String, PlanTiming.PlanTimes> shallow, Map<String, String> notRun) {

        public BatchTimes {
            deepByThreads = List.copyOf(deepByThreads);
            shallow = Collections.unmodifiableMap(new LinkedHashMap<>(shallow));
            notRun = Collections.unmodifiableMap(new LinkedHashMap<>(notRun));
        }

        /** The thread count at which deep's median was lowest. */
        public int bestDeepThreads() {
            List<Double> medians = deepByThreads.stream().map(times -> times.percentiles().p50()).toList();
            return medians.indexOf(medians.stream().min(Comparator.naturalOrder()).orElseThrow()) + 1;
        }

        /** Deep at {@link #bestDeepThreads()}: the baseline. */
        public Percentiles bestDeep() {
            return deepByThreads.get(bestDeepThreads() - 1).percentiles();
        }
    }

    /**
     * Times both models at every batch size in {@code batches}.
     *
     * @param intraOpThreads threads per operator of the shallow plans' sessions (single, wide, stem and head)
     * @param branchThreads  platform threads the branches plan runs its branches on
     * @param warmUp         untimed runs of every plan first, per batch size
     * @param runs           timed rounds per batch size
     * @param shallow        the model compared with deep: its shallow twin, or another shape of the spec whose
     *                       model.onnx has a fork–join region (parnet)
     * @throws ModelVersionException if a graph does not open, or the shallow model has no fork–join region to split
     */
    public static List<BatchTimes> measure(SessionFactory sessions, ModelVersion deep, ModelVersion shallow,
            int intraOpThreads, int branchThreads, List<Integer> batches, int warmUp, int runs)
            throws ModelVersionException, OrtException {
        ExecutorService branchPool = Executors.newFixedThreadPool(branchThreads,
                Thread.ofPlatform().name("pair-branch-", 0).daemon(true).factory());
        List<ExecutionPlan> plans = new ArrayList<>();
        try {
            int deepCounts = ThreadDefaults.intraOpThreadsMax();
            for (int threads = 1; threads <= deepCounts; threads++) {
                plans.add(new SinglePlan(sessions, deep, threads));
            }
            Map<String, String> notRun = new LinkedHashMap<>();
            plans.add(new SinglePlan(sessions, shallow, intraOpThreads));
            // No parallel convolutions to fuse (a parnet model's streams are chains): wide is left out.
            addIfItOpens(plans, notRun, WidePlan.NAME, () -> new WidePlan(sessions, shallow, intraOpThreads));
            // No more branches than groups (L = 2 on 2 cores): grouped would be branches; it is left out.
            addIfItOpens(plans, notRun, BranchesPlan.GROUPED,
                    () -> BranchesPlan.grouped(sessions, shallow, branchPool, intraOpThreads));
            plans.add(new BranchesPlan(sessions, shallow, branchPool, intraOpThreads));
            List<BatchTimes> measured = new ArrayList<>();
            for (int batch : batches) {
                List<PlanTiming.PlanTimes> times = PlanTiming.inAlternation(plans,
                        RandomTensors.of(plans.getFirst().inputs(), batch), warmUp, runs);
                Map<String, PlanTiming.PlanTimes> shallowTimes = new LinkedHashMap<>();
                for (int p = deepCounts; p < plans.size(); p++) {
                    shallowTimes.put(plans.get(p).name(), times.get(p));
                }
                measured.add(new BatchTimes(batch, times.subList(0, deepCounts), shallowTimes, notRun));
            }
            return measured;
        } finally {
            plans.forEach(ExecutionPlan::close);
            branchPool.shutdown();
        }
    }

    /** Opens a plan, or says why it cannot run on a model. */
    private interface PlanOpener {
        ExecutionPlan open() throws ModelVersionException;
    }

    /** Adds the plan {@code opener} opens to {@code plans}, or its name and why not to {@code notRun}. */
    private static void addIfItOpens(List<ExecutionPlan> plans, Map<String, String> notRun, String name,
            PlanOpener opener) {
        try {
            plans.add(opener.open());
        } catch (ModelVersionException e) {
            notRun.put(name, e.getMessage());
        }
    }
}
