package io.shallowserve.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command-line flags, each a shorthand for one configuration key; they override application.yaml, environment
 * variables and system properties.
 */
final class CommandLine {

    static final String USAGE = """
            Usage: shallowserve [--models DIR] [--port N] [--grpc-port N] [--plan single|wide|grouped|branches|auto]
                                [--device cpu|cuda:N] [--set KEY=VALUE ...]
              --models DIR    model repository                          (shallowserve.models, default models)
              --port N        HTTP port; 0 picks a free one               (server.port, default 8000)
              --grpc-port N   gRPC port; 0 picks a free one               (shallowserve.grpc.port, default 8001)
              --plan P        execution plan of every model              (shallowserve.plan, default auto)
              --device D      ONNX Runtime device                         (shallowserve.device, default cpu)
              --set KEY=VALUE any key of application.yaml, e.g. --set shallowserve.serving.batching.enabled=true
            Any key can also be set as a system property (-Dkey=value) or an environment variable
            (SHALLOWSERVE_LIMITS_BATCH=16; a dash in a key is written _dash_).""";

    private static final Map<String, String> KEYS = Map.of(
            "--models", "shallowserve.models",
            "--port", "server.port",
            "--grpc-port", "shallowserve.grpc.port",
            "--plan", "shallowserve.plan",
            "--device", "shallowserve.device");

    private CommandLine() {
    }

    private static final String SET = "--set";

    /**
     * The configuration overrides that {@code args} ask for, as "--flag value" or "--flag=value", and
     * "--set key=value".
     *
     * @throws IllegalArgumentException for an unknown flag or a flag without a value
     */
    static Map<String, String> overrides(String... args) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value = null;
            if (flag.equals(SET)) {
                String setting = i + 1 < args.length ? args[++i] : "";
                int equals = setting.indexOf('=');
                if (equals < 1) {
                    throw new IllegalArgumentException("option --set needs KEY=VALUE, got '" + setting + "'");
                }
                overrides.put(setting.substring(0, equals), setting.substring(equals + 1));
                continue;
            }
            int equals = flag.indexOf('=');
            if (equals > 0) {
                value = flag.substring(equals + 1);
                flag = flag.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            }
            String key = KEYS.get(flag);
            if (key == null) {
                throw new IllegalArgumentException("unknown option " + flag);
            }
            if (value == null) {
                throw new IllegalArgumentException("option " + flag + " needs a value");
            }
            overrides.put(key, value);
        }
        return overrides;
    }
}
