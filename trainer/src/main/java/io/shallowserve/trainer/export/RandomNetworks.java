package io.shallowserve.trainer.export;

import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Folded networks with seeded random weights: graphs of any spec without training, for checking the export and for
 * timing graphs (the depth-scaling experiment), whose cost does not depend on the weights' values.
 */
public final class RandomNetworks {

    private RandomNetworks() {
    }

    /**
     * A network of {@code shape} built from {@code given.forShape(shape)}, weights drawn with variance 1/fan-in, so
     * activations stay of order one through a few units.
     */
    public static FoldedNetwork create(ArchitectureSpec given, NetworkShape shape, long seed) {
        ArchitectureSpec spec = given.forShape(shape);
        Random random = new Random(seed);
        float[] mean = new float[spec.inputChannels()];
        float[] std = new float[spec.inputChannels()];
        for (int c = 0; c < spec.inputChannels(); c++) {
            mean[c] = 0.3f + 0.3f * random.nextFloat();
            std[c] = 0.2f + 0.2f * random.nextFloat();
        }
        FoldedNetwork.Conv stem = conv(random, spec.width(), spec.inputChannels(), spec.stemKernel());
        List<FoldedNetwork.Conv> units = new ArrayList<>();
        for (int k = 0; k < spec.units(); k++) {
            units.add(conv(random, spec.width(), spec.width(), spec.unitKernel()));
        }
        FoldedNetwork.Dense head = new FoldedNetwork.Dense(spec.classes(), spec.headFeatures(),
                values(random, spec.classes() * spec.headFeatures(), spec.headFeatures()),
                values(random, spec.classes(), 100));
        return new FoldedNetwork(spec, shape, mean, std, stem, units, head);
    }

    private static FoldedNetwork.Conv conv(Random random, int out, int in, int kernel) {
        int fanIn = in * kernel * kernel;
        return new FoldedNetwork.Conv(out, in, kernel, values(random, out * fanIn, fanIn), values(random, out, 100));
    }

    /** Uniform values with variance 1/fanIn. */
    private static float[] values(Random random, int count, int fanIn) {
        float bound = (float) Math.sqrt(3.0 / fanIn);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (2 * random.nextFloat() - 1) * bound;
        }
        return values;
    }
}
