package io.shallowserve.server.protocol;

import java.util.List;

/**
 * What both protocols report as the server metadata: name, version and the protocol extensions implemented.
 */
public record ServerMetadata(String name, String version, List<String> extensions) {

    /** This server: its version from the jar manifest, "development" when run from classes. */
    public static ServerMetadata current() {
        String version = ServerMetadata.class.getPackage().getImplementationVersion();
        return new ServerMetadata(
                "shallowserve",
                version == null ? "development" : version,
                List.of("binary_tensor_data", "classification", "model_configuration", "model_repository",
                        "statistics"));
    }
}
