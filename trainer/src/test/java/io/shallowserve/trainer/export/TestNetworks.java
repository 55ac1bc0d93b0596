package io.shallowserve.trainer.export;

import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import java.util.Random;

/** What the export tests build on a random network: the same weights wired the other way, and input pixels. */
final class TestNetworks {

    private TestNetworks() {
    }

    /** The same weights wired the other way. */
    static FoldedNetwork withShape(FoldedNetwork network, NetworkShape shape) {
        return new FoldedNetwork(network.spec(), shape, network.channelMean(), network.channelStd(), network.stem(),
                network.units(), network.head());
    }

    /** NCHW pixels in [0,1] for {@code batch} images. */
    static float[] pixels(ArchitectureSpec spec, int batch, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[batch * spec.inputChannels() * spec.inputHeight() * spec.inputWidth()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        return pixels;
    }
}
