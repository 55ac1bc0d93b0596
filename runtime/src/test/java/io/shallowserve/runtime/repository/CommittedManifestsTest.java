package io.shallowserve.runtime.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden test of the format: every model.json committed in this repository reads into {@link ModelManifest} and
 * writes back byte for byte (so no field is lost or renamed), and every graph it lists has its recorded sha256. That
 * the models also reach their recorded accuracy is ExecutionPlanTest's.
 */
class CommittedManifestsTest {

    /** Where the project commits model folders: the default models, and research results that keep theirs. */
    private static final List<Path> COMMITTED = List.of(Path.of("..", "models"), Path.of("..", "research"));

    static List<Path> committedManifests() throws Exception {
        List<Path> manifests = new ArrayList<>();
        for (Path folder : COMMITTED) {
            try (Stream<Path> files = Files.find(folder, 6,
                    (file, attributes) -> file.getFileName().toString().equals(ModelManifest.FILE_NAME))) {
                files.sorted().forEach(manifests::add);
            }
        }
        assertThat(manifests).as("model.json files under " + COMMITTED).hasSizeGreaterThanOrEqualTo(2);
        return manifests;
    }

    @ParameterizedTest
    @MethodSource("committedManifests")
    void toJson_committedManifest_writesTheSameBytesBack(Path manifestFile) throws Exception {
        String committed = Files.readString(manifestFile);

        assertThat(ModelManifest.fromJson(committed).toJson()).isEqualTo(committed);
    }

    @ParameterizedTest
    @MethodSource("committedManifests")
    void verify_committedVersion_everyGraphHasItsRecordedSha256(Path manifestFile) throws Exception {
        ModelVersion version = ModelRepository.verify(manifestFile.getParent());

        assertThat(version.manifest().files()).isNotEmpty();
        for (Map.Entry<String, String> file : version.manifest().files().entrySet()) {
            assertThat(Sha256.ofFile(version.file(file.getKey()))).as(file.getKey()).isEqualTo(file.getValue());
        }
    }
}
