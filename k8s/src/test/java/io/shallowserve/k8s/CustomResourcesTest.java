package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

class CustomResourcesTest {

    private static final String RUNTIME = """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata:
              name: runtime
            spec:
              supportedModelFormats:
                - name: onnx
                  autoSelect: true
              containers:
                - name: kserve-container
                  image: server:1.0
            """;

    private static final String SERVICE = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: service
            spec:
              predictor:
                minReplicas: 1
                tolerations:
                  - key: nvidia.com/gpu
                    operator: Exists
                model:
                  modelFormat:
                    name: onnx
                  storageUri: pvc://claim/models
                  resources:
                    limits:
                      cpu: "1"
            """;

    @Test
    void validate_acceptsKServesFieldsAndTheKubernetesTypesTheyEmbed() {
        assertThatCode(() -> CustomResources.validate(parse(RUNTIME))).doesNotThrowAnyException();
        assertThatCode(() -> CustomResources.validate(parse(SERVICE))).doesNotThrowAnyException();
    }

    @Test
    void validate_rejectsAnUnknownField() {
        assertThatThrownBy(() -> CustomResources.validate(parse(RUNTIME.replace("  containers:", "  containerz: []\n"
                + "  containers:")))).hasMessageContaining("ServingRuntime runtime spec: unknown field containerz");
    }

    @Test
    void validate_rejectsAValueOfTheWrongKind() {
        assertThatThrownBy(() -> CustomResources.validate(parse(RUNTIME.replace("autoSelect: true",
                "autoSelect: \"yes\"")))).hasMessageContaining("supportedModelFormats[0].autoSelect is \"yes\", not a"
                + " boolean");
    }

    @Test
    void validate_rejectsAMissingRequiredField() {
        assertThatThrownBy(() -> CustomResources.validate(parse(SERVICE.replace("""
                      modelFormat:
                        name: onnx
                """, "")))).hasMessageContaining("predictor.model has no modelFormat");
    }

    @Test
    void validate_checksWhatIsInlineAsItsKubernetesType() {
        // The model's container fields are a core/v1 Container's; the predictor's pod fields a PodSpec's.
        assertThatThrownBy(() -> CustomResources.validate(parse(SERVICE.replace("resources:", "resourcez:"))))
                .hasMessageContaining("predictor.model (inline V1Container)");
        assertThatThrownBy(() -> CustomResources.validate(parse(SERVICE.replace("tolerations:", "toleration:"))))
                .hasMessageContaining("predictor (inline V1PodSpec)");
        assertThatThrownBy(() -> CustomResources.validate(parse(RUNTIME.replace("image: server:1.0",
                "image: server:1.0\n      ports: 8000")))).hasMessageContaining("V1Container");
    }

    @Test
    void validate_rejectsAKindItDoesNotKnow() {
        assertThatThrownBy(() -> CustomResources.validate(parse(RUNTIME.replace("kind: ServingRuntime",
                "kind: ClusterServingRuntime")))).hasMessageContaining("is not a custom resource these checks know");
    }

    private static JsonObject parse(String yaml) {
        return YamlJson.parseAll(yaml, "test").getFirst().getAsJsonObject();
    }
}
