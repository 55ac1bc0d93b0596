package io.shallowserve.trainer.arch;

/**
 * The two ways the same units F_1..F_L are wired.
 *
 * <p>{@code DEEP}: h_k = h_{k-1} + F_k(h_{k-1}), one after another.
 * {@code SHALLOW}: y = x + sum_k F_k(x), all units side by side on one input, so they can run at the same time.
 */
public enum NetworkShape {
    DEEP,
    SHALLOW;

    /** Lower-case name used in model names, file names and model.json. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
