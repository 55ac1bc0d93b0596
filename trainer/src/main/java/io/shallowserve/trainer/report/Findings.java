package io.shallowserve.trainer.report;

import io.shallowserve.trainer.distill.DistillationResult;
import io.shallowserve.trainer.sweep.SweepRow;
import io.shallowserve.trainer.sweep.SweepSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * The plain statement of what the rows say, computed from them: which shape ended lower on each loss and how often,
 * whether that is more than chance, where it agrees with the paper and where not, what the latencies and the
 * frontier show, and what mimic learning gave.
 */
final class Findings {

    /** Below this a sign test's p-value counts as a direction; above it the report says there is none. */
    static final double SIGNIFICANCE = 0.05;

    private Findings() {
    }

    static List<String> of(List<RowPair> pairs, List<DeterminationBins.Cell> cells, List<ConfigSummary> configs,
            List<Frontier.Point> frontier, SweepSettings settings, DistillationResult distill) {
        List<String> findings = new ArrayList<>();
        findings.add(lossComparison("Training loss", pairs, row -> row.train().loss(), true));
        findings.add(lossComparison("Validation loss", pairs, row -> row.validation().loss(), false));
        findings.add(byBin(cells));
        findings.add(seedNoise(pairs, configs));
        findings.add(testAccuracy(pairs));
        String latency = latency(pairs);
        if (latency != null) {
            findings.add(latency);
            findings.add(frontierStatement(frontier));
        }
        if (distill != null) {
            findings.add(mimic(distill));
        }
        findings.add(settings.patience() == 0 ? shortRunLimits(settings) : convergedRunLimits(pairs, settings));
        return findings;
    }

    private static String shortRunLimits(SweepSettings settings) {
        return String.format(Locale.ROOT, "Limits: each run trained %d epoch(s) on %s with batch %d; the paper"
                        + " trained its 6912 configurations on MNIST and CIFAR-10 to convergence. Short runs favour"
                        + " whichever shape learns faster early, so these losses are not the converged ones the paper"
                        + " compares; Q here counts the examples learnt from per epoch.",
                settings.epochs(), settings.trainLimit() == 0 ? "the full training split"
                        // The split's size, not settings.validation(): that is 0 when a fraction is held out.
                        : "the first " + settings.trainLimit() + " training images ("
                                + settings.validationSplit().size(settings.trainLimit())
                                + " of them held out for validation)",
                settings.batchSize());
    }

    private static String convergedRunLimits(List<RowPair> pairs, SweepSettings settings) {
        List<SweepRow> rows = pairs.stream().flatMap(pair -> Stream.of(pair.deep(), pair.shallow())).toList();
        int[] stopped = rows.stream().mapToInt(SweepRow::epochsTrained).filter(epochs -> epochs < settings.epochs())
                .sorted().toArray();
        String stops = stopped.length == 0
                ? String.format(Locale.ROOT, "none of the %d runs stopped early: each used every epoch allowed",
                        rows.size())
                : String.format(Locale.ROOT, "of %d runs, %d stopped early, after %d to %d epochs; the other %d used"
                                + " every epoch allowed", rows.size(), stopped.length, stopped[0],
                        stopped[stopped.length - 1], rows.size() - stopped.length);
        return String.format(Locale.ROOT, "Limits: each run trained %s, with batch %d; %s (the learning rate"
                        + " decays to 1%% by the last). The paper trained its 6912 configurations on MNIST and"
                        + " CIFAR-10; here Fashion-MNIST and this project's conv spec. Q here counts the examples"
                        + " learnt from per epoch: %.1f to %.1f.",
                ResearchReport.epochs(settings), settings.batchSize(), stops,
                rows.stream().mapToDouble(SweepRow::q).min().orElse(Double.NaN),
                rows.stream().mapToDouble(SweepRow::q).max().orElse(Double.NaN));
    }

    /**
     * @param deepLowerInPaper the paper's direction: deep lower on training loss, shallow lower on validation loss
     */
    private static String lossComparison(String what, List<RowPair> pairs, ToDoubleFunction<SweepRow> loss,
            boolean deepLowerInPaper) {
        Stats.LowerCounts lower = Stats.lowerCounts(pairs, pair -> loss.applyAsDouble(pair.deep()),
                pair -> loss.applyAsDouble(pair.shallow()));
        int deepLower = lower.first();
        int shallowLower = lower.second();
        double p = lower.signTest();
        String paper = deepLowerInPaper ? "deep slightly lower" : "shallow slightly lower";
        String verdict;
        if (p >= SIGNIFICANCE) {
            verdict = "no direction beyond chance here, so this neither confirms nor contradicts the paper (" + paper
                    + ")";
        } else if ((deepLower > shallowLower) == deepLowerInPaper) {
            verdict = "this agrees with the paper (" + paper + ")";
        } else {
            verdict = "this disagrees with the paper (" + paper + ")";
        }
        return String.format(Locale.ROOT, "%s: the deep shape ended lower in %d of %d pairs, the shallow shape in %d"
                        + " (sign test p = %.3f); mean %.4f deep, %.4f shallow: %s.",
                what, deepLower, pairs.size(), shallowLower, p, Stats.mean(pairs, pr -> loss.applyAsDouble(pr.deep())),
                Stats.mean(pairs, pr -> loss.applyAsDouble(pr.shallow())), verdict);
    }

