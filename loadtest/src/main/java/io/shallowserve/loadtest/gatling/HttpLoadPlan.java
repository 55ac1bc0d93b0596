package io.shallowserve.loadtest.gatling;

import io.shallowserve.loadtest.driver.Load;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link InferenceSimulation} runs: warm-up on every endpoint, then each load step on every endpoint in turn
 * (so that a slower moment of the machine does not fall on one endpoint only). Gatling instantiates simulations
 * itself, so the plan travels as system properties, the way Gatling simulations are usually parameterised.
 *
 * @param endpoints the models to load, each on its server
 * @param loads     open (constant arrival rate) and closed (constant concurrent users) steps
 * @param step      how long each step offers load, rounded up to whole seconds
 * @param warmUp    load before the steps, per endpoint, left out of the results (2 users), whole seconds too
 * @param images    the IDX or image file the request bodies are made of
 */
public record HttpLoadPlan(List<Endpoint> endpoints, List<Load> loads, Duration step, Duration warmUp, Path images) {

    private static final String PREFIX = "shallowserve.gatling.";

    /**
     * One model on one server.
     *
     * @param name    the prefix of its request names, e.g. "fashion-deep / single"
     * @param baseUrl the server's HTTP address, e.g. http://127.0.0.1:8000
     * @param model   the model's name on that server
     */
    public record Endpoint(String name, String baseUrl, String model) {}

    public HttpLoadPlan {
        endpoints = List.copyOf(endpoints);
        loads = List.copyOf(loads);
        // Gatling's injection steps count whole seconds: a shorter step never ends (the run waits for maxDuration).
        step = wholeSeconds(step);
        warmUp = wholeSeconds(warmUp);
    }

    /** Rounded up to whole seconds, at least one. */
    private static Duration wholeSeconds(Duration duration) {
        long seconds = duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0);
        return Duration.ofSeconds(Math.max(1, seconds));
    }

    /** The name of the request of one step: the key of its results. */
    public static String requestName(Endpoint endpoint, Load load) {
        return endpoint.name() + " " + load.label();
    }

    /** The name of an endpoint's warm-up requests. */
    static String warmUpName(Endpoint endpoint) {
        return endpoint.name() + " warm-up";
    }

    /** How long the steps offer load; the answers of the last requests come on top. */
    public Duration plannedDuration() {
        return step.multipliedBy((long) loads.size() * endpoints.size()).plus(warmUp.multipliedBy(endpoints.size()));
    }

    Map<String, String> toSystemProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(PREFIX + "endpoints", Integer.toString(endpoints.size()));
        for (int i = 0; i < endpoints.size(); i++) {
            properties.put(PREFIX + "endpoint." + i + ".name", endpoints.get(i).name());
            properties.put(PREFIX + "endpoint." + i + ".baseUrl", endpoints.get(i).baseUrl());
            properties.put(PREFIX + "endpoint." + i + ".model", endpoints.get(i).model());
        }
        properties.put(PREFIX + "loads", String.join(",", loads.stream().map(HttpLoadPlan::encode).toList()));
        properties.put(PREFIX + "stepMillis", Long.toString(step.toMillis()));
        properties.put(PREFIX + "warmUpMillis", Long.toString(warmUp.toMillis()));
        properties.put(PREFIX + "images", images.toString());
        return properties;
    }

    static HttpLoadPlan fromSystemProperties() {
        List<Endpoint> endpoints = new ArrayList<>();
        int count = Integer.parseInt(property("endpoints"));
        for (int i = 0; i < count; i++) {
            endpoints.add(new Endpoint(property("endpoint." + i + ".name"), property("endpoint." + i + ".baseUrl"),
                    property("endpoint." + i + ".model")));
        }
        List<Load> loads = new ArrayList<>();
        for (String load : property("loads").split(",")) {
            loads.add(decode(load));
        }
        return new HttpLoadPlan(endpoints, loads, Duration.ofMillis(Long.parseLong(property("stepMillis"))),
                Duration.ofMillis(Long.parseLong(property("warmUpMillis"))), Path.of(property("images")));
    }

    private static String property(String name) {
        String value = System.getProperty(PREFIX + name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + PREFIX + name + " is not set");
        }
        return value;
    }

    /** "open:250.0" or "closed:4". */
    private static String encode(Load load) {
        return switch (load) {
            case Load.Open open -> "open:" + open.ratePerSecond();
            case Load.Closed closed -> "closed:" + closed.concurrency();
        };
    }

    private static Load decode(String text) {
        String[] parts = text.split(":");
        return switch (parts[0]) {
            case "open" -> new Load.Open(Double.parseDouble(parts[1]));
            case "closed" -> new Load.Closed(Integer.parseInt(parts[1]));
            default -> throw new IllegalArgumentException("load " + text + " is not open:RATE or closed:USERS");
        };
    }
}
