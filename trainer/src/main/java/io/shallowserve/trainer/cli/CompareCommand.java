package io.shallowserve.trainer.cli;

import io.shallowserve.trainer.repository.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainer compare}: the table of every model.json in a repository, as recorded at training time. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Print the recorded losses and accuracies of every model in a repository side by side.")
final class CompareCommand implements Callable<Integer> {

    @Option(names = "--models", defaultValue = "models", description = "model repository (default: ${DEFAULT-VALUE})")
    Path repository;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(repository)) {
            throw new IOException(repository + " is not a folder: point --models at a model repository");
        }
        List<Path> manifests;
        try (Stream<Path> files = Files.find(repository, 3,
                (file, attributes) -> file.getFileName().toString().equals(ModelManifest.FILE_NAME))) {
            manifests = files.sorted(Comparator.naturalOrder()).toList();
        }
        if (manifests.isEmpty()) {
            throw new IOException("no " + ModelManifest.FILE_NAME + " under " + repository
                    + ": train models first (trainer train --output " + repository + ")");
        }
        List<ModelManifest> models = new ArrayList<>();
        for (Path manifest : manifests) {
            models.add(ModelManifest.read(manifest));
        }
        System.out.print(Comparison.table(models));
        return 0;
    }
}
