package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.RandomTensors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Opens the execution plan the configuration asks for, as many instances as asked (each its own sessions). For
 * {@link PlanChoice#AUTO} it opens every candidate (single, and wide for a graph that may have parallel convolutions
 * to fuse, each at every intra-op thread count from 1 to {@link ThreadDefaults#intraOpThreadsMax()}, so that no plan
 * is judged at a thread count that does not suit it; branches for a graph with a fork–join region whose parts compute
 * what it computes, see {@link BranchesPlan}), warms them up, times them at batch 1 in alternation
 * ({@link PlanTiming}), and keeps the one {@link AutoChoice} chooses (the fastest, unless it needs more cores for
 * little gain); the other instances are of the plan and thread count
 * it kept. A model with nothing but single is so served at its best thread count: the fair baseline a shallow plan
 * must beat. The fork–join region is looked for once per
 * load, for {@code auto} and {@code branches}, and what was found is reported ({@link LoadedPlan#split()}); likewise
 * the parallel convolutions are fused and the fused graph checked once per load, for {@code auto} and {@code wide}
 * ({@link WideGraph}), and every wide candidate and instance opens that one graph.
 */
public final class PlanLoader {

    private static final System.Logger LOG = System.getLogger(PlanLoader.class.getName());
    private static final int WARM_UP_RUNS = 20;
    private static final int MEASURED_RUNS = 200;
    private static final Duration MEASURE_BUDGET = Duration.ofSeconds(1);

    private final SessionFactory sessions;
    private final ExecutorService branchPool;
    private final int intraOpThreads;
    private final Function<ServableVersion, WideGraph> fusion;

    /**
     * @param branchPool     platform threads for the branches plan; the caller owns it
     * @param intraOpThreads threads per operator of the single and wide plans' sessions and of the stem and head
     *                       sessions
     */
    public PlanLoader(SessionFactory sessions, ExecutorService branchPool, int intraOpThreads) {
        this(sessions, branchPool, intraOpThreads, model -> WideGraph.fuse(sessions, model));
    }

    /**
     * As {@link #PlanLoader(SessionFactory, ExecutorService, int)}, with the wide graph of a version made by
     * {@code fusion}: {@link WideGraph#fuse}, which a test wraps to count how often a load fuses.
     */
    PlanLoader(SessionFactory sessions, ExecutorService branchPool, int intraOpThreads,
            Function<ServableVersion, WideGraph> fusion) {
        this.sessions = sessions;
        this.branchPool = branchPool;
        this.intraOpThreads = intraOpThreads;
        this.fusion = fusion;
    }

    /**
     * The instances of the plan that serves a model, all of one plan, and what was found on the way.
     *
     * @param candidate      the plan and the intra-op threads of its sessions, e.g. "single 2t" or "branches"
     * @param measuredMicros for {@code auto}, the median batch-1 latency of each candidate in microseconds, by
     *                       candidate; empty for a configured plan
     * @param split          for {@code auto} and {@code branches}, the fork–join region the branches plan runs
     *                       ("fork–join region: 3 branches from stem, joined by Concat join") or why the graph has
     *                       none to run; empty for a configured single or wide plan, which does not look
     */
    public record LoadedPlan(List<ExecutionPlan> instances, String candidate, Map<String, Double> measuredMicros,
            Optional<String> split) {

        public LoadedPlan {
            instances = List.copyOf(instances);
            // In the order measured (single 1t, single 2t, ...): the READY line and the metadata list them so.
            measuredMicros = Collections.unmodifiableMap(new LinkedHashMap<>(measuredMicros));
        }

        /** The plan's name: "single", "wide", "grouped" or "branches". */
        public String name() {
            return instances.getFirst().name();
        }
    }

    /**
     * One opened instance: its plan, the choice and intra-op threads that open more like it, and for {@code auto}
     * the medians it was chosen by.
     */
    private record Opened(ExecutionPlan plan, PlanChoice choice, int threads, Map<String, Double> measuredMicros) {

        /** "single 2t"; the branch plans' sessions have their own thread counts, so just "branches", "grouped". */
        String candidate() {
            return branchPlan() ? plan.name() : plan.name() + " " + threads + "t";
        }

        /** The cores a request keeps busy: its intra-op threads, or for the branch plans one per branch thread. */
        AutoChoice.Candidate asCandidate() {
            return new AutoChoice.Candidate(candidate(), branchPlan() ? ThreadDefaults.branchThreads() : threads);
        }

        private boolean branchPlan() {
            return choice == PlanChoice.BRANCHES || choice == PlanChoice.GROUPED;
        }
    }

    /**
     * Opens {@code instances} instances of the plan for {@code model}; everything it opened is closed again if it
     * fails.
     */
    public LoadedPlan load(ServableVersion model, PlanChoice choice, int instances) throws ModelVersionException {
        return load(model, choice, instances, OptionalInt.empty());
    }

    /**
     * As {@link #load(ServableVersion, PlanChoice, int)}, with the intra-op threads of this model's single, wide, stem
     * and head sessions fixed where {@code intraOpThreads} gives them (a model's own configuration): {@code auto} then
     * times single and wide at that count alone.
     */
    public LoadedPlan load(ServableVersion model, PlanChoice choice, int instances, OptionalInt intraOpThreads)
            throws ModelVersionException {
        int threads = intraOpThreads.orElse(this.intraOpThreads);
        List<Integer> autoThreads = intraOpThreads.isPresent() ? List.of(threads)
                : IntStream.rangeClosed(1, ThreadDefaults.intraOpThreadsMax()).boxed().toList();
        Optional<BranchSplit> split = choice == PlanChoice.AUTO || choice == PlanChoice.BRANCHES
                || choice == PlanChoice.GROUPED ? Optional.of(BranchSplit.find(sessions, model)) : Optional.empty();
        PlanChoice available = available(model, choice, split);
        Optional<WideGraph> wide = available == PlanChoice.WIDE || available == PlanChoice.AUTO && mayFuse(model)
                ? Optional.of(fusion.apply(model)) : Optional.empty();
        List<ExecutionPlan> opened = new ArrayList<>(instances);
        try {
            Opened first = openOne(model, available, threads, autoThreads, split, wide);
            opened.add(first.plan());
            while (opened.size() < instances) {
                opened.add(openOne(model, first.choice(), first.threads(), autoThreads, split, wide).plan());
            }
            return new LoadedPlan(opened, first.candidate(), first.measuredMicros(),
                    split.map(BranchSplit::description));
        } catch (ModelVersionException | RuntimeException e) {
            opened.forEach(ExecutionPlan::close);
            throw e;
        }
    }

    /**
     * {@code choice}, or single where the plan asked for cannot run on this model; says so, and for {@code auto}
     * why branches is not a candidate, once per load.
     */
    private static PlanChoice available(ServableVersion model, PlanChoice choice, Optional<BranchSplit> split) {
        String id = model.id();
        String noSplit = split.filter(BranchSplit.NotFound.class::isInstance).map(BranchSplit::description)
                .orElse(null);
        if ((choice == PlanChoice.BRANCHES || choice == PlanChoice.GROUPED) && noSplit != null) {
            LOG.log(System.Logger.Level.INFO, id + ": plan " + choice.name().toLowerCase(Locale.ROOT)
                    + " was requested, but " + noSplit + "; serving single");
            return PlanChoice.SINGLE;
        }
        if (choice == PlanChoice.GROUPED && !grouped(split)) {
            LOG.log(System.Logger.Level.INFO, id + ": plan grouped was requested, but "
                    + split.orElseThrow().description() + "; serving single");
            return PlanChoice.SINGLE;
        }
        if (choice == PlanChoice.WIDE && !mayFuse(model)) {
            LOG.log(System.Logger.Level.INFO, id + ": plan wide was requested, but a "
                    + ((ModelVersion) model).manifest().shape() + " model has no parallel convolutions that read one"
                    + " tensor, the layers wide fuses; serving single");
            return PlanChoice.SINGLE;
        }
        if (choice == PlanChoice.AUTO && noSplit != null) {
            LOG.log(System.Logger.Level.INFO, id + ": the branches plan is not offered: " + noSplit);
        }
        return choice;
    }

    /** Whether {@code split} was found with its branches in groups. */
    private static boolean grouped(Optional<BranchSplit> split) {
        return split.orElse(null) instanceof BranchSplit.Found found && found.grouped().isPresent();
    }

    /**
     * Whether the graph may have parallel convolutions to fuse: any graph may, but a trainer-made deep, tat or parnet
     * model is known to have none (a parnet model's streams are chains of several layers, each reading its own copy
     * of the stem's output).
     */
    private static boolean mayFuse(ServableVersion model) {
        return !(model instanceof ModelVersion trained) || trained.manifest().shallow();
    }

    /**
     * One instance of {@code choice}, its single or wide sessions (or a branch plan's stem and head) at
     * {@code threads} intra-op threads; for {@code auto}, the candidate {@link AutoChoice} chooses among single and
     * wide at each of {@code autoThreads} and the branch plans. {@code split} and {@code wide} are what this load
     * found for the branch plans and made for the wide plan, where it looked.
     */
    private Opened openOne(ServableVersion model, PlanChoice choice, int threads, List<Integer> autoThreads,
            Optional<BranchSplit> split, Optional<WideGraph> wide) throws ModelVersionException {
        switch (choice) {
            case SINGLE -> {
                return new Opened(new SinglePlan(sessions, model, threads), choice, threads, Map.of());
            }
            case BRANCHES, GROUPED -> {
                return new Opened(new BranchesPlan(sessions, model, (BranchSplit.Found) split.orElseThrow(),
                        choice == PlanChoice.GROUPED, branchPool, threads), choice, threads, Map.of());
            }
            case WIDE -> {
                return new Opened(new WidePlan(sessions, model, wide.orElseThrow(), threads), choice, threads,
                        Map.of());
            }
            case AUTO -> {
                // Below.
            }
        }
        List<Opened> candidates = new ArrayList<>();
        try {
            for (int t : autoThreads) {
                candidates.add(openOne(model, PlanChoice.SINGLE, t, autoThreads, split, wide));
            }
            if (wide.orElse(null) instanceof WideGraph.Refused(String reason)) {
                // The graph does not fuse (or not exactly): the model serves on whichever of the others is faster.
                LOG.log(model instanceof ModelVersion ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                        model.id() + ": the wide plan is not offered: " + reason);
            } else if (wide.isPresent()) {
                for (int t : autoThreads) {
                    candidates.add(openOne(model, PlanChoice.WIDE, t, autoThreads, split, wide));
                }
            }
            if (split.orElseThrow() instanceof BranchSplit.Found) {
                candidates.add(openOne(model, PlanChoice.BRANCHES, threads, autoThreads, split, wide));
            }
            if (grouped(split)) {
                candidates.add(openOne(model, PlanChoice.GROUPED, threads, autoThreads, split, wide));
            }
            if (candidates.size() == 1) {
                return candidates.getFirst();
            }
            Map<String, Double> medians = measure(model, candidates);
            String chosen = AutoChoice.choose(candidates.stream().map(Opened::asCandidate).toList(), medians).name();
            Opened kept = candidates.stream().filter(candidate -> candidate.candidate().equals(chosen)).findFirst()
                    .orElseThrow();
            candidates.remove(kept);
            candidates.forEach(candidate -> candidate.plan().close());
            return new Opened(kept.plan(), kept.choice(), kept.threads(), medians);
        } catch (ModelVersionException | RuntimeException e) {
            candidates.forEach(candidate -> candidate.plan().close());
            throw e;
        }
    }

    private static Map<String, Double> measure(ServableVersion model, List<Opened> candidates)
            throws ModelVersionException {
        List<ExecutionPlan> plans = candidates.stream().map(Opened::plan).toList();
        List<PlanTiming.PlanTimes> times;
        try {
            times = PlanTiming.inAlternation(plans, RandomTensors.of(plans.getFirst().inputs(), 1), WARM_UP_RUNS,
                    MEASURED_RUNS, MEASURE_BUDGET);
        } catch (OrtException e) {
            throw new ModelVersionException(model.id() + ": a test run on random inputs failed while measuring the"
                    + " plans (" + e.getMessage() + "); serve it with plan single", e);
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        for (int c = 0; c < candidates.size(); c++) {
            medians.put(candidates.get(c).candidate(), times.get(c).percentiles().p50());
        }
        return medians;
    }
}
