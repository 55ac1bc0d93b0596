package io.shallowserve.trainer.sweep;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import java.util.Locale;

/** One point of a grid: a spec on a data set with a seed, trained in both shapes. */
public record SweepPoint(
        DatasetKind dataset, int units, int width, int unitKernel, Activation activation, long seed) {

    /** Names the pair's rows and model folders: {@code fashion-mnist-L4-C32-k3-relu-s1}. */
    public String id() {
        return configId() + "-s" + seed;
    }

    /** The point without its seed: the seeds of one config are averaged in the report. */
    public String configId() {
        return String.format(Locale.ROOT, "%s-L%d-C%d-k%d-%s", dataset.id(), units, width, unitKernel,
                activation.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    public ArchitectureSpec spec(SweepSettings settings) {
        return new ArchitectureSpec(dataset.channels(), dataset.height(), dataset.width(),
                dataset.classNames().size(), width, settings.stemKernel(), settings.stemPool(), units, unitKernel,
                activation, settings.batchNorm(), settings.headPool());
    }
}
