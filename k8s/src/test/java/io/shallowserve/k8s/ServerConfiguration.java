package io.shallowserve.k8s;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the server will do in a container, worked out the way the server itself does: its application.yaml, then
 * environment variables, then command-line flags (the first that has a key wins, flags first). Only the keys that
 * the manifests must agree with are read.
 *
 * @param port                the HTTP port: REST under /v2 and /metrics (server.port)
 * @param grpcPort            the gRPC port, always another one (shallowserve.grpc.port)
 * @param models              the model repository folder (shallowserve.models)
 * @param device              cpu or cuda:N (shallowserve.device)
 * @param shutdownGracePeriod how long the server lets responses leave after it drained (server.shutdown-grace-period)
 * @param readinessModels     any or all: how many models must serve for the server to be ready
 *                            (shallowserve.readiness.models)
 * @param cpuFallback         whether a server configured for a GPU is ready while it serves on the CPU
 *                            (shallowserve.readiness.cpu-fallback)
 * @param grpcMaxConnectionAge how long a gRPC connection lives before the server asks the client to reconnect
 *                            (shallowserve.grpc.max-connection-age)
 * @param loadApi             whether clients may load and unload models (shallowserve.repository.load-api)
 * @param source              where the values came from, for error messages
 */
record ServerConfiguration(int port, int grpcPort, String models, String device, Duration shutdownGracePeriod,
                           String readinessModels, boolean cpuFallback, Duration grpcMaxConnectionAge,
                           boolean loadApi, String source) {

    /** The keys a container may set through its environment or flags that these checks read. */
    private static final List<String> KEYS = List.of("server.port", "shallowserve.grpc.port", "shallowserve.models",
            "shallowserve.device", "shallowserve.readiness.models", "shallowserve.readiness.cpu-fallback",
            "shallowserve.grpc.max-connection-age", "shallowserve.repository.load-api");

    /** The server's configuration file, relative to this module; the server module owns it. */
    static final Path APPLICATION_YAML = Path.of("../server/src/main/resources/application.yaml");

    /** The keys of the two ports: the manifests must name both, so application.yaml must set both. */
    private static final List<String> PORT_KEYS = List.of("server.port", "shallowserve.grpc.port");

    /**
     * The server's own configuration: its application.yaml, which must set both ports, over the defaults other keys
     * left out fall back to (models in ./models, cpu).
     */
    static ServerConfiguration ofServer() {
        if (!Files.isRegularFile(APPLICATION_YAML)) {
            throw new IllegalStateException(APPLICATION_YAML.toAbsolutePath() + " is missing: the manifests are"
                    + " checked against the server's configuration");
        }
        JsonObject yaml = YamlJson.readAll(APPLICATION_YAML).getFirst().getAsJsonObject();
        Map<String, String> keys = new HashMap<>();
        flatten(yaml, "", keys);
        for (String key : PORT_KEYS) {
            if (!keys.containsKey(key)) {
                throw new IllegalStateException(APPLICATION_YAML + " sets no " + key + ": the manifests are checked"
                        + " against the ports the server's configuration sets");
            }
        }
        // The ports come from application.yaml (checked above); 0 here is never read.
        ServerConfiguration defaults = new ServerConfiguration(0, 0, "models", "cpu", Duration.ZERO, "any", true,
                Duration.ZERO, true, "the server's defaults");
        return defaults.with(keys, APPLICATION_YAML.toString());
    }

    /**
     * This configuration as the server in {@code container} sees it: its environment (the container's env over
     * the ConfigMaps of its envFrom, as Kubernetes merges them) and its args.
     *
     * @param objects the rendered manifests, where the ConfigMaps are looked up
     */
    ServerConfiguration in(JsonObject container, List<JsonObject> objects) {
        Map<String, String> environment = new HashMap<>();
        if (container.has("envFrom")) {
            for (JsonElement source : container.getAsJsonArray("envFrom")) {
                String configMap = source.getAsJsonObject().getAsJsonObject("configMapRef").get("name").getAsString();
                JsonObject data = objects.stream()
                        .filter(object -> object.get("kind").getAsString().equals("ConfigMap")
                                && configMap.equals(KubernetesApiTypes.name(object)))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("container " + container.get("name")
                                + " reads ConfigMap " + configMap + ", which the manifests do not have"))
                        .getAsJsonObject("data");
                data.entrySet().forEach(entry -> environment.put(entry.getKey(), entry.getValue().getAsString()));
            }
        }
        if (container.has("env")) {
            for (JsonElement variable : container.getAsJsonArray("env")) {
                JsonObject env = variable.getAsJsonObject();
                if (env.has("value")) {
                    environment.put(env.get("name").getAsString(), env.get("value").getAsString());
                }
            }
        }
        Map<String, String> keys = new HashMap<>();
        // Environment variables name a key in upper case with "_" for "." and "_dash_" for "-"
        // (SHALLOWSERVE_GRPC_PORT, SHALLOWSERVE_READINESS_CPU_dash_FALLBACK).
        for (String key : KEYS) {
            String variable = key.toUpperCase(Locale.ROOT).replace('.', '_').replace("-", "_dash_");
            if (environment.containsKey(variable)) {
                keys.put(key, environment.get(variable));
            }
        }
        if (container.has("args")) {
            List<JsonElement> args = container.getAsJsonArray("args").asList();
            Map<String, String> flags = Map.of("--port", "server.port", "--grpc-port", "shallowserve.grpc.port",
                    "--models", "shallowserve.models", "--device", "shallowserve.device");
            for (int i = 0; i + 1 < args.size(); i++) {
                String key = flags.get(args.get(i).getAsString());
                if (key != null) {
                    keys.put(key, args.get(i + 1).getAsString());
                }
            }
        }
        return with(keys, source + ", then container " + container.get("name").getAsString());
    }

    /**
     * This configuration with {@code keys} set, which came from {@code newSource}.
     *
     * @throws IllegalArgumentException if a port is not one a container can declare (1 to 65535; 0, a free port, is
     *                                  for tests), or both protocols are given the same port (they are two servers)
     */
    private ServerConfiguration with(Map<String, String> keys, String newSource) {
        int newPort = port(keys, "server.port", port, newSource);
        int newGrpcPort = port(keys, "shallowserve.grpc.port", grpcPort, newSource);
        if (newPort == newGrpcPort) {
            throw new IllegalArgumentException("server.port and shallowserve.grpc.port are both " + newPort + " in "
                    + newSource + "; HTTP and gRPC are two servers, each on a port of its own");
        }
        return new ServerConfiguration(
                newPort,
                newGrpcPort,
                keys.getOrDefault("shallowserve.models", models),
                keys.getOrDefault("shallowserve.device", device),
                keys.containsKey("server.shutdown-grace-period")
                        ? Duration.parse(keys.get("server.shutdown-grace-period")) : shutdownGracePeriod,
                keys.getOrDefault("shallowserve.readiness.models", readinessModels),
                keys.containsKey("shallowserve.readiness.cpu-fallback")
                        ? Boolean.parseBoolean(keys.get("shallowserve.readiness.cpu-fallback")) : cpuFallback,
                keys.containsKey("shallowserve.grpc.max-connection-age")
                        ? Duration.parse(keys.get("shallowserve.grpc.max-connection-age")) : grpcMaxConnectionAge,
                keys.containsKey("shallowserve.repository.load-api")
                        ? Boolean.parseBoolean(keys.get("shallowserve.repository.load-api")) : loadApi,
                newSource);
    }

    private static int port(Map<String, String> keys, String key, int otherwise, String source) {
        if (!keys.containsKey(key)) {
            return otherwise;
        }
        int port;
        try {
            port = Integer.parseInt(keys.get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + keys.get(key) + "' in " + source
                    + "; these checks need a number there", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(key + " is " + port + " in " + source + "; a container declares"
                    + " ports 1 to 65535");
        }
        return port;
    }

    /** The leaves of a YAML tree as dotted keys (server.port = 8000). */
    private static void flatten(JsonObject node, String prefix, Map<String, String> keys) {
        for (Map.Entry<String, JsonElement> entry : node.entrySet()) {
            String key = prefix + entry.getKey();
            if (entry.getValue().isJsonObject()) {
                flatten(entry.getValue().getAsJsonObject(), key + ".", keys);
            } else if (entry.getValue().isJsonPrimitive()) {
                keys.put(key, entry.getValue().getAsString());
            }
        }
    }
}
