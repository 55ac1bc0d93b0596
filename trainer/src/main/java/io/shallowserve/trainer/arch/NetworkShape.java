package io.shallowserve.trainer.arch;

/**
 * The ways the same units F_1..F_L are wired.
 *
 * <p>{@code DEEP}: h_k = h_{k-1} + F_k(h_{k-1}), one after another.
 * {@code SHALLOW}: y = x + sum_k F_k(x), all units side by side on one input, so they can run at the same time.
 * {@code TAT}: h_k = F_k(h_{k-1}), a vanilla chain without the residual add and without batch norm, every activation
 * TAT's transformed leaky ReLU with its slope solved for the depth (Zhang, Botev, Martens 2022), so that the deep
 * chain trains without shortcuts or normalisation ({@link ArchitectureSpec#forShape}).
 */
public enum NetworkShape {
    DEEP,
    SHALLOW,
    TAT;

    /** Lower-case name used in model names, file names and model.json. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
