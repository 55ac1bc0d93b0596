package io.shallowserve.runtime.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomTensorsTest {

    @Test
    void of_everyDatatype_sameOnEveryCallAndOfTheSpecsShapes() {
        List<TensorSpec> specs = new ArrayList<>();
        for (Datatype datatype : Datatype.values()) {
            specs.add(new TensorSpec(datatype.name(), datatype, List.of(-1L, 3L, -1L)));
        }

        List<Tensor> tensors = RandomTensors.of(specs, 2);

        assertThat(tensors).hasSize(specs.size());
        for (Tensor tensor : tensors) {
            assertThat(tensor.shape()).containsExactly(2, 3, 1);
            assertThat(Tensor.layoutProblem(tensor.datatype(), tensor.shape(), tensor.raw())).isEmpty();
        }
        assertThat(RandomTensors.of(specs, 2)).zipSatisfy(tensors,
                (again, first) -> assertThat(again.raw()).containsExactly(first.raw()));
        float[] pixels = tensors.get(Datatype.FP32.ordinal()).floats();
        for (float pixel : pixels) {
            assertThat(pixel).isBetween(0f, 1f).isLessThan(1f);
        }
    }
}
