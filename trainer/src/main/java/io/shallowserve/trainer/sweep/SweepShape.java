package io.shallowserve.trainer.sweep;

import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A way a sweep trains a point: a {@link NetworkShape}, and for the shallow shape how its branch sum is scaled.
 *
 * <p>{@code deep}, {@code shallow} (the paper's unscaled sum x + sum_k F_k(x)), {@code shallow-mean} (the sum scaled
 * by 1/L, {@link ArchitectureSpec#branchMean}), {@code tat} (no shortcuts, no batch norm, TAT's leaky ReLU) and
 * {@code parnet} (the units in two residual streams, {@link NetworkShape#PARNET}). The id names the run's rows and
 * model folders.
 */
public enum SweepShape {
    DEEP(NetworkShape.DEEP, false, 1, "the residual stack, h_k = h_{k-1} + F_k(h_{k-1})"),
    SHALLOW(NetworkShape.SHALLOW, false, 1, "the units side by side, y = x + Σ_k F_k(x)"),
    SHALLOW_MEAN(NetworkShape.SHALLOW, true, 1, "the shallow sum scaled by 1/L, y = x + (1/L) Σ_k F_k(x)"),
    TAT(NetworkShape.TAT, false, 1, "the units chained without shortcuts or batch norm, TAT's leaky ReLU"),
    PARNET(NetworkShape.PARNET, false, 2,
            "the units in 2 residual streams side by side, the second at half resolution, summed late");

    /** The pair the paper compares, and what a grid trains unless it names its shapes. */
    public static final List<SweepShape> PAIR = List.of(DEEP, SHALLOW);

    private final NetworkShape network;
    private final boolean branchMean;
    private final int streams;
    private final String description;

    SweepShape(NetworkShape network, boolean branchMean, int streams, String description) {
        this.network = network;
        this.branchMean = branchMean;
        this.streams = streams;
        this.description = description;
    }

    /** The wiring the network is built in. */
    public NetworkShape network() {
        return network;
    }

    /**
     * The point's spec as this shape trains it: with the shallow sum scaled by 1/L for {@link #SHALLOW_MEAN}, in 2
     * streams for {@link #PARNET}, and checked against the wiring (a tat spec has no batch norm, a deep or shallow one
     * no TAT activation, a parnet one units that split into its streams).
     *
     * @throws IllegalArgumentException if the wiring cannot take the spec
     */
    public ArchitectureSpec spec(ArchitectureSpec point) {
        ArchitectureSpec spec = new ArchitectureSpec(point.inputChannels(), point.inputHeight(), point.inputWidth(),
                point.classes(), point.width(), point.stemKernel(), point.stemPool(), point.units(),
                point.unitKernel(), point.activation(), point.batchNorm(), point.headPool(), branchMean, streams);
        spec.forShape(network);
        return spec;
    }

    /** What the shape is, in a few words for a report. */
    public String description() {
        return description;
    }

    /** The network's {@link NetworkShape#label}, as rows.csv and model names write it: {@code shallow-mean}. */
    public String id() {
        return network.label(branchMean);
    }

    /**
     * The shape of an {@link #id()}.
     *
     * @throws IllegalArgumentException naming the shapes, for any other text
     */
    public static SweepShape fromId(String id) {
        return Arrays.stream(values()).filter(shape -> shape.id().equals(id.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown shape '" + id + "', expected one of "
                        + Arrays.stream(values()).map(SweepShape::id).toList()));
    }
}
