package io.shallowserve.trainer.arch;

import io.shallowserve.runtime.repository.ModelManifest;

/**
 * The ways the same units F_1..F_L are wired.
 *
 * <p>{@code DEEP}: h_k = h_{k-1} + F_k(h_{k-1}), one after another.
 * {@code SHALLOW}: y = x + sum_k F_k(x), all units side by side on one input, so they can run at the same time.
 * {@code TAT}: h_k = F_k(h_{k-1}), a vanilla chain without the residual add and without batch norm, every activation
 * TAT's transformed leaky ReLU with its slope solved for the depth (Zhang, Botev, Martens 2022), so that the deep
 * chain trains without shortcuts or normalisation ({@link ArchitectureSpec#forShape}).
 * {@code PARNET}: after ParNet (Goyal et al. 2021), S parallel streams of several layers at different resolutions,
 * fused late: the L units in S streams of L/S, each stream a deep residual chain; stream 0 reads the stem's map x,
 * every later stream a 2x2 average-pooled copy d(x), and its result is upsampled back (nearest, u). Each stream gives
 * the sum of its residual increments, R_s(z) - z for its chain R_s, and the head reads
 * y = x + (R_0(x) - x) + sum_{s>0} u(R_s(d(x)) - d(x)). The pools, upsampling and subtractions have no weights, so the
 * network has the deep twin's parameters; with one stream it would be the deep shape itself.
 */
public enum NetworkShape {
    DEEP,
    SHALLOW,
    TAT,
    PARNET;

    /** Lower-case name used in model names, file names and model.json. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Whether the network is exported in parts too, stem, independent branches and head (docs/model-repository.md):
     * a shallow network's branches are its units, a parnet network's its streams. The repository contract decides.
     */
    public boolean hasBranches() {
        return ModelManifest.hasBranches(id());
    }

    /**
     * The network as logs, rows and model names call it: its {@link #id()}, or {@code shallow-mean} for a shallow
     * network whose branch sum is scaled by 1/L ({@link ArchitectureSpec#branchMean()}).
     */
    public String label(boolean branchMean) {
        return this == SHALLOW && branchMean ? id() + "-mean" : id();
    }
}
