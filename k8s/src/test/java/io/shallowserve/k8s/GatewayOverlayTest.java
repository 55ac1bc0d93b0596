package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The gateway overlay's GRPCRoute (Gateway API) against the Services of the cpu overlay and the server's gRPC API. */
class GatewayOverlayTest {

    /** The protocol's .proto, which names the package and the service. */
    private static final Path PROTO = Path.of("../proto/src/main/proto/grpc_service.proto");
    /** grpc-java's standard health service, which the server offers beside the protocol's. */
    private static final String HEALTH = "grpc.health.v1.Health";

    @Test
    void grpcRoute_isAValidGrpcRouteToTheGrpcPortOfTheServiceShallowserve() {
        JsonObject route = Manifests.render("overlays/gateway").one("GRPCRoute");
        Manifests cpu = Manifests.render("overlays/cpu");
        JsonObject service = cpu.named("Service", "shallowserve");
        ServerConfiguration server = cpu.serverConfiguration();

        assertThatCode(() -> CustomResources.validate(route)).doesNotThrowAnyException();
        List<JsonElement> rules = route.getAsJsonObject("spec").getAsJsonArray("rules").asList();
        assertThat(rules).isNotEmpty();
        for (JsonElement rule : rules) {
            for (JsonElement backend : rule.getAsJsonObject().getAsJsonArray("backendRefs")) {
                JsonObject reference = backend.getAsJsonObject();
                assertThat(reference.get("name").getAsString()).as("backend Service")
                        .isEqualTo(KubernetesApiTypes.name(service));
                // The Service's port of that number must reach the server's gRPC port.
                JsonObject port = service.getAsJsonObject("spec").getAsJsonArray("ports").asList().stream()
                        .map(JsonElement::getAsJsonObject)
                        .filter(candidate -> candidate.get("port").getAsInt() == reference.get("port").getAsInt())
                        .findFirst().orElseThrow(() -> new AssertionError("Service shallowserve has no port "
                                + reference.get("port")));
                assertThat(Manifests.containerPort(cpu.serverContainer(), port.get("targetPort")))
                        .as("the backend port reaches the server's gRPC port (%s)", server.source())
                        .isEqualTo(server.grpcPort());
            }
        }
    }

    @Test
    void grpcRoute_matchesTheServicesTheServerOffers() throws IOException {
        JsonObject route = Manifests.render("overlays/gateway").one("GRPCRoute");
        List<String> matched = new ArrayList<>();
        for (JsonElement rule : route.getAsJsonObject("spec").getAsJsonArray("rules")) {
            for (JsonElement match : rule.getAsJsonObject().getAsJsonArray("matches")) {
                matched.add(Manifests.at(match.getAsJsonObject(), "method", "service").getAsString());
            }
        }

        assertThat(matched).containsExactlyInAnyOrder(protocolService(), HEALTH);
    }

    /** package.Service of the protocol's .proto. */
    private static String protocolService() throws IOException {
        String proto = Files.readString(PROTO);
        Matcher packageName = Pattern.compile("(?m)^package\\s+([\\w.]+);").matcher(proto);
        Matcher service = Pattern.compile("(?m)^service\\s+(\\w+)").matcher(proto);
        assertThat(packageName.find() && service.find()).as("%s declares a package and a service", PROTO).isTrue();
        return packageName.group(1) + "." + service.group(1);
    }
}
