package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Dockerfile reader and image assembly that ImageLayoutIT relies on, on a small build context of their own. */
class ContainerImageTest {

    private static final String BUILD_STAGE = """
            # syntax=docker/dockerfile:1
            FROM eclipse-temurin:25-jdk-noble AS build
            WORKDIR /src
            COPY . .
            RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -P fast \\
                package
            """;

    @TempDir
    Path context;
    @TempDir
    Path into;

    @BeforeEach
    void writeContext() throws IOException {
        write(".dockerignore", "# build outputs\n**/target\nsecret\n");
        write("app/a.txt", "a");
        write("app/target/stale.class", "stale");
        write("secret", "s");
        // What the Maven build leaves in the sources; .dockerignore keeps the context's own copy out.
        write("out/target/app.jar", "jar");
    }

    @Test
    void assemble_copiesAsCopyDoesAndTakesEnvironmentUserAndEntrypoint() {
        ContainerImage image = assemble(BUILD_STAGE + """
                FROM eclipse-temurin:25-jre-noble
                WORKDIR /srv
                COPY --from=build /src/out/target/app.jar lib/
                COPY app/ /data/
                ENV A=1 B="two words" C='$A'
                ENV PATH=/extra:$PATH D=${A}2
                USER 10001
                ENTRYPOINT ["java", "-jar", "lib/app.jar"]
                """);

        assertThat(image.file("/srv/lib/app.jar")).hasContent("jar");
        assertThat(image.file("/data/a.txt")).hasContent("a");
        assertThat(image.file("/data/target")).as("left out by .dockerignore").doesNotExist();
        assertThat(image.env()).containsEntry("A", "1").containsEntry("B", "two words").containsEntry("C", "$A")
                .containsEntry("D", "12").containsEntry("JAVA_HOME", "/opt/java/openjdk");
        assertThat(image.env().get("PATH")).startsWith("/extra:/opt/java/openjdk/bin:");
        assertThat(image.workdir()).isEqualTo("/srv");
        assertThat(List.of(image.uid(), image.gid())).containsExactly(10001, 0);
        assertThat(image.entrypoint()).containsExactly("java", "-jar", "lib/app.jar");
        assertThat(image.executable()).isEqualTo("/opt/java/openjdk/bin/java");
        assertThat(image.file("/opt/java/openjdk/bin/java")).as("the JDK stands in for the Temurin image's")
                .isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java"));
        assertThat(image.standIns()).singleElement().asString().contains("profile fast");
        assertThat(image.mounts()).containsEntry("/srv", into.resolve("srv")).containsEntry("/usr", Path.of("/usr"))
                .containsKey("/opt/java/openjdk");
    }

    @Test
    void assemble_buildsTheNamedStage() {
        ContainerImage image = assemble(BUILD_STAGE + """
                FROM busybox:1.37 AS files
                COPY app /files
                FROM eclipse-temurin:25-jre-noble
                ENTRYPOINT ["java"]
                """, "files");

        assertThat(image.file("/files/a.txt")).hasContent("a");
        assertThat(into.resolve("opt")).doesNotExist();
    }

    @Test
    void assemble_refusesToCopyWhatTheBuildDidNotMake() {
        assertThatThrownBy(() -> assemble(BUILD_STAGE + """
                FROM eclipse-temurin:25-jre-noble
                COPY --from=build /src/out/target/missing.jar /app/
                """)).hasMessageContaining("Dockerfile:8: COPY --from: the stage has no /src/out/target/missing.jar");
    }

    @Test
    void assemble_refusesWhatTheDockerignoreLeavesOut() {
        assertThatThrownBy(() -> assemble(BUILD_STAGE + "FROM busybox:1.37\nCOPY secret /\n"))
                .hasMessageContaining("COPY secret: not in the build context");
    }

    @Test
    void assemble_refusesABaseImageWithoutAStandIn() {
        assertThatThrownBy(() -> assemble("FROM ubuntu:24.04\n")).hasMessageContaining("no stand-in for the base"
                + " image ubuntu:24.04");
    }

    @Test
    void assemble_refusesARunOtherThanTheMavenBuild() {
        assertThatThrownBy(() -> assemble("FROM busybox:1.37\nRUN touch /x\n"))
                .hasMessageContaining("only for the Maven wrapper's package build");
    }

    @Test
    void assemble_refusesTheShellFormOfEntrypoint() {
        assertThatThrownBy(() -> assemble("FROM busybox:1.37\nENTRYPOINT java -jar app.jar\n"))
                .hasMessageContaining("only the exec form");
    }

    @Test
    void read_refusesAnInstructionItDoesNotImplement() {
        assertThatThrownBy(() -> Dockerfile.parse(List.of("FROM busybox:1.37", "ADD app.tar /"), Path.of("Dockerfile")))
                .hasMessageContaining("Dockerfile:2: ADD is an instruction these checks do not implement");
    }

    @Test
    void read_joinsContinuedLinesAndKeepsTheirFirstLineNumber() {
        Dockerfile dockerfile = Dockerfile.parse(BUILD_STAGE.lines().toList(), Path.of("Dockerfile"));

        assertThat(dockerfile.stages()).singleElement().extracting(Dockerfile.Stage::name).isEqualTo("build");
        assertThat(dockerfile.last().instructions().getLast())
                .isEqualTo(new Dockerfile.Instruction("RUN", "--mount=type=cache,target=/root/.m2 ./mvnw -B -P fast"
                        + "  package", 5));
    }

    @Test
    void dockerignore_leavesOutMatchesAtAnyDepthAndAllTheyHold() {
        var ignored = ContainerImage.dockerignore(context);

        assertThat(ignored.test(context.resolve("out/target/app.jar"))).isTrue();
        assertThat(ignored.test(context.resolve("target/x"))).as("**/ matches at the top too").isTrue();
        assertThat(ignored.test(context.resolve("secret"))).isTrue();
        assertThat(ignored.test(context.resolve("app/a.txt"))).isFalse();
        assertThat(ignored.test(context.resolve("app/secret"))).as("a pattern without **/ is anchored").isFalse();
    }

    @Test
    void words_substitutesVariablesOutsideSingleQuotes() {
        Map<String, String> env = Map.of("HOME", "/root");

        assertThat(ContainerImage.words("a\\ b \"$HOME/x\" '${HOME}' ${HOME}y $UNSET.", env, "here"))
                .containsExactly("a b", "/root/x", "${HOME}", "/rooty", ".");
        assertThatThrownBy(() -> ContainerImage.words("${HOME:-/}", env, "here"))
                .hasMessageContaining("only $NAME and ${NAME}");
    }

    private ContainerImage assemble(String dockerfile) {
        return assemble(dockerfile, null);
    }

    private ContainerImage assemble(String dockerfile, String stage) {
        return ContainerImage.assemble(Dockerfile.parse(dockerfile.lines().toList(), Path.of("Dockerfile")), stage,
                context, into);
    }

    private void write(String file, String text) throws IOException {
        Path path = context.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }
}
