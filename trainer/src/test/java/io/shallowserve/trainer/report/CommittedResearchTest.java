package io.shallowserve.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.shallowserve.trainer.sweep.SweepGrid;
import io.shallowserve.trainer.sweep.SweepResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Committed results match the code: every results folder under research/ holds the report this code makes from its
 * rows, and a folder named after a preset grid holds rows made with that preset's settings.
 */
class CommittedResearchTest {

    private static final Path RESEARCH = Path.of("..", "research");

    @Test
    void committedResults_reportIsWhatTheCodeMakesFromTheRows() throws Exception {
        List<Path> folders = resultsFolders();
        assumeFalse(folders.isEmpty(), "no sweep results committed under research/ yet");
        for (Path folder : folders) {
            for (Map.Entry<String, String> file : ResearchReport.render(folder).entrySet()) {
                assertThat(folder.resolve(file.getKey()))
                        .as("regenerate with: bin/trainer report --results research/" + folder.getFileName())
                        .hasContent(file.getValue());
            }
        }
    }

    @Test
    void committedResults_presetFolderHoldsThePresetsSettings() throws Exception {
        List<Path> folders = resultsFolders();
        assumeFalse(folders.isEmpty(), "no sweep results committed under research/ yet");
        for (Path folder : folders) {
            String name = folder.getFileName().toString();
            if (name.endsWith("-grid")) {
                String preset = name.substring(0, name.length() - "-grid".length());
                assertThat(SweepResults.read(folder).description().settings()).as(folder.toString())
                        .isEqualTo(SweepGrid.preset(preset).settings());
            }
        }
    }

    private static List<Path> resultsFolders() throws Exception {
        if (!Files.isDirectory(RESEARCH)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(RESEARCH)) {
            return children.filter(child -> Files.exists(child.resolve(SweepResults.DESCRIPTION_FILE))).sorted()
                    .toList();
        }
    }
}
