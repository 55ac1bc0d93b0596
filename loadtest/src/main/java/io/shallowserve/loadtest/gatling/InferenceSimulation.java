package io.shallowserve.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.shallowserve.loadtest.driver.HttpTarget;
import io.shallowserve.loadtest.driver.LatencyRecorder;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The REST infer path under load: a warm-up on every endpoint of the {@link HttpLoadPlan}, then each load step on
 * every endpoint in turn, one step after another; each virtual user sends one request. The bodies are those the
 * driver sends over HTTP (the same images, encoded by {@link Tensor#inferJson()}). Connections are shared, as a
 * client's pool would: without it every virtual user of an open model would open a connection of its own.
 */
public final class InferenceSimulation extends Simulation {

    /** Requests of an error rate above this fail the run's assertion. */
    public static final double MAX_ERROR_PERCENT = 1.0;

    private static final String RESPONSE_MILLIS = "responseMillis";
    private static final String STATUS = "status";

    /** Distinct bodies per endpoint; the steps cycle through them. */
    private static final int PREPARED_REQUESTS = 64;

    public InferenceSimulation() {
        HttpLoadPlan plan = HttpLoadPlan.fromSystemProperties();
        HttpProtocolBuilder protocol = http
                // Gatling's warm-up request goes to gatling.io; the load tests stay on the loopback.
                .disableWarmUp()
                .shareConnections()
                .contentTypeHeader("application/json")
                .acceptHeader("application/json");
        Map<HttpLoadPlan.Endpoint, List<byte[]>> bodies = new LinkedHashMap<>();
        plan.endpoints().forEach(endpoint -> bodies.put(endpoint, bodies(plan, endpoint)));
        List<PopulationBuilder> steps = new ArrayList<>();
        for (HttpLoadPlan.Endpoint endpoint : plan.endpoints()) {
            steps.add(oneRequest(HttpLoadPlan.warmUpName(endpoint), endpoint, bodies.get(endpoint))
                    .injectClosed(constantConcurrentUsers(2).during(plan.warmUp())));
        }
        for (Load load : plan.loads()) {
            for (HttpLoadPlan.Endpoint endpoint : plan.endpoints()) {
                ScenarioBuilder scenario = oneRequest(HttpLoadPlan.requestName(endpoint, load), endpoint,
                        bodies.get(endpoint));
                steps.add(switch (load) {
                    case Load.Open open -> scenario.injectOpen(
                            constantUsersPerSec(open.ratePerSecond()).during(plan.step()));
                    case Load.Closed closed -> scenario.injectClosed(
                            constantConcurrentUsers(closed.concurrency()).during(plan.step()));
                });
            }
        }
        setUp(inSequence(steps))
                .protocols(protocol)
                .assertions(global().failedRequests().percent().lte(MAX_ERROR_PERCENT))
                .maxDuration(plan.plannedDuration().plus(Duration.ofSeconds(30)));
    }

    /**
     * A scenario of one POST to the endpoint's infer path, named {@code name}, bodies taken in turn; its response time
     * and outcome go to the run's recorder of that name.
     */
    private static ScenarioBuilder oneRequest(String name, HttpLoadPlan.Endpoint endpoint, List<byte[]> bodies) {
        AtomicLong next = new AtomicLong();
        LatencyRecorder recorder = GatlingRun.RECORDERS.computeIfAbsent(name, n -> new LatencyRecorder());
        return scenario(name)
                .exec(http(name)
                        .post(endpoint.baseUrl() + HttpTarget.modelPath(endpoint.model(), "") + "/infer")
                        .body(ByteArrayBody(session -> bodies.get((int) (next.getAndIncrement() % bodies.size()))))
                        .check(responseTimeInMillis().saveAs(RESPONSE_MILLIS), status().saveAs(STATUS),
                                status().is(200)))
                .exec(session -> {
                    long millis = session.contains(RESPONSE_MILLIS) ? session.getInt(RESPONSE_MILLIS) : 0;
                    recorder.record(0, TimeUnit.MILLISECONDS.toNanos(millis), error(session));
                    return session;
                });
    }

    /** Null for a successful request, else "HTTP status" or, when no response came, "no response". */
    private static String error(Session session) {
        if (!session.isFailed()) {
            return null;
        }
        return session.contains(STATUS) ? "HTTP " + session.getInt(STATUS) : "no response";
    }

    private static List<byte[]> bodies(HttpLoadPlan plan, HttpLoadPlan.Endpoint endpoint) {
        URI server = URI.create(endpoint.baseUrl());
        try (HttpTarget metadata = new HttpTarget(server.getHost(), server.getPort(), Duration.ofSeconds(10),
                false)) {
            ModelInput input = metadata.input(endpoint.model(), "");
            return ImageSet.read(plan.images(), PREPARED_REQUESTS, input).batches(input, 1, PREPARED_REQUESTS)
                    .stream().map(tensor -> tensor.inferJson().getBytes(StandardCharsets.UTF_8)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the requests of " + endpoint.name(), e);
        }
    }

    /** The first step, with every later one chained to start when the one before it has ended. */
    private static PopulationBuilder inSequence(List<PopulationBuilder> steps) {
        PopulationBuilder chain = steps.getLast();
        for (int i = steps.size() - 2; i >= 0; i--) {
            chain = steps.get(i).andThen(chain);
        }
        return chain;
    }
}
