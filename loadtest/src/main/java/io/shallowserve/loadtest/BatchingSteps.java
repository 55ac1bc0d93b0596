package io.shallowserve.loadtest;

import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.LoadRunner;
import io.shallowserve.loadtest.driver.Transport;
import io.shallowserve.loadtest.report.Batching;
import io.shallowserve.loadtest.report.BatchingStep;
import io.shallowserve.loadtest.report.ServedModel;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;

/**
 * The batching comparison's steps, over gRPC with the driver, each on every served model with batching off and on in
 * turn: one request in flight (what batching costs at low load), the closed loop at saturation (what it merges when
 * the instances are always busy), and the capacity search (what it buys at a latency target).
 * The mean batch size of a step comes from the server's statistics before and after it.
 */
final class BatchingSteps {

    /**
     * One served model on one server process.
     *
     * @param batching  that server's batching
     * @param transport inference requests for the model, over gRPC
     * @param counts    the model's counts on that server, now
     */
    record ModelOnServer(ServedModel served, Batching batching, Transport transport,
            Supplier<InferenceCounts> counts) {}

    private final LoadRunner runner;
    private final Duration step;
    private final Consumer<String> say;

    /**
     * @param step how long each step runs
     * @param say  where the progress lines go
     */
    BatchingSteps(LoadRunner runner, Duration step, Consumer<String> say) {
        this.runner = runner;
        this.step = step;
        this.say = say;
    }

    /** A closed loop with {@code inFlight} requests on each of {@code models}, in turn. */
    List<BatchingStep> closed(List<ModelOnServer> models, int inFlight) {
        return models.stream().map(model -> {
            BatchingStep result = measure(model, new Load.Closed(inFlight));
            say.accept(line(result));
            return result;
        }).toList();
    }

    /** A capacity search on each of {@code models}, their steps in turn ({@link CapacitySearch#inTurn}). */
    List<BatchingStep> capacity(List<ModelOnServer> models, CapacitySearch.Plan plan, double p99TargetMicros) {
        String target = "p99 <= " + p99TargetMicros / 1000 + " ms";
        List<DoubleFunction<BatchingStep>> measures = models.stream().<DoubleFunction<BatchingStep>>map(
                model -> rate -> {
                    BatchingStep result = measure(model, new Load.Open(rate));
                    say.accept(line(result) + (result.meets(p99TargetMicros) ? ": meets " : ": misses ") + target);
                    return result;
                }).toList();
        return CapacitySearch.inTurn(plan, p99TargetMicros, measures);
    }

    private BatchingStep measure(ModelOnServer model, Load load) {
        InferenceCounts before = model.counts().get();
        LatencySummary summary = runner.run(model.transport(), load, step);
        double meanBatchSize = model.counts().get().meanBatchSizeSince(before);
        return new BatchingStep(model.served(), model.batching(), load, summary, meanBatchSize);
    }

    /** "  fashion-deep / single  gRPC  batching on, 500 µs  driver open 2000/s: p50 …, mean batch 1.42". */
    private static String line(BatchingStep step) {
        return "  " + step.served().label() + "  gRPC  batching " + step.batching().label() + "  driver "
                + step.load().label() + ": " + Comparison.brief(step.summary())
                + String.format(Locale.ROOT, ", mean batch %.2f", step.meanBatchSize());
    }
}
