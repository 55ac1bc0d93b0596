package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.repository.ModelManifest;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The side-by-side table of trained models that `train` and `compare` print (Markdown, so it pastes into docs). */
final class Comparison {

    private Comparison() {
    }

    static String table(List<ModelManifest> models) {
        StringBuilder table = new StringBuilder();
        table.append("| model | version | shape | parameters | epochs | train loss | validation loss | test loss"
                + " | test accuracy | training time |\n");
        table.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ModelManifest model : models) {
            Map<String, ModelManifest.Split> metrics = model.metrics();
            table.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %d | %s | %s | %s | %s | %.0f s |%n",
                    model.name(), model.version(), model.shape(), model.parameters(), model.training().epochs(),
                    loss(metrics.get("train")), loss(metrics.get("validation")), loss(metrics.get("test")),
                    accuracy(metrics.get("test")), model.training().seconds()));
        }
        return table.toString();
    }

    private static String loss(ModelManifest.Split split) {
        return split == null ? "-" : String.format(Locale.ROOT, "%.4f", split.loss());
    }

    private static String accuracy(ModelManifest.Split split) {
        return split == null ? "-" : String.format(Locale.ROOT, "%.4f", split.accuracy());
    }
}
