package io.shallowserve.trainer.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ArchitectureSpecTest {

    /** The last argument, where there is one, is the parnet shape's streams. */
    static List<ArchitectureSpec> specs() {
        return List.of(
                new ArchitectureSpec(1, 28, 28, 10, 32, 3, true, 4, 3, Activation.RELU, true, 2, false, 2),
                new ArchitectureSpec(1, 28, 28, 10, 8, 5, false, 1, 3, Activation.LEAKY_RELU, false, 1),
                new ArchitectureSpec(3, 32, 32, 10, 16, 3, true, 6, 5, Activation.RELU, true, 4, false, 3),
                new ArchitectureSpec(3, 12, 20, 5, 4, 3, true, 2, 3, Activation.LEAKY_RELU, true, 2, false, 2));
    }

    /** Every shape; parnet only of a spec with streams (a spec of one stream has no parnet shape). */
    private static List<NetworkShape> shapes(ArchitectureSpec spec) {
        return Stream.of(NetworkShape.values()).filter(shape -> shape != NetworkShape.PARNET || spec.streams() > 1)
                .toList();
    }

    @ParameterizedTest
    @MethodSource("specs")
    void parameterCount_equalsTrainableParametersOfEveryShape(ArchitectureSpec spec) {
        long deep = trainableParameters(spec, NetworkShape.DEEP);
        long shallow = trainableParameters(spec, NetworkShape.SHALLOW);
        long tat = trainableParameters(spec, NetworkShape.TAT);

        assertThat(deep).isEqualTo(spec.parameterCount());
        assertThat(shallow).isEqualTo(spec.parameterCount());
        assertThat(tat).isEqualTo(spec.forShape(NetworkShape.TAT).parameterCount());
        if (shapes(spec).contains(NetworkShape.PARNET)) {
            // The pools, upsampling and subtractions of the streams have no weights: the deep twin's count.
            assertThat(trainableParameters(spec, NetworkShape.PARNET)).isEqualTo(deep);
        }
    }

    @Test
    void manifest_streams_recordedOnlyForMoreThanOneAndReadBack() {
        ArchitectureSpec parnet = specs().get(0);
        ArchitectureSpec deep = parnet.forShape(NetworkShape.DEEP);

        assertThat(parnet.toManifest().streams()).isEqualTo(2);
        assertThat(deep.toManifest().streams()).isNull();
        assertThat(ArchitectureSpec.fromManifest(parnet.toManifest())).isEqualTo(parnet);
        assertThat(ArchitectureSpec.fromManifest(deep.toManifest()).streams()).isEqualTo(1);
    }

    @Test
    void forShape_parnetKeepsTheSpec_otherShapesTakeOneStream() {
        ArchitectureSpec spec = specs().get(0);

        assertThat(spec.forShape(NetworkShape.PARNET)).isSameAs(spec);
        assertThat(spec.unitsPerStream()).isEqualTo(2);
        assertThat(spec.coarseHeight()).isEqualTo(7);
        for (NetworkShape shape : List.of(NetworkShape.DEEP, NetworkShape.SHALLOW, NetworkShape.TAT)) {
            assertThat(spec.forShape(shape).streams()).as(shape.id()).isEqualTo(1);
        }
        assertThat(spec.forShape(NetworkShape.DEEP)).isEqualTo(new ArchitectureSpec(1, 28, 28, 10, 32, 3, true, 4,
                3, Activation.RELU, true, 2));
    }

    @Test
    void forShape_parnetOfStreamsThatDoNotFit_listsEveryProblem() {
        // A 7x7 map (14x14 pooled): odd, so the later streams cannot pool it 2x2; 5 units do not split in 2.
        ArchitectureSpec odd = new ArchitectureSpec(1, 14, 14, 10, 8, 3, true, 5, 3, Activation.RELU, true, 1, true,
                2);
        // A 6x6 map: its later streams see 3x3, less than a 5x5 kernel.
        ArchitectureSpec small = new ArchitectureSpec(1, 12, 12, 10, 8, 3, true, 4, 5, Activation.RELU, true, 1,
                false, 2);

        assertThatThrownBy(() -> odd.forShape(NetworkShape.PARNET))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Impossible parnet network: ")
                .hasMessageContaining("the 5 units must split into 2 streams of equal length")
                .hasMessageContaining("7x7 feature map average-pooled 2x2 and upsampled back, so both its sides must"
                        + " be even")
                .hasMessageContaining("a parnet network sums its streams unscaled");
        assertThatThrownBy(() -> small.forShape(NetworkShape.PARNET))
                .hasMessage("Impossible parnet network: unitKernel 5 is larger than the 3x3 map the streams after the"
                        + " first see");
        assertThatThrownBy(() -> specs().get(1).forShape(NetworkShape.PARNET))
                .hasMessageContaining("streams must be at least 2 (one stream is the deep shape), got 1");
        assertThatThrownBy(() -> new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 3, Activation.RELU, true, 1,
                false, -1)).hasMessageContaining("streams must be positive, got -1");
    }

    @Test
    void streams_zeroAsAFileWrittenBeforeStreamsReads_isOneStream() {
        assertThat(new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 3, Activation.RELU, true, 1, false, 0)
                .streams()).isEqualTo(1);
    }

    @Test
    void manifest_branchMean_recordedOnlyWhenSetAndReadBack() {
        ArchitectureSpec plain = specs().get(0);
        ArchitectureSpec mean = new ArchitectureSpec(1, 28, 28, 10, 32, 3, true, 4, 3, Activation.RELU, true, 2, true);

        assertThat(plain.toManifest().branchMean()).isNull();
        assertThat(mean.toManifest().branchMean()).isTrue();
        assertThat(ArchitectureSpec.fromManifest(mean.toManifest())).isEqualTo(mean);
        assertThat(ArchitectureSpec.fromManifest(plain.toManifest())).isEqualTo(plain);
    }

    @Test
    void forShape_tatDropsBatchNormAndTakesTatActivation_otherShapesKeepTheSpec() {
        ArchitectureSpec spec = specs().get(0).forShape(NetworkShape.DEEP);

        ArchitectureSpec tat = spec.forShape(NetworkShape.TAT);

        assertThat(tat).isEqualTo(new ArchitectureSpec(1, 28, 28, 10, 32, 3, true, 4, 3, Activation.TAT_LEAKY_RELU,
                false, 2));
        assertThat(spec.parameterCount() - tat.parameterCount()).isEqualTo(5 * 2 * 32);
        assertThat(spec.forShape(NetworkShape.DEEP)).isSameAs(spec);
        assertThat(spec.forShape(NetworkShape.SHALLOW)).isSameAs(spec);
        assertThat(tat.forShape(NetworkShape.TAT)).isEqualTo(tat);
    }

    @Test
    void forShape_deepOfTatActivation_isRefused() {
        ArchitectureSpec tat = specs().get(0).forShape(NetworkShape.TAT);

        assertThatThrownBy(() -> tat.forShape(NetworkShape.DEEP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tat_leaky_relu is the tat shape's activation, its slope solved for a chain without"
                        + " shortcuts; a deep network takes relu or leaky_relu");
    }

    @ParameterizedTest
    @MethodSource("specs")
    void outputShape_isBatchByClassesForEveryShape(ArchitectureSpec spec) {
        for (NetworkShape shape : shapes(spec)) {
            Block block = network(spec, shape).block();
            try (NDManager manager = NDManager.newBaseManager()) {
                Shape input = new Shape(spec.inputShape(3));
                block.initialize(manager, DataType.FLOAT32, input);
                assertThat(block.getOutputShapes(new Shape[] {input})[0]).isEqualTo(new Shape(3, spec.classes()));
            }
        }
    }

    @Test
    void constructor_unitKernelLargerThanFeatureMap_namesKernelAndMap() {
        assertThatThrownBy(() -> new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 15, Activation.RELU, true, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unitKernel 15 is larger than the 14x14 feature map");
    }

    @Test
    void constructor_evenKernelAndZeroUnits_listsEveryProblem() {
        assertThatThrownBy(() -> new ArchitectureSpec(1, 28, 28, 10, 8, 4, true, 0, 3, Activation.RELU, true, 1))
                .hasMessageContaining("stemKernel must be an odd positive size")
                .hasMessageContaining("units must be positive, got 0");
    }

    @Test
    void constructor_headPoolNotDividingMap_isRejected() {
        assertThatThrownBy(() -> new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 3, Activation.RELU, true, 3))
                .hasMessageContaining("headPool 3 must divide the 14x14 feature map");
    }

    @Test
    void mapShape_followsStemPool() {
        ArchitectureSpec pooled = new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 3, Activation.RELU, true, 1);
        ArchitectureSpec full = new ArchitectureSpec(1, 28, 28, 10, 8, 3, false, 2, 3, Activation.RELU, true, 1);

        assertThat(pooled.mapShape(5)).containsExactly(5, 8, 14, 14);
        assertThat(full.mapShape(5)).containsExactly(5, 8, 28, 28);
    }

    @Test
    void label_shallowWithItsSumScaled_isShallowMean_otherShapesTheirId() {
        ArchitectureSpec mean = new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 3, Activation.RELU, true, 1, true);
        ArchitectureSpec plain = new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 3, Activation.RELU, true, 1);

        assertThat(network(mean, NetworkShape.SHALLOW).label()).isEqualTo("shallow-mean");
        assertThat(network(plain, NetworkShape.SHALLOW).label()).isEqualTo("shallow");
        assertThat(network(mean, NetworkShape.DEEP).label()).isEqualTo("deep");
    }

    private static ResidualNetwork network(ArchitectureSpec spec, NetworkShape shape) {
        float[] mean = new float[spec.inputChannels()];
        float[] std = new float[spec.inputChannels()];
        java.util.Arrays.fill(std, 1f);
        return ResidualNetwork.create(spec, shape, mean, std);
    }

    private static long trainableParameters(ArchitectureSpec spec, NetworkShape shape) {
        Block block = network(spec, shape).block();
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(spec.inputShape(1)));
            return block.getParameters().values().stream()
                    .filter(Parameter::requiresGradient)
                    .mapToLong(parameter -> parameter.getArray().size())
                    .sum();
        }
    }
}
