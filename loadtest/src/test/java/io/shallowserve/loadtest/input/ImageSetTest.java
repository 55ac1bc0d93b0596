package io.shallowserve.loadtest.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSetTest {

    private static final ModelInput INPUT = new ModelInput("input", "FP32", List.of(-1L, 1L, 2L, 2L));

    @TempDir
    Path folder;

    /** Three 2x2 images: image i has pixels i*10, i*10+1, i*10+2, 255. */
    private Path idx() throws IOException {
        Path file = folder.resolve("images-idx3-ubyte.gz");
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(0x00000803);
            out.writeInt(3);
            out.writeInt(2);
            out.writeInt(2);
            for (int i = 0; i < 3; i++) {
                out.write(new byte[] {(byte) (i * 10), (byte) (i * 10 + 1), (byte) (i * 10 + 2), (byte) 255});
            }
        }
        return file;
    }

    @Test
    void read_idx_scalesPixelsTo01() throws IOException {
        ImageSet images = ImageSet.read(idx(), 10, INPUT);

        assertThat(images.pixels()).hasSize(3);
        assertThat(images.pixels().get(1)).containsExactly(10 / 255f, 11 / 255f, 12 / 255f, 1f);
    }

    @Test
    void read_limit_readsOnlyThatMany() throws IOException {
        assertThat(ImageSet.read(idx(), 2, INPUT).pixels()).hasSize(2);
    }

    @Test
    void read_imagesOfAnotherSize_sayWhatTheModelTakes() throws IOException {
        ModelInput larger = new ModelInput("input", "FP32", List.of(-1L, 1L, 28L, 28L));

        assertThatThrownBy(() -> ImageSet.read(idx(), 10, larger))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1x2x2 images")
                .hasMessageContaining("takes 1x28x28");
    }

    @Test
    void batches_cycleThroughTheImages() throws IOException {
        List<Tensor> tensors = ImageSet.read(idx(), 10, INPUT).batches(INPUT, 2, 2);

        assertThat(tensors).hasSize(2);
        assertThat(tensors.get(0).shape()).containsExactly(2, 1, 2, 2);
        // Images 0 and 1, then 2 and 0 again.
        assertThat(tensors.get(1).data()[0]).isEqualTo(20 / 255f);
        assertThat(tensors.get(1).data()[4]).isEqualTo(0f);
    }

    @Test
    void modelInput_otherThanFp32ImageBatches_isRefused() {
        assertThatThrownBy(() -> new ModelInput("x", "INT64", List.of(-1L, 4L)))
                .hasMessageContaining("FP32");
        assertThatThrownBy(() -> new ModelInput("x", "FP32", List.of(-1L, 4L)))
                .hasMessageContaining("[batch, channels, height, width]");
    }

    @Test
    void tensor_wireForms_carryTheSameValues() {
        Tensor tensor = new Tensor("input", new long[] {1, 1, 1, 2}, new float[] {0.5f, 1f});

        ByteBuffer raw = ByteBuffer.wrap(tensor.littleEndianBytes()).order(ByteOrder.LITTLE_ENDIAN);
        JsonObject json = JsonParser.parseString(tensor.inferJson()).getAsJsonObject()
                .getAsJsonArray("inputs").get(0).getAsJsonObject();

        assertThat(raw.getFloat()).isEqualTo(0.5f);
        assertThat(raw.getFloat()).isEqualTo(1f);
        assertThat(json.get("name").getAsString()).isEqualTo("input");
        assertThat(json.get("datatype").getAsString()).isEqualTo("FP32");
        assertThat(json.get("shape").toString()).isEqualTo("[1,1,1,2]");
        assertThat(json.get("data").toString()).isEqualTo("[0.5,1.0]");
        // tritonclient.http's JSON for infer(model, [input]) after input.set_data_from_numpy(data), byte for byte.
        assertThat(tensor.inferBinaryJson()).isEqualTo("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,1,2],"
                + "\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":8}}],"
                + "\"parameters\":{\"binary_data_output\":true}}");
    }
}