    private static String byBin(List<DeterminationBins.Cell> cells) {
        List<String> trainHolds = new ArrayList<>();
        List<String> trainFails = new ArrayList<>();
        List<String> validationHolds = new ArrayList<>();
        List<String> validationFails = new ArrayList<>();
        for (DeterminationBins.Cell cell : cells) {
            int count = cell.pairs().size();
            String name = cell.dataset() + " Q " + cell.bin().label() + " (" + count
                    + (count == 1 ? " pair)" : " pairs)");
            (cell.deepTrain() < cell.shallowTrain() ? trainHolds : trainFails).add(name);
            (cell.shallowValidation() < cell.deepValidation() ? validationHolds : validationFails).add(name);
        }
        return "By Q bin (the paper's Table 2): deep has the lower mean training loss " + where(trainHolds, trainFails)
                + "; shallow has the lower mean validation loss " + where(validationHolds, validationFails) + ".";
    }

    private static String where(List<String> holds, List<String> fails) {
        if (fails.isEmpty()) {
            return "in every bin (" + String.join(", ", holds) + ")";
        }
        if (holds.isEmpty()) {
            return "in no bin (" + String.join(", ", fails) + ")";
        }
        return "in " + String.join(", ", holds) + " but not in " + String.join(", ", fails);
    }

    /** How far seeds of one config scatter, against how far the shapes differ: is a difference more than noise? */
    private static String seedNoise(List<RowPair> pairs, List<ConfigSummary> configs) {
        List<Double> spreads = new ArrayList<>();
        for (ConfigSummary config : configs) {
            if (config.seeds().size() > 1) {
                spreads.add(Stats.standardDeviation(
                        config.seeds().stream().mapToDouble(p -> p.deep().validation().loss()).toArray()));
                spreads.add(Stats.standardDeviation(
                        config.seeds().stream().mapToDouble(p -> p.shallow().validation().loss()).toArray()));
            }
        }
        double shapeDifference = Stats.mean(pairs,
                p -> Math.abs(p.deep().validation().loss() - p.shallow().validation().loss()));
        if (spreads.isEmpty()) {
            return String.format(Locale.ROOT, "Noise: one seed per config, so the seed-to-seed spread is unknown; the"
                    + " shapes' validation losses differ by %.4f on average.", shapeDifference);
        }
        return String.format(Locale.ROOT, "Noise: within one config and shape, the validation loss of different seeds"
                        + " has a standard deviation of %.4f on average; deep and shallow of the same seed differ by"
                        + " %.4f on average.",
                Stats.mean(spreads, Double::doubleValue), shapeDifference);
    }

    private static String testAccuracy(List<RowPair> pairs) {
        long shallowAtLeast = pairs.stream()
                .filter(p -> p.shallow().test().accuracy() >= p.deep().test().accuracy()).count();
        return String.format(Locale.ROOT, "Test accuracy: mean %.4f deep, %.4f shallow; the shallow shape was at"
                        + " least as accurate in %d of %d pairs.",
                Stats.mean(pairs, p -> p.deep().test().accuracy()),
                Stats.mean(pairs, p -> p.shallow().test().accuracy()),
                shallowAtLeast, pairs.size());
    }

    /** Null when no pair has latencies. */
    private static String latency(List<RowPair> pairs) {
        List<RowPair> measured = pairs.stream()
                .filter(p -> p.deep().single() != null && p.shallow().single() != null
                        && p.shallow().branches() != null)
                .toList();
        if (measured.isEmpty()) {
            return null;
        }
        long branchesFaster = measured.stream()
                .filter(p -> p.shallow().branches().p50() < p.deep().single().p50()).count();
        return String.format(Locale.ROOT, "Latency (batch 1, in-process, median of the per-pair ratios to"
                        + " deep-single's p50): shallow-single %.2f, shallow-branches %.2f; the branches plan was"
                        + " faster than deep-single in %d of %d pairs. The 1-minute load average while measuring had a"
                        + " median of %.2f.",
                Stats.median(measured, p -> p.shallow().single().p50() / p.deep().single().p50()),
                Stats.median(measured, p -> p.shallow().branches().p50() / p.deep().single().p50()),
                branchesFaster, measured.size(), Stats.median(measured, p -> p.deep().loadAverage()));
    }

    private static String frontierStatement(List<Frontier.Point> frontier) {
        Map<String, Integer> byPlan = new TreeMap<>();
        for (Frontier.Point point : frontier) {
            byPlan.merge(point.plan().label(), 1, Integer::sum);
        }
        List<String> counts = byPlan.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList();
        return "Frontier: " + frontier.size() + " config-plan points are not beaten on both accuracy and latency by"
                + " another: " + String.join(", ", counts) + ".";
    }

    private static String mimic(DistillationResult distill) {
        DistillationResult.Scores mimic = distill.mimic().scores();
        DistillationResult.Scores labels = distill.labels().scores();
        return String.format(Locale.ROOT, "Mimic learning: the shallow student trained on teacher %s's logits reached"
                        + " test accuracy %.4f, the same shallow spec trained on the labels %.4f, the teacher %.4f;"
                        + " the mimic predicts the teacher's class on %.4f of the test images, the label student on"
                        + " %.4f.",
                distill.teacher(), mimic.test().accuracy(), labels.test().accuracy(),
                distill.teacherScores().test().accuracy(), mimic.agreement(), labels.agreement());
    }
}
