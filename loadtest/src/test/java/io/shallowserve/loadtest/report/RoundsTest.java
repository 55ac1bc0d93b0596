package io.shallowserve.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.loadtest.driver.LatencySummary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rounds' summary: baseline choice, per-round ratios, medians and ranges, missing steps. */
class RoundsTest {

    private static final ServedModel DEEP = new ServedModel("deep", "deep", "single");
    private static final ServedModel DEEP_AUTO = new ServedModel("deep", "deep", "auto");
    private static final ServedModel WIDE = new ServedModel("shallow", "shallow", "wide");

    private static RoundStep step(ServedModel served, int round, double p50) {
        return new RoundStep(served, 1, round, new LatencySummary(10, 0, Map.of(), 1, p50, p50, 2 * p50, 2 * p50, 10,
                1, List.of()));
    }

    @Test
    void rows_ratiosAreTakenRoundByRoundNotFromTheMedians() {
        // The machine slows down in round 2: both slower, the ratio the same as in round 1.
        List<Rounds.Row> rows = Rounds.rows(List.of(step(DEEP, 1, 100), step(WIDE, 1, 80), step(DEEP, 2, 300),
                step(WIDE, 2, 240), step(DEEP, 3, 200), step(WIDE, 3, 180)));

        Rounds.Row wide = rows.get(1);
        assertThat(wide.served()).isEqualTo(WIDE);
        assertThat(wide.ratio()).isEqualTo(new Rounds.Spread(0.8, 0.8, 0.9));
        assertThat(wide.p50()).isEqualTo(new Rounds.Spread(180, 80, 240));
        assertThat(rows.getFirst().isBaseline()).isTrue();
        assertThat(rows.getFirst().ratio()).isEqualTo(new Rounds.Spread(1, 1, 1));
    }

    @Test
    void rows_baselineIsTheDeepModelWithTheLowerMedian() {
        List<Rounds.Row> rows = Rounds.rows(List.of(step(DEEP, 1, 100), step(DEEP_AUTO, 1, 90), step(WIDE, 1, 45),
                step(DEEP, 2, 100), step(DEEP_AUTO, 2, 110), step(WIDE, 2, 55), step(DEEP, 3, 100),
                step(DEEP_AUTO, 3, 80), step(WIDE, 3, 40)));

        assertThat(rows).allSatisfy(row -> assertThat(row.baseline()).isEqualTo(DEEP_AUTO));
        assertThat(rows.get(2).ratio()).isEqualTo(new Rounds.Spread(0.5, 0.5, 0.5));
        assertThat(rows.get(0).ratio().median()).isEqualTo(100.0 / 90);
    }

    @Test
    void rows_evenNumberOfRounds_medianIsTheMeanOfTheMiddleTwo() {
        List<Rounds.Row> rows = Rounds.rows(List.of(step(DEEP, 1, 100), step(WIDE, 1, 50), step(DEEP, 2, 100),
                step(WIDE, 2, 70)));

        assertThat(rows.get(1).ratio()).isEqualTo(new Rounds.Spread(0.6, 0.5, 0.7));
    }

    @Test
    void rows_stepWithoutAnswers_isLeftOutOfItsRound() {
        List<Rounds.Row> rows = Rounds.rows(List.of(step(DEEP, 1, 100), step(WIDE, 1, 50), step(DEEP, 2, Double.NaN),
                step(WIDE, 2, 70)));

        assertThat(rows.get(1).rounds()).isEqualTo(1);
        assertThat(rows.get(1).ratio()).isEqualTo(new Rounds.Spread(0.5, 0.5, 0.5));
    }

    @Test
    void rows_withoutDeepModel_isEmpty() {
        assertThat(Rounds.rows(List.of(step(WIDE, 1, 50)))).isEmpty();
    }

    @Test
    void fastestShallow_isTheLowestMedianRatioPerBatch() {
        ServedModel branches = new ServedModel("shallow", "shallow", "branches");
        List<Rounds.Row> rows = Rounds.rows(List.of(step(DEEP, 1, 100), step(branches, 1, 150), step(WIDE, 1, 90)));

        assertThat(Rounds.fastestShallow(rows)).extracting(Rounds.Row::served).containsExactly(WIDE);
    }
}
