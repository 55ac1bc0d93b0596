package io.shallowserve.trainer.sweep;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.trainer.arch.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * The axes of a sweep, the shapes each point is trained in, and the settings all its runs share. Every combination
 * of the axes is a {@link SweepPoint}.
 *
 * @param shapes the shapes every point is trained in, in {@link SweepShape}'s order (deep first, then shallow: the
 *               pair the report needs first); at least {@link SweepShape#PAIR}, which the report compares as the
 *               paper does, and every other shape it compares with deep
 */
public record SweepGrid(
        List<DatasetKind> datasets,
        List<Integer> units,
        List<Integer> widths,
        List<Integer> unitKernels,
        List<Activation> activations,
        List<Long> seeds,
        List<SweepShape> shapes,
        SweepSettings settings) {

    /** The most epochs of a {@link #CONVERGED} run. */
    static final int CONVERGED_EPOCHS = 30;

    /** Epochs without a lower validation loss after which a {@link #CONVERGED} run stops. */
    static final int CONVERGED_PATIENCE = 5;

    /**
     * 36 pairs (L 2 and 4, C 8, 16 and 32, kernel 3 and 5, relu, seeds 1 to 3) on 8,000 Fashion-MNIST training
     * images for 3 epochs: sized for under an hour on a 2-core machine, with Q from about 0.7 to 15, so every bin
     * of the paper has pairs.
     */
    public static final SweepGrid DEFAULT = new SweepGrid(
            List.of(DatasetKind.FASHION_MNIST),
            List.of(2, 4),
            List.of(8, 16, 32),
            List.of(3, 5),
            List.of(Activation.RELU),
            List.of(1L, 2L, 3L),
            SweepShape.PAIR,
            new SweepSettings(3, 0, 128, 0.003f, 10_000, 2_000, 0, 0, 3, true, true, 7, 100, 1_000));

    /**
     * 480 pairs (L 2, 4 and 8, C 8 to 64, kernel 3 and 5, relu and leaky relu, 5 seeds, Fashion-MNIST and MNIST)
     * on the full training splits for 12 epochs, as the default models are trained: days on 2 cores.
     */
    public static final SweepGrid LARGE = new SweepGrid(
            List.of(DatasetKind.FASHION_MNIST, DatasetKind.MNIST),
            List.of(2, 4, 8),
            List.of(8, 16, 32, 64),
            List.of(3, 5),
            List.of(Activation.RELU, Activation.LEAKY_RELU),
            List.of(1L, 2L, 3L, 4L, 5L),
            SweepShape.PAIR,
            new SweepSettings(12, 0, 128, 0.003f, 0, 5_000, 0, 0, 3, true, true, 7, 500, 5_000));

    /**
     * The default grid's 12 configs and 3 seeds (36 pairs), each run trained to convergence: the full training split
     * less a tenth for validation (54,000 and 6,000 images), up to {@value #CONVERGED_EPOCHS} epochs with the
     * learning rate's cosine decay over them, stopping after {@value #CONVERGED_PATIENCE} epochs without a lower
     * validation loss, the best epoch's weights measured. No latency: a graph's cost does not depend on its weights,
     * the default grid measured the same graphs, and a sweep of many hours shares its machine. Each run's row is
     * appended as it ends.
     */
    public static final SweepGrid CONVERGED = new SweepGrid(
            DEFAULT.datasets(),
            DEFAULT.units(),
            DEFAULT.widths(),
            DEFAULT.unitKernels(),
            DEFAULT.activations(),
            DEFAULT.seeds(),
            DEFAULT.shapes(),
            new SweepSettings(CONVERGED_EPOCHS, CONVERGED_PATIENCE, 128, 0.003f, 0, 0, 0.1, 0, 3, true, true, 7, 0,
                    0));

    /**
     * Every shape of 12 points (L 4 and 8, C 8 and 16, kernel 3, relu, seeds 1 to 3): deep, shallow, shallow-mean,
     * tat and parnet, 60 runs, on the first 10,000 Fashion-MNIST training images less a tenth (at least 1,000) for validation,
     * for 3 epochs. Every shape with one optimiser, the default grid's batch 128 and Adam from 0.003: in a short test
     * at L 4 and 8 tat trained as well as deep with it, and worse with Adam from 0.001 (docs/research.md). No
     * latency: tat's graph costs what deep's does, shallow-mean's what shallow's does.
     */
    public static final SweepGrid SHAPES = new SweepGrid(
            List.of(DatasetKind.FASHION_MNIST),
            List.of(4, 8),
            List.of(8, 16),
            List.of(3),
            List.of(Activation.RELU),
            List.of(1L, 2L, 3L),
            List.of(SweepShape.values()),
            new SweepSettings(3, 0, 128, 0.003f, 10_000, 0, 0.1, 0, 3, true, true, 7, 0, 0));

    public SweepGrid {
        datasets = nonEmpty("datasets", datasets);
        units = nonEmpty("units", units);
        widths = nonEmpty("widths", widths);
        unitKernels = nonEmpty("unit kernels", unitKernels);
        activations = nonEmpty("activations", activations);
        seeds = nonEmpty("seeds", seeds);
        shapes = inOrder(nonEmpty("shapes", shapes));
        // An impossible spec (say, a kernel larger than the map, or a shape that cannot take the activation) fails
        // now, not after an hour of other runs.
        for (SweepPoint point : combinations(datasets, units, widths, unitKernels, activations, seeds)) {
            for (SweepShape shape : shapes) {
                shape.spec(point.spec(settings));
            }
        }
    }

    /** {@link #DEFAULT}, {@link #CONVERGED}, {@link #SHAPES} or {@link #LARGE} by name. */
    public static SweepGrid preset(String name) {
        return switch (name) {
            case "default" -> DEFAULT;
            case "converged" -> CONVERGED;
            case "shapes" -> SHAPES;
            case "large" -> LARGE;
            default -> throw new IllegalArgumentException("unknown grid '" + name
                    + "', expected default, converged, shapes or large");
        };
    }

    /**
     * Every point, seeds outermost: a sweep stopped by its time budget has covered the whole grid with the first
     * seeds rather than a part of it with all of them.
     */
    public List<SweepPoint> points() {
        return combinations(datasets, units, widths, unitKernels, activations, seeds);
    }

    private static List<SweepPoint> combinations(List<DatasetKind> datasets, List<Integer> units, List<Integer> widths,
            List<Integer> unitKernels, List<Activation> activations, List<Long> seeds) {
        List<SweepPoint> points = new ArrayList<>();
        for (long seed : seeds) {
            for (DatasetKind dataset : datasets) {
                for (int unitCount : units) {
                    for (int width : widths) {
                        for (int kernel : unitKernels) {
                            for (Activation activation : activations) {
                                points.add(new SweepPoint(dataset, unitCount, width, kernel, activation, seed));
                            }
                        }
                    }
                }
            }
        }
        return points;
    }

    /** Without repeats, in {@link SweepShape}'s order; refuses shapes without the pair. */
    private static List<SweepShape> inOrder(List<SweepShape> shapes) {
        if (!shapes.containsAll(SweepShape.PAIR)) {
            throw new IllegalArgumentException("the grid's shapes must include deep and shallow (the report compares"
                    + " them as the paper does, and every other shape with deep), got "
                    + shapes.stream().map(SweepShape::id).toList());
        }
        return shapes.stream().distinct().sorted().toList();
    }

    private static <T> List<T> nonEmpty(String axis, List<T> values) {
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("the grid needs at least one value of " + axis);
        }
        return List.copyOf(values);
    }
}
