package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainer compare}: the table of every model version in a repository, verified as the server verifies it, as recorded at training time. */
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
        List<ModelRepository.VersionFolder> versions = ModelRepository.versionFolders(repository);
        if (versions.isEmpty()) {
            throw new IOException("no <model>/<version> folder under " + repository
                    + ": train models first (trainer train --output " + repository + ")");
        }
        List<ModelManifest> models = new ArrayList<>();
        for (ModelRepository.VersionFolder version : versions) {
            models.add(ModelRepository.verifyTrained(version).manifest());
        }
        System.out.print(Comparison.table(models));
        return 0;
    }
}
