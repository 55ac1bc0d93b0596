package io.shallowserve.runtime.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {

    @TempDir
    Path root;

    @Test
    void versionFolders_findsTheCommittedModels() {
        assertThat(ModelRepository.versionFolders(TestRepository.COMMITTED))
                .extracting(ModelRepository.VersionFolder::name, ModelRepository.VersionFolder::version)
                .contains(tuple(TestRepository.DEEP, 1),
                        tuple(TestRepository.SHALLOW, 1));
    }

    @Test
    void verify_committedModelsPassEveryCheck() throws Exception {
        ModelVersion deep = TestRepository.verified(TestRepository.DEEP);
        ModelVersion shallow = TestRepository.verified(TestRepository.SHALLOW);

        assertThat(deep.manifest().shallow()).isFalse();
        assertThat(shallow.manifest().shallow()).isTrue();
        assertThat(shallow.manifest().branches().branches()).isNotEmpty();
        assertThat(deep.classes()).isEqualTo(10);
        assertThat(deep.imageSize()).isEqualTo(28 * 28);
        assertThat(deep.manifest().parameters()).isEqualTo(shallow.manifest().parameters());
    }

    @Test
    void verify_changedGraphFile_namesFileFromTheRepositoryRootAndBothChecksums() throws Exception {
        Path version = TestRepository.copy(TestRepository.DEEP, root, 1);
        Files.write(version.resolve("model.onnx"), new byte[] {0}, StandardOpenOption.APPEND);

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.DEEP, version)))
                .isInstanceOf(ModelVersionException.class)
                .hasMessageStartingWith(TestRepository.DEEP + "/1/model.onnx: sha256 is")
                .hasMessageNotContaining(root.toAbsolutePath().toString())
                .hasMessageContaining("but model.json lists")
                .hasMessageContaining("restore it or re-export");
    }

    @Test
    void verify_missingBranchFile_namesTheFile() throws Exception {
        Path version = TestRepository.copy(TestRepository.SHALLOW, root, 1);
        Files.delete(version.resolve("branches/branch-2.onnx"));

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.SHALLOW, version)))
                .isInstanceOf(ModelVersionException.class)
                .hasMessageContaining("branch-2.onnx is missing");
    }

    @Test
    void verify_unlistedBranchFile_saysItIsNotListed() throws Exception {
        Path version = TestRepository.copy(TestRepository.SHALLOW, root, 1);
        TestRepository.editManifest(version, json -> json.getAsJsonObject("files").remove("branches/head.onnx"));

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.SHALLOW, version)))
                .hasMessageContaining("branches/head.onnx is not listed in files");
    }

    @Test
    void verify_tatManifestWithSlope_passes() throws Exception {
        Path version = TestRepository.copy(TestRepository.DEEP, root, 1);
        TestRepository.editManifest(version, json -> {
            json.addProperty("shape", "tat");
            json.getAsJsonObject("architecture").addProperty("leakyReluSlope", 0.0235f);
        });

        ModelVersion tat = (ModelVersion) ModelRepository.verify(folder(TestRepository.DEEP, version));

        assertThat(tat.manifest().shape()).isEqualTo(ModelManifest.TAT);
        assertThat(tat.manifest().shallow()).isFalse();
        assertThat(tat.manifest().architecture().leakyReluSlope()).isEqualTo(0.0235f);
    }

    @Test
    void verify_tatManifestWithoutSlope_saysItIsNeeded() throws Exception {
        Path version = TestRepository.copy(TestRepository.DEEP, root, 1);
        TestRepository.editManifest(version, json -> json.addProperty("shape", "tat"));

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.DEEP, version)))
                .hasMessageContaining("a tat model needs architecture.leakyReluSlope, its activation's slope in"
                        + " [0, 1], found none");
    }

    @Test
    void verify_parnetManifestWithAStreamPerBranch_passes() throws Exception {
        // The committed shallow model's 8 branch graphs stand for 8 streams of one unit: what is checked is the
        // manifest, not what the graphs compute.
        Path version = TestRepository.copy(TestRepository.SHALLOW, root, 1);
        TestRepository.editManifest(version, json -> {
            json.addProperty("shape", "parnet");
            json.getAsJsonObject("architecture").addProperty("streams", 8);
        });

        ModelVersion parnet = (ModelVersion) ModelRepository.verify(folder(TestRepository.SHALLOW, version));

        assertThat(parnet.manifest().shape()).isEqualTo(ModelManifest.PARNET);
        assertThat(parnet.manifest().hasBranches()).isTrue();
        assertThat(parnet.manifest().shallow()).isFalse();
        assertThat(parnet.manifest().architecture().streams()).isEqualTo(8);
    }

    @Test
    void verify_parnetManifestWithoutFittingStreams_saysWhatIsWrong() throws Exception {
        Path version = TestRepository.copy(TestRepository.SHALLOW, root, 1);
        TestRepository.editManifest(version, json -> json.addProperty("shape", "parnet"));
        Path uneven = TestRepository.copy(TestRepository.SHALLOW, root, 2);
        TestRepository.editManifest(uneven, json -> {
            json.addProperty("shape", "parnet");
            json.getAsJsonObject("architecture").addProperty("streams", 3);
        });
        Path fewer = TestRepository.copy(TestRepository.SHALLOW, root, 3);
        TestRepository.editManifest(fewer, json -> {
            json.addProperty("shape", "parnet");
            json.getAsJsonObject("architecture").addProperty("streams", 4);
        });
        Path noBranches = TestRepository.copy(TestRepository.DEEP, root, 1);
        TestRepository.editManifest(noBranches, json -> {
            json.addProperty("shape", "parnet");
            json.getAsJsonObject("architecture").addProperty("streams", 2);
        });

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.SHALLOW, version)))
                .hasMessageContaining("a parnet model needs architecture.streams, at least 2 and dividing its 8 units,"
                        + " found none");
        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.SHALLOW, uneven)))
                .hasMessageContaining("dividing its 8 units, found 3");
        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.SHALLOW, fewer)))
                .hasMessageContaining("a parnet model has a branch graph per stream: architecture.streams is 4,"
                        + " branches.branches lists 8");
        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.DEEP, noBranches)))
                .hasMessageContaining("a parnet model needs branches {stem, branches: [..], head");
    }

    @Test
    void verify_unknownShape_namesEveryShape() throws Exception {
        Path version = TestRepository.copy(TestRepository.DEEP, root, 1);
        TestRepository.editManifest(version, json -> json.addProperty("shape", "wide"));

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.DEEP, version)))
                .hasMessageContaining("shape is \"wide\", expected one of \"deep\", \"shallow\", \"tat\","
                        + " \"parnet\"");
    }

    @Test
    void verify_invalidJson_saysSo() throws Exception {
        Path version = TestRepository.copy(TestRepository.DEEP, root, 1);
        Files.writeString(version.resolve("model.json"), "{\"format\": \"shallowserve-model/1\", \"name\": ");

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.DEEP, version)))
                .hasMessageContaining("is not a valid model.json");
    }

    @Test
    void verify_otherFormatTag_namesBothTags() throws Exception {
        Path version = TestRepository.copy(TestRepository.DEEP, root, 1);
        TestRepository.editManifest(version, json -> json.addProperty("format", "shallowserve-model/2"));

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.DEEP, version)))
                .hasMessageContaining("format is \"shallowserve-model/2\", this server reads \"shallowserve-model/1\"");
    }

    @Test
    void verify_missingFields_listsEveryProblem() throws Exception {
        Path version = TestRepository.copy(TestRepository.DEEP, root, 1);
        TestRepository.editManifest(version, json -> {
            json.remove("labels");
            json.remove("input");
        });

        assertThatThrownBy(() -> ModelRepository.verify(folder(TestRepository.DEEP, version)))
                .hasMessageContaining("input is missing")
                .hasMessageContaining("labels must name all 10 classes, found none");
    }

    @Test
    void verify_manifestOfAnotherVersion_namesBothVersions() throws Exception {
        Path version = TestRepository.copy(TestRepository.DEEP, root, 1);
        Path moved = Files.move(version, version.resolveSibling("3"));

        assertThatThrownBy(() -> ModelRepository.verify(new ModelRepository.VersionFolder(TestRepository.DEEP, 3,
                moved))).hasMessageContaining("version is 1 but the version folder is \"3\"");
    }

    @Test
    void verify_emptyFolder_saysModelOnnxIsMissing() throws Exception {
        Path version = Files.createDirectories(root.resolve("empty/1"));

        assertThatThrownBy(() -> ModelRepository.verify(folder("empty", version)))
                .hasMessage("empty/1 has no model.onnx: a version folder holds the ONNX graph as model.onnx (and, if"
                        + " the trainer wrote it, its model.json)");
    }

    @Test
    void verify_graphWithoutManifest_isAGraphVersionThatChangesWithTheGraph() throws Exception {
        Path version = Files.createDirectories(root.resolve("bare/1"));
        Path graph = Files.copy(TestRepository.committed(TestRepository.DEEP).directory()
                .resolve(ModelManifest.MODEL_FILE), version.resolve(ModelManifest.MODEL_FILE));

        ServableVersion verified = ModelRepository.verify(folder("bare", version));

        assertThat(verified).isEqualTo(new GraphVersion("bare", 1, version, ModelRepository.identity(version)));
        String fingerprint = ModelRepository.fingerprint(root, "bare");
        Files.write(graph, new byte[] {1}, StandardOpenOption.APPEND);
        assertThat(ModelRepository.identity(version)).isNotEqualTo(verified.identity());
        assertThat(ModelRepository.fingerprint(root, "bare")).isNotEqualTo(fingerprint);
    }

    @Test
    void verifyPath_graphWithoutManifest_saysTheResearchCommandsNeedIt() throws Exception {
        Path version = Files.createDirectories(root.resolve("bare/1"));
        Files.copy(TestRepository.committed(TestRepository.DEEP).directory().resolve(ModelManifest.MODEL_FILE),
                version.resolve(ModelManifest.MODEL_FILE));

        assertThatThrownBy(() -> ModelRepository.verify(version)).hasMessageContaining("model.json is missing");
    }

    @Test
    void versionFolders_skipsFoldersThatAreNotVersions() throws IOException {
        Files.createDirectories(root.resolve("m/1"));
        Files.createDirectories(root.resolve("m/latest"));
        Files.createDirectories(root.resolve("m/0"));

        assertThat(ModelRepository.versionFolders(root)).extracting(ModelRepository.VersionFolder::version)
                .containsExactly(1);
    }

    @Test
    void versionFolders_missingRepository_isRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> ModelRepository.versionFolders(root.resolve("nope")))
                .withMessageContaining("is not a directory");
    }

    private static ModelRepository.VersionFolder folder(String model, Path version) {
        return new ModelRepository.VersionFolder(model, Integer.parseInt(version.getFileName().toString()), version);
    }

    @Test
    void nameProblem_folderNames_oneRuleForFoldersAndClients() {
        for (String name : new String[] {"fashion-deep", "a", "model_2.onnx", "_x", "9", "a".repeat(128)}) {
            assertThat(ModelRepository.nameProblem(name)).as(name).isEmpty();
        }
        for (String name : new String[] {"my model", ".hidden", "..", "-v", "a/b", "", "ü", "a".repeat(129)}) {
            assertThat(ModelRepository.nameProblem(name)).as(name).hasValueSatisfying(problem -> assertThat(problem)
                    .startsWith("\"" + name + "\" is not a model name").endsWith("rename the folder"));
        }
    }

    @Test
    void versionNumber_positiveIntegersOfAtMostNineDigits() {
        assertThat(ModelRepository.versionNumber("1")).isEqualTo(1);
        assertThat(ModelRepository.versionNumber("007")).isEqualTo(7);
        assertThat(ModelRepository.versionNumber("999999999")).isEqualTo(999_999_999);
        for (String folder : new String[] {"0", "-1", "1.0", "v1", "", "1234567890", " 1"}) {
            assertThat(ModelRepository.versionNumber(folder)).as(folder).isLessThan(1);
        }
    }

    @Test
    void verify_versionFolderPath_takesNameAndVersionFromTheFolders() throws Exception {
        ModelVersion version = ModelRepository.verify(TestRepository.COMMITTED.resolve(TestRepository.DEEP)
                .resolve("1"));

        assertThat(version.id()).isEqualTo(TestRepository.DEEP + "/1");
        assertThatThrownBy(() -> ModelRepository.verify(TestRepository.COMMITTED))
                .isInstanceOf(ModelVersionException.class).hasMessageContaining("is not a version folder");
    }

    @Test
    void delete_folderTree_removesItAndIgnoresWhatIsGone() throws IOException {
        Path folder = Files.createDirectories(root.resolve("m").resolve("1").resolve("branches"));
        Files.writeString(folder.resolve("stem.onnx"), "x");

        ModelRepository.delete(root.resolve("m"));
        ModelRepository.delete(root.resolve("m"));

        assertThat(root.resolve("m")).doesNotExist();
    }
}
