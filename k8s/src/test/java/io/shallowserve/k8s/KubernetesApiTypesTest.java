package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** The validator must catch each kind of mistake it promises to catch; the real manifests are the valid sample. */
class KubernetesApiTypesTest {

    @Test
    void validate_acceptsTheBaseDeployment() {
        assertThatCode(() -> KubernetesApiTypes.validate(deployment())).doesNotThrowAnyException();
    }

    @Test
    void validate_rejectsAnUnknownField() {
        JsonObject deployment = deployment();
        server(deployment).addProperty("imagePullPolice", "Always");

        assertThatThrownBy(() -> KubernetesApiTypes.validate(deployment))
                .hasMessageContaining("`imagePullPolice`").hasMessageContaining("V1Container");
    }

    @Test
    void validate_rejectsAMissingRequiredField() {
        JsonObject deployment = deployment();
        server(deployment).remove("name");

        assertThatThrownBy(() -> KubernetesApiTypes.validate(deployment))
                .hasMessageContaining("required field `name`");
    }

    @Test
    void validate_rejectsAPortWrittenAsAString() {
        JsonObject deployment = deployment();
        server(deployment).getAsJsonArray("ports").get(0).getAsJsonObject().addProperty("containerPort", "8000");

        assertThatThrownBy(() -> KubernetesApiTypes.validate(deployment))
                .hasMessageContaining("/ports/0/containerPort is written \"8000\"");
    }

    @Test
    void validate_rejectsANumberWhereAStringBelongs() {
        JsonObject deployment = deployment();
        server(deployment).addProperty("image", 5);

        assertThatThrownBy(() -> KubernetesApiTypes.validate(deployment))
                .hasMessageContaining("/image is written 5");
    }

    @Test
    void validate_rejectsAListWhereAnObjectBelongs() {
        JsonObject deployment = deployment();
        server(deployment).add("resources", new JsonArray());

        assertThatThrownBy(() -> KubernetesApiTypes.validate(deployment)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Deployment shallowserve");
    }

    @Test
    void validate_rejectsAKindItDoesNotKnow() {
        JsonObject deployment = deployment();
        deployment.addProperty("apiVersion", "extensions/v1beta1");

        assertThatThrownBy(() -> KubernetesApiTypes.validate(deployment))
                .hasMessageContaining("'extensions/v1beta1 Deployment' is not a Kubernetes type these tests know");
    }

    private static JsonObject deployment() {
        return Manifests.render("base").one("Deployment");
    }

    private static JsonObject server(JsonObject deployment) {
        return Manifests.at(deployment, "spec", "template", "spec").getAsJsonObject()
                .getAsJsonArray("containers").get(0).getAsJsonObject();
    }
}
