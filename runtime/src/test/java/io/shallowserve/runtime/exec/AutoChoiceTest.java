package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.exec.AutoChoice.Candidate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoChoiceTest {

    private static final Candidate SINGLE_1T = new Candidate("single 1t", 1);
    private static final Candidate SINGLE_2T = new Candidate("single 2t", 2);
    private static final Candidate WIDE_1T = new Candidate("wide 1t", 1);
    private static final Candidate WIDE_2T = new Candidate("wide 2t", 2);
    private static final Candidate GROUPED = new Candidate("grouped", 2);
    private static final List<Candidate> ALL = List.of(SINGLE_1T, SINGLE_2T, WIDE_1T, WIDE_2T, GROUPED);

    @Test
    void choose_fastestOnOneCore_isKeptWhateverUsesMoreCores() {
        Map<String, Double> medians = Map.of("single 1t", 270.0, "single 2t", 300.0, "wide 1t", 200.0,
                "wide 2t", 230.0, "grouped", 350.0);

        assertThat(AutoChoice.choose(ALL, medians)).isEqualTo(WIDE_1T);
    }

    @Test
    void choose_moreCoresFasterByLessThanTheMargin_keepsFewerCores() {
        // As measured at load on 2 cores: wide 2t 5 % faster than wide 1t in-process, no faster in the server.
        Map<String, Double> medians = Map.of("single 1t", 268.5, "single 2t", 259.7, "wide 1t", 217.9,
                "wide 2t", 207.7, "grouped", 355.9);

        assertThat(AutoChoice.choose(ALL, medians)).isEqualTo(WIDE_1T);
    }

    @Test
    void choose_moreCoresFasterByMoreThanTheMargin_takesMoreCores() {
        Map<String, Double> medians = Map.of("single 1t", 300.0, "single 2t", 250.0, "wide 1t", 200.0,
                "wide 2t", 179.0, "grouped", 190.0);

        assertThat(AutoChoice.choose(ALL, medians)).isEqualTo(WIDE_2T);
    }

    @Test
    void choose_exactlyTheMarginFaster_isNotEnough() {
        Map<String, Double> medians = Map.of("single 1t", 100.0, "single 2t", 90.0);

        assertThat(AutoChoice.choose(List.of(SINGLE_1T, SINGLE_2T), medians)).isEqualTo(SINGLE_1T);
    }

    @Test
    void choose_eachStepUpInCores_isJudgedAgainstTheChoiceSoFar() {
        Candidate fourThreads = new Candidate("single 4t", 4);
        // 2t is 8 % faster than 1t (not enough), 4t 15 % faster than 1t (enough).
        Map<String, Double> medians = Map.of("single 1t", 100.0, "single 2t", 92.0, "single 4t", 85.0);

        assertThat(AutoChoice.choose(List.of(SINGLE_1T, SINGLE_2T, fourThreads), medians)).isEqualTo(fourThreads);
    }

    @Test
    void choose_tieAtOneCoreCount_goesToTheFirstListed() {
        Map<String, Double> medians = Map.of("single 1t", 200.0, "wide 1t", 200.0);

        assertThat(AutoChoice.choose(List.of(SINGLE_1T, WIDE_1T), medians)).isEqualTo(SINGLE_1T);
    }

    @Test
    void choose_candidateWithoutMedian_isRefused() {
        assertThatThrownBy(() -> AutoChoice.choose(List.of(SINGLE_1T, WIDE_1T), Map.of("single 1t", 1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wide 1t");
        assertThatThrownBy(() -> AutoChoice.choose(List.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
