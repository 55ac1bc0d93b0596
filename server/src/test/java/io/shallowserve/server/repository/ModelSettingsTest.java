package io.shallowserve.server.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version policies and the per-model serving.yaml. */
class ModelSettingsTest {

    private static final ModelSettings DEFAULTS = new ModelSettings(2, ModelSettings.Batching.OFF,
            VersionPolicy.ALL);

    @TempDir
    Path model;

    @Test
    void versionPolicy_parse_readsTheThreeForms() {
        assertThat(VersionPolicy.parse("all")).isEqualTo(VersionPolicy.ALL);
        assertThat(VersionPolicy.parse(" Latest:2 ").toString()).isEqualTo("latest:2");
        assertThat(VersionPolicy.parse("specific:3, 1").toString()).isEqualTo("specific:1,3");
        for (String wrong : List.of("newest", "latest:0", "latest:x", "specific:", "specific:0")) {
            assertThatIllegalArgumentException().as(wrong).isThrownBy(() -> VersionPolicy.parse(wrong))
                    .withMessageContaining("version-policy");
        }
    }

    @Test
    void versionPolicy_candidates_areNewestFirstAndOnlyTheListedOnes() {
        List<Integer> onDisk = List.of(1, 2, 3, 5);

        assertThat(VersionPolicy.ALL.candidates(onDisk)).containsExactly(5, 3, 2, 1);
        assertThat(VersionPolicy.parse("latest:2").candidates(onDisk)).containsExactly(5, 3, 2, 1);
        assertThat(VersionPolicy.parse("latest:2").wanted()).isEqualTo(2);
        assertThat(VersionPolicy.parse("specific:1,4,5").candidates(onDisk)).containsExactly(5, 1);
    }

    @Test
    void forModel_withoutServingYaml_isTheDefaults() throws Exception {
        assertThat(ModelSettings.forModel(model, DEFAULTS)).isSameAs(DEFAULTS);
    }

    @Test
    void forModel_servingYaml_overridesOnlyItsKeys() throws Exception {
        Files.writeString(model.resolve(ModelRepository.SETTINGS_FILE), """
                batching:
                  enabled: true
                  preferred-batch-sizes: [4, 8]
                version-policy: specific:2
                """);

        ModelSettings settings = ModelSettings.forModel(model, DEFAULTS);

        assertThat(settings).isEqualTo(new ModelSettings(2, new ModelSettings.Batching(true, 0, List.of(4, 8)),
                VersionPolicy.parse("specific:2")));
    }

    @Test
    void forModel_wrongValues_nameTheFileAndTheKey() throws Exception {
        Path file = model.resolve(ModelRepository.SETTINGS_FILE);
        for (String wrong : List.of("instances: many", "instances: 100000", "batching:\n  max-queue-delay-micros: -1",
                "batching:\n  preferred-batch-sizes: 4,x", "version-policy: newest", "instances: [")) {
            Files.writeString(file, wrong);
            assertThatThrownBy(() -> ModelSettings.forModel(model, DEFAULTS)).as(wrong)
                    .isInstanceOf(ModelVersionException.class)
                    .hasMessageStartingWith(model.getFileName() + "/serving.yaml: ")
                    .hasMessageContaining("load the model again");
        }
    }
}
