package io.shallowserve.trainer.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.train.ValidationSplit;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SweepGridTest {

    @Test
    void points_twoSeeds_coverTheGridWithTheFirstSeedBeforeTheSecond() {
        SweepGrid grid = new SweepGrid(List.of(DatasetKind.FASHION_MNIST), List.of(2, 4), List.of(8), List.of(3),
                List.of(Activation.RELU), List.of(1L, 2L), SweepShape.PAIR, SweepGrid.DEFAULT.settings());

        assertThat(grid.points()).extracting(SweepPoint::id).containsExactly(
                "fashion-mnist-L2-C8-k3-relu-s1", "fashion-mnist-L4-C8-k3-relu-s1",
                "fashion-mnist-L2-C8-k3-relu-s2", "fashion-mnist-L4-C8-k3-relu-s2");
    }

    @Test
    void defaultGrid_36PairsWhoseQSpansEveryBinOfThePaper() {
        SweepSettings settings = SweepGrid.DEFAULT.settings();
        int examples = settings.examplesPerEpoch(settings.trainLimit() - settings.validation());

        Set<Integer> bins = SweepGrid.DEFAULT.points().stream()
                .map(point -> (double) examples * 10 / point.spec(settings).parameterCount())
                .map(q -> q < 1 ? 0 : q < 3 ? 1 : q < 10 ? 2 : 3)
                .collect(Collectors.toSet());

        assertThat(SweepGrid.DEFAULT.points()).hasSize(36);
        assertThat(bins).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void convergedGrid_theDefaultGridsPairsOnTheFullSplitWithEarlyStoppingAndNoLatency() {
        SweepSettings settings = SweepGrid.CONVERGED.settings();

        assertThat(SweepGrid.CONVERGED.points()).isEqualTo(SweepGrid.DEFAULT.points());
        assertThat(settings.trainLimit()).isZero();
        assertThat(settings.validationSplit()).isEqualTo(ValidationSplit.ofFraction(0.1));
        assertThat(settings.patience()).isPositive();
        assertThat(settings.epochs()).isGreaterThan(settings.patience());
        assertThat(settings.latencyRuns()).isZero();
        assertThat(settings.maxStepsPerEpoch()).isZero();
    }

    @Test
    void presets_theShortAndLongGridsTrainThePair() {
        assertThat(SweepGrid.DEFAULT.shapes()).isEqualTo(SweepShape.PAIR);
        assertThat(SweepGrid.CONVERGED.shapes()).isEqualTo(SweepShape.PAIR);
        assertThat(SweepGrid.LARGE.shapes()).isEqualTo(SweepShape.PAIR);
    }

    @Test
    void shapesGrid_everyShapeOfTwelvePointsAtL4And8WithoutLatency() {
        SweepGrid grid = SweepGrid.preset("shapes");

        assertThat(grid.shapes()).containsExactly(SweepShape.DEEP, SweepShape.SHALLOW, SweepShape.SHALLOW_MEAN,
                SweepShape.TAT, SweepShape.PARNET);
        assertThat(grid.points()).hasSize(12);
        assertThat(grid.points()).extracting(SweepPoint::units).containsOnly(4, 8);
        assertThat(grid.settings().latencyRuns()).isZero();
        assertThat(grid.settings().patience()).isZero();
    }

    @Test
    void newGrid_shapesRepeatedAndOutOfOrder_trainsEachOnceInShapeOrder() {
        SweepGrid grid = new SweepGrid(List.of(DatasetKind.FASHION_MNIST), List.of(2), List.of(8), List.of(3),
                List.of(Activation.RELU), List.of(1L),
                List.of(SweepShape.TAT, SweepShape.SHALLOW, SweepShape.DEEP, SweepShape.TAT),
                SweepGrid.DEFAULT.settings());

        assertThat(grid.shapes()).containsExactly(SweepShape.DEEP, SweepShape.SHALLOW, SweepShape.TAT);
    }

    @Test
    void newGrid_shapesWithoutShallow_saysThePairIsNeeded() {
        assertThatThrownBy(() -> new SweepGrid(List.of(DatasetKind.FASHION_MNIST), List.of(2), List.of(8),
                        List.of(3), List.of(Activation.RELU), List.of(1L), List.of(SweepShape.DEEP, SweepShape.TAT),
                        SweepGrid.DEFAULT.settings()))
                .hasMessageContaining("must include deep and shallow").hasMessageContaining("[deep, tat]");
    }

    @Test
    void newGrid_tatActivationForTheDeepShape_failsBeforeAnyRun() {
        assertThatThrownBy(() -> new SweepGrid(List.of(DatasetKind.FASHION_MNIST), List.of(2), List.of(8),
                        List.of(3), List.of(Activation.TAT_LEAKY_RELU), List.of(1L), SweepShape.PAIR,
                        SweepGrid.DEFAULT.settings()))
                .hasMessageContaining("tat_leaky_relu is the tat shape's activation");
    }

    @Test
    void newGrid_kernelLargerThanFeatureMap_failsBeforeAnyRun() {
        assertThatThrownBy(() -> new SweepGrid(List.of(DatasetKind.FASHION_MNIST), List.of(2), List.of(8),
                        List.of(3, 15), List.of(Activation.RELU), List.of(1L), SweepShape.PAIR,
                        SweepGrid.DEFAULT.settings()))
                .hasMessageContaining("unitKernel 15 is larger than the 14x14 feature map");
    }

    @Test
    void preset_unknownName_namesThePresets() {
        assertThatThrownBy(() -> SweepGrid.preset("huge")).hasMessageContaining("default, converged, shapes or large");
    }
}
