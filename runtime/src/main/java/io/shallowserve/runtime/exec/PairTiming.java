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
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one in-process comparison of a deep model with its shallow twin, as the plan benchmark and the depth-scaling
 * experiment make it: deep's single plan at every intra-op thread count from 1 to
 * {@link ThreadDefaults#intraOpThreadsMax()} (the fair baseline is the best of them at each batch size, not deep at
 * the shallow plans' setting), and the shallow model's single, wide, grouped and branches plans at the server's
 * defaults and its single and wide plans at deep's other thread counts, all timed in alternation
 * ({@link PlanTiming}) on the same random inputs. The model compared with deep may be another of the spec's shapes
 * with branches too (parnet): the wide and grouped plans it cannot run are left out, and why is kept
 * ({@link BatchTimes#notRun()}).
 */
public final class PairTiming {

    /** The shallow model's plans at the server's defaults, in the order {@link BatchTimes#shallow()} holds them. */
    public static final List<String> SHALLOW_PLANS = List.of(SinglePlan.NAME, WidePlan.NAME, BranchesPlan.GROUPED,
            BranchesPlan.NAME);

    private PairTiming() {}

    /**
     * The times of one batch size.
     *
     * @param deepByThreads deep's single plan at 1, 2, ... intra-op threads
     * @param shallow       the shallow model's plans by name, in the order of {@link #SHALLOW_PLANS}; grouped only
     *                      where the model has more branches than groups, wide only where it has parallel
     *                      convolutions to fuse; then single and wide at deep's other thread counts, labelled
     *                      {@link #atThreads} ("single 2t", "wide 2t")
     * @param notRun        the plans of {@link #SHALLOW_PLANS} left out, by name, with why
     * @param shallowThreads the intra-op threads of the shallow plans' sessions where the label names none
     */
    public record BatchTimes(int batch, List<PlanTiming.PlanTimes> deepByThreads,
            Map<String, PlanTiming.PlanTimes> shallow, Map<String, String> notRun, int shallowThreads) {

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

        /**
         * Plan {@code name} of {@link #SHALLOW_PLANS} at the thread count where its median was lowest, as deep's
         * baseline is taken: single and wide were timed at each of deep's thread counts, grouped and branches at
         * {@link #shallowThreads} only. Empty where the plan did not run.
         */
        public Optional<ThreadedTimes> bestShallow(String name) {
            ThreadedTimes best = null;
            for (int threads = 1; threads <= Math.max(deepByThreads.size(), shallowThreads); threads++) {
                PlanTiming.PlanTimes times = shallow.get(threads == shallowThreads ? name : atThreads(name, threads));
                if (times != null && (best == null || times.percentiles().p50() < best.percentiles().p50())) {
                    best = new ThreadedTimes(times.percentiles(), threads);
                }
            }
            return Optional.ofNullable(best);
        }
    }

    /** A plan's times at one intra-op thread count. */
    public record ThreadedTimes(Percentiles percentiles, int threads) {}

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
        List<ExecutionPlan> deepPlans = new ArrayList<>();
        Map<String, ExecutionPlan> shallowPlans = new LinkedHashMap<>();
        try {
            int deepCounts = ThreadDefaults.intraOpThreadsMax();
            for (int threads = 1; threads <= deepCounts; threads++) {
                deepPlans.add(new SinglePlan(sessions, deep, threads));
            }
            Map<String, String> notRun = new LinkedHashMap<>();
            shallowPlans.put(SinglePlan.NAME, new SinglePlan(sessions, shallow, intraOpThreads));
            // No parallel convolutions to fuse (a parnet model's streams are chains): wide is left out.
            addIfItOpens(shallowPlans, notRun, WidePlan.NAME, () -> new WidePlan(sessions, shallow, intraOpThreads));
            // No more branches than groups (L = 2 on 2 cores): grouped would be branches; it is left out.
            addIfItOpens(shallowPlans, notRun, BranchesPlan.GROUPED,
                    () -> BranchesPlan.grouped(sessions, shallow, branchPool, intraOpThreads));
            shallowPlans.put(BranchesPlan.NAME, new BranchesPlan(sessions, shallow, branchPool, intraOpThreads));
            // The one-session plans at deep's other thread counts too, as auto tries them: where a second thread
            // pays for deep, it may for single and wide as well, and the fair comparison is of both at their best.
            for (int threads = 1; threads <= deepCounts; threads++) {
                if (threads != intraOpThreads) {
                    shallowPlans.put(atThreads(SinglePlan.NAME, threads), new SinglePlan(sessions, shallow, threads));
                    if (shallowPlans.containsKey(WidePlan.NAME)) {
                        shallowPlans.put(atThreads(WidePlan.NAME, threads), new WidePlan(sessions, shallow, threads));
                    }
                }
            }
            List<ExecutionPlan> plans = new ArrayList<>(deepPlans);
            plans.addAll(shallowPlans.values());
            List<String> shallowLabels = List.copyOf(shallowPlans.keySet());
            List<BatchTimes> measured = new ArrayList<>();
            for (int batch : batches) {
                List<PlanTiming.PlanTimes> times = PlanTiming.inAlternation(plans,
                        RandomTensors.of(plans.getFirst().inputs(), batch), warmUp, runs);
                Map<String, PlanTiming.PlanTimes> shallowTimes = new LinkedHashMap<>();
                for (int p = 0; p < shallowLabels.size(); p++) {
                    shallowTimes.put(shallowLabels.get(p), times.get(deepCounts + p));
                }
                measured.add(new BatchTimes(batch, times.subList(0, deepCounts), shallowTimes, notRun,
                        intraOpThreads));
            }
            return measured;
        } finally {
            deepPlans.forEach(ExecutionPlan::close);
            shallowPlans.values().forEach(ExecutionPlan::close);
            branchPool.shutdown();
        }
    }

    /** The label of a one-session plan at a thread count other than the shallow plans' own: "wide 2t". */
    public static String atThreads(String plan, int threads) {
        return plan + " " + threads + "t";
    }

    /** Opens a plan, or says why it cannot run on a model. */
    private interface PlanOpener {
        ExecutionPlan open() throws ModelVersionException;
    }

    /** Adds the plan {@code opener} opens to {@code plans} by its name, or its name and why not to {@code notRun}. */
    private static void addIfItOpens(Map<String, ExecutionPlan> plans, Map<String, String> notRun, String name,
            PlanOpener opener) {
        try {
            plans.put(name, opener.open());
        } catch (ModelVersionException e) {
            notRun.put(name, e.getMessage());
        }
    }
}
