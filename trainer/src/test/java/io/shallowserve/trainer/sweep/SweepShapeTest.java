package io.shallowserve.trainer.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import org.junit.jupiter.api.Test;

class SweepShapeTest {

    private static final ArchitectureSpec POINT_SPEC =
            new SweepPoint(DatasetKind.FASHION_MNIST, 4, 16, 3, Activation.RELU, 1).spec(SweepGrid.DEFAULT.settings());

    @Test
    void spec_shallowMean_isThePointsSpecWithTheSumScaled() {
        ArchitectureSpec spec = SweepShape.SHALLOW_MEAN.spec(POINT_SPEC);

        assertThat(SweepShape.SHALLOW_MEAN.network()).isEqualTo(NetworkShape.SHALLOW);
        assertThat(spec.branchMean()).isTrue();
        assertThat(spec).isEqualTo(new ArchitectureSpec(POINT_SPEC.inputChannels(), POINT_SPEC.inputHeight(),
                POINT_SPEC.inputWidth(), POINT_SPEC.classes(), POINT_SPEC.width(), POINT_SPEC.stemKernel(),
                POINT_SPEC.stemPool(), POINT_SPEC.units(), POINT_SPEC.unitKernel(), POINT_SPEC.activation(),
                POINT_SPEC.batchNorm(), POINT_SPEC.headPool(), true));
    }

    @Test
    void spec_everyOtherShape_isThePointsSpec() {
        for (SweepShape shape : new SweepShape[] {SweepShape.DEEP, SweepShape.SHALLOW, SweepShape.TAT}) {
            assertThat(shape.spec(POINT_SPEC)).as(shape.id()).isEqualTo(POINT_SPEC);
        }
    }

    @Test
    void spec_parnet_isThePointsSpecInTwoStreams() {
        ArchitectureSpec spec = SweepShape.PARNET.spec(POINT_SPEC);

        assertThat(SweepShape.PARNET.network()).isEqualTo(NetworkShape.PARNET);
        assertThat(spec).isEqualTo(new ArchitectureSpec(POINT_SPEC.inputChannels(), POINT_SPEC.inputHeight(),
                POINT_SPEC.inputWidth(), POINT_SPEC.classes(), POINT_SPEC.width(), POINT_SPEC.stemKernel(),
                POINT_SPEC.stemPool(), POINT_SPEC.units(), POINT_SPEC.unitKernel(), POINT_SPEC.activation(),
                POINT_SPEC.batchNorm(), POINT_SPEC.headPool(), false, 2));
        assertThat(spec.forShape(NetworkShape.PARNET).parameterCount())
                .isEqualTo(POINT_SPEC.forShape(NetworkShape.DEEP).parameterCount());
    }

    @Test
    void spec_parnetOfUnitsThatDoNotSplitInTwo_isRefused() {
        ArchitectureSpec threeUnits = new SweepPoint(DatasetKind.FASHION_MNIST, 3, 16, 3, Activation.RELU, 1)
                .spec(SweepGrid.DEFAULT.settings());

        assertThatThrownBy(() -> SweepShape.PARNET.spec(threeUnits))
                .hasMessageContaining("the 3 units must split into 2 streams of equal length");
    }

    @Test
    void fromId_idsOfEveryShape_roundTrip() {
        for (SweepShape shape : SweepShape.values()) {
            assertThat(SweepShape.fromId(shape.id())).isEqualTo(shape);
        }
        assertThat(SweepShape.SHALLOW_MEAN.id()).isEqualTo("shallow-mean");
    }

    @Test
    void fromId_unknownShape_namesTheShapes() {
        assertThatThrownBy(() -> SweepShape.fromId("wide"))
                .hasMessage("unknown shape 'wide', expected one of [deep, shallow, shallow-mean, tat, parnet]");
    }
}
