package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The container builds cannot run here (no Docker engine); these read the Dockerfiles for what the manifests rely on.
 * ImageLayoutIT assembles the images as their COPY lines say and runs them.
 */
class DockerfileTest {

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void dockerfile_pinsEveryBaseImage(String dockerfile) throws IOException {
        List<String> lines = lines(dockerfile);
        List<String> stages = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("FROM ")) {
                String[] words = line.split("\\s+");
                // "FROM build" refers to an earlier stage, not an image.
                if (!stages.contains(words[1])) {
                    assertThat(ImageReference.parse(words[1]).pinned()).as("%s: %s", dockerfile, line).isTrue();
                }
                if (words.length == 4 && words[2].equalsIgnoreCase("AS")) {
                    stages.add(words[3]);
                }
            }
        }
        assertThat(stages).as("%s: its stages", dockerfile).contains("build", "server");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void dockerfile_runsTheServerJarAsANumericNonRootUserOnTheServersPorts(String dockerfile) throws IOException {
        List<String> server = lines(dockerfile);
        // The last stage is the image `docker build` makes.
        for (int i = server.size() - 1; i >= 0; i--) {
            if (server.get(i).startsWith("FROM ")) {
                server = server.subList(i, server.size());
                break;
            }
        }
        ServerConfiguration configuration = ServerConfiguration.ofServer();

        assertThat(server).as("%s: the server stage", dockerfile)
                .contains("EXPOSE " + configuration.port() + " " + configuration.grpcPort())
                .anyMatch(line -> line.matches("USER [1-9][0-9]*:[0-9]+"))
                .anyMatch(line -> line.startsWith("ENTRYPOINT [\"java\"") && line.contains("\"-jar\", \"/app/shallowserve-server.jar\"]"))
                .contains("ENV SHALLOWSERVE_MODELS=/models");
    }

    private static List<String> lines(String dockerfile) throws IOException {
        return Files.readAllLines(Manifests.K8S.resolveSibling(dockerfile)).stream().map(String::strip).toList();
    }
}
