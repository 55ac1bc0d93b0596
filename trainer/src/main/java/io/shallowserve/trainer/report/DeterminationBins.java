package io.shallowserve.trainer.report;

import io.shallowserve.runtime.report.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparison of "Make Deep Networks Shallow Again" (Bermeitinger, Hrycej, Handschuh 2023), Table 2: mean train
 * and validation loss of the sequential (deep) and parallel (shallow) shape, per data set, binned by the
 * determination ratio Q.
 */
final class DeterminationBins {

    /** The paper's bins of Q. */
    enum Bin {
        BELOW_1("[0, 1)", 1),
        FROM_1_TO_3("[1, 3)", 3),
        FROM_3_TO_10("[3, 10)", 10),
        FROM_10("[10, ∞)", Double.POSITIVE_INFINITY);

        private final String label;
        private final double upperBound;

        Bin(String label, double upperBound) {
            this.label = label;
            this.upperBound = upperBound;
        }

        String label() {
            return label;
        }

        static Bin of(double q) {
            for (Bin bin : values()) {
                if (q < bin.upperBound) {
                    return bin;
                }
            }
            throw new IllegalArgumentException("Q must be a number, got " + q);
        }
    }

    /** One row of the table: the pairs of one data set whose Q falls into one bin. */
    record Cell(String dataset, Bin bin, List<RowPair> pairs) {

        double deepTrain() {
            return Stats.mean(pairs, p -> p.deep().train().loss());
        }

        double deepValidation() {
            return Stats.mean(pairs, p -> p.deep().validation().loss());
        }

        double shallowTrain() {
            return Stats.mean(pairs, p -> p.shallow().train().loss());
        }

        double shallowValidation() {
            return Stats.mean(pairs, p -> p.shallow().validation().loss());
        }
    }

    private DeterminationBins() {
    }

    /** Non-empty cells, by data set in order of appearance, then by bin. */
    static List<Cell> of(List<RowPair> pairs) {
        List<String> datasets = pairs.stream().map(p -> p.point().dataset().id()).distinct().toList();
        List<Cell> cells = new ArrayList<>();
        for (String dataset : datasets) {
            for (Bin bin : Bin.values()) {
                List<RowPair> inBin = pairs.stream()
                        .filter(p -> p.point().dataset().id().equals(dataset) && Bin.of(p.q()) == bin)
                        .toList();
                if (!inBin.isEmpty()) {
                    cells.add(new Cell(dataset, bin, inBin));
                }
            }
        }
        return cells;
    }

    static Table table(List<Cell> cells) {
        List<List<String>> rows = new ArrayList<>();
        for (Cell cell : cells) {
            rows.add(List.of(cell.dataset(), cell.bin().label(), Integer.toString(cell.pairs().size()),
                    loss(cell.deepTrain()), loss(cell.deepValidation()), loss(cell.shallowTrain()),
                    loss(cell.shallowValidation())));
        }
        return new Table(List.of("data set", "Q", "pairs", "deep train loss", "deep validation loss",
                "shallow train loss", "shallow validation loss"), rows, 2);
    }

    private static String loss(double value) {
        return String.format(Locale.ROOT, "%.5f", value);
    }
}
