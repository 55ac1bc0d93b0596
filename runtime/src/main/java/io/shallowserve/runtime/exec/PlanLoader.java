package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.repository.GraphVersion;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.RandomTensors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Opens the execution plan the configuration asks for, as many instances as asked (each its own sessions). For
 * {@link PlanChoice#AUTO} it opens every candidate (single, and for a shallow model wide and branches), warms them up,
 * times them at batch 1 in alternation ({@link PlanTiming}), and keeps the one with the lowest median; the other
 * instances are of the plan it kept.
 */
public final class PlanLoader {

    private static final System.Logger LOG = System.getLogger(PlanLoader.class.getName());
    private static final int WARM_UP_RUNS = 20;
    private static final int MEASURED_RUNS = 200;
    private static final Duration MEASURE_BUDGET = Duration.ofSeconds(1);

    private final SessionFactory sessions;
    private final ExecutorService branchPool;
    private final int intraOpThreads;

    /**
     * @param branchPool     platform threads for the branches plan; the caller owns it
     * @param intraOpThreads threads per operator of the single and wide plans' sessions and of the stem and head
     *                       sessions
     */
    public PlanLoader(SessionFactory sessions, ExecutorService branchPool, int intraOpThreads) {
        this.sessions = sessions;
        this.branchPool = branchPool;
        this.intraOpThreads = intraOpThreads;
    }

    /**
     * The instances of the plan that serves a model, all of one plan, and, for {@code auto}, the median batch-1
     * latency of each candidate in microseconds (empty for a configured plan).
     */
    public record LoadedPlan(List<ExecutionPlan> instances, Map<String, Double> measuredMicros) {

        public LoadedPlan {
            instances = List.copyOf(instances);
            measuredMicros = Map.copyOf(measuredMicros);
        }

        /** The plan's name: "single", "wide" or "branches". */
        public String name() {
            return instances.getFirst().name();
        }
    }

    /**
     * Opens {@code instances} instances of the plan for {@code model}; everything it opened is closed again if it
     * fails.
     */
    public LoadedPlan load(ServableVersion model, PlanChoice choice, int instances) throws ModelVersionException {
        List<ExecutionPlan> opened = new ArrayList<>(instances);
        try {
            LoadedPlan first = openOne(model, choice);
            opened.add(first.instances().getFirst());
            PlanChoice chosen = choiceOf(first.instances().getFirst());
            while (opened.size() < instances) {
                opened.add(openOne(model, chosen).instances().getFirst());
            }
            return new LoadedPlan(opened, first.measuredMicros());
        } catch (ModelVersionException | RuntimeException e) {
            opened.forEach(ExecutionPlan::close);
            throw e;
        }
    }

    /** One instance, measuring the candidates for {@code auto}. */
    private LoadedPlan openOne(ServableVersion model, PlanChoice choice) throws ModelVersionException {
        // Only the trainer's shallow models come with branch graphs; any graph may have convolutions to fuse, but a
        // trainer-made deep or tat model is known to have none.
        boolean branches = model instanceof ModelVersion trained && trained.manifest().shallow();
        boolean mayFuse = branches || model instanceof GraphVersion;
        String id = model.id();
        if (choice == PlanChoice.BRANCHES && !branches) {
            LOG.log(System.Logger.Level.INFO, id + ": plan branches was requested, but " + kind(model)
                    + " has no branch graphs; serving single");
            choice = PlanChoice.SINGLE;
        }
        if (choice == PlanChoice.WIDE && !mayFuse) {
            LOG.log(System.Logger.Level.INFO, id + ": plan wide was requested, but " + kind(model)
                    + " has no parallel convolutions; serving single");
            choice = PlanChoice.SINGLE;
        }
        switch (choice) {
            case SINGLE -> {
                return new LoadedPlan(List.of(new SinglePlan(sessions, model, intraOpThreads)), Map.of());
            }
            case BRANCHES -> {
                return new LoadedPlan(List.of(new BranchesPlan(sessions, (ModelVersion) model, branchPool,
                        intraOpThreads)), Map.of());
            }
            case WIDE -> {
                return new LoadedPlan(List.of(new WidePlan(sessions, model, intraOpThreads)), Map.of());
            }
            case AUTO -> {
                // Below.
            }
        }
        List<ExecutionPlan> candidates = new ArrayList<>(3);
        try {
            candidates.add(new SinglePlan(sessions, model, intraOpThreads));
            if (mayFuse) {
                try {
                    candidates.add(new WidePlan(sessions, model, intraOpThreads));
                } catch (ModelVersionException e) {
                    // The graph does not fuse (or not exactly): the model serves on whichever of the others is faster.
                    LOG.log(branches ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                            id + ": the wide plan is not offered: " + e.getMessage());
                }
            }
            if (branches) {
                candidates.add(new BranchesPlan(sessions, (ModelVersion) model, branchPool, intraOpThreads));
            }
            if (candidates.size() == 1) {
                return new LoadedPlan(candidates, Map.of());
            }
            Map<String, Double> medians = measure(model, candidates);
            ExecutionPlan fastest = candidates.stream()
                    .min((a, b) -> Double.compare(medians.get(a.name()), medians.get(b.name())))
                    .orElseThrow();
            candidates.remove(fastest);
            candidates.forEach(ExecutionPlan::close);
            return new LoadedPlan(List.of(fastest), medians);
        } catch (ModelVersionException | RuntimeException e) {
            candidates.forEach(ExecutionPlan::close);
            throw e;
        }
    }

    /** What kind of model a log line speaks of. */
    private static String kind(ServableVersion model) {
        return model instanceof ModelVersion trained ? "a " + trained.manifest().shape() + " model"
                : "this graph";
    }

    /** The choice that opens more instances of {@code plan}. */
    private static PlanChoice choiceOf(ExecutionPlan plan) {
        return switch (plan.name()) {
            case SinglePlan.NAME -> PlanChoice.SINGLE;
            case WidePlan.NAME -> PlanChoice.WIDE;
            case BranchesPlan.NAME -> PlanChoice.BRANCHES;
            default -> throw new IllegalStateException("no plan choice opens plan " + plan.name());
        };
    }

    private static Map<String, Double> measure(ServableVersion model, List<ExecutionPlan> candidates)
            throws ModelVersionException {
        List<PlanTiming.PlanTimes> times;
        try {
            times = PlanTiming.inAlternation(candidates, RandomTensors.of(candidates.getFirst().inputs(), 1),
                    WARM_UP_RUNS, MEASURED_RUNS, MEASURE_BUDGET);
        } catch (OrtException e) {
            throw new ModelVersionException(model.id() + ": a test run on random inputs failed while measuring the"
                    + " plans (" + e.getMessage() + "); serve it with plan single", e);
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        for (int c = 0; c < candidates.size(); c++) {
            medians.put(candidates.get(c).name(), times.get(c).percentiles().p50());
        }
        return medians;
    }
}
