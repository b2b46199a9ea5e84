package io.kiln.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kiln.transform.BatchTransform;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;

class ImageEmbedStepTest {
    private static final String MODEL = "src/test/resources/embed/tiny-image-encoder.onnx";
    private static final String MODEL_SHA256 = "0680a961752345e58ab6b56ecb48900e4fa0594c84bd4ab14f4522a7af573936";
    private static final List<String> IMAGES = List.of("rocket.jpg", "camera.png", "coins.png", "moon.png", "horse.png", "text.png", "gps-orientation-3.jpg");

    private static BatchTransform bind(Map<String, Object> parameters) {
        return (BatchTransform) StepRegistry.defaultRegistry().find("embed-image").orElseThrow().bind(parameters);
    }

    private static List<Row> rows() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String name : IMAGES) {
            rows.add(new Row(name, Map.of("image", ByteBuffer.wrap(Files.readAllBytes(Path.of("src/test/resources/images", name))).asReadOnlyBuffer())));
        }
        return rows;
    }

    private static List<float[]> vectors(List<Outcome> outcomes) {
        return outcomes.stream().map(outcome -> (float[]) ((Outcome.Emit) outcome).row().value("image_embedding").orElseThrow()).toList();
    }

    @Test
    void embedsEveryImageTheSameWhateverTheBatch() throws Exception {
        BatchTransform one = bind(Map.of("modelPath", MODEL, "size", 32, "maxBatchSize", 1, "modelSha256", MODEL_SHA256));
        BatchTransform many = bind(Map.of("modelPath", MODEL, "size", 32, "maxBatchSize", 5));
        List<float[]> single = vectors(one.applyAll(rows()));
        List<float[]> batched = vectors(many.applyAll(rows()));
        for (int i = 0; i < single.size(); i++) {
            assertThat(batched.get(i)).as(IMAGES.get(i)).containsExactly(single.get(i));
            assertThat(single.get(i)).hasSize(16);
            double norm = 0;
            for (float value : single.get(i)) {
                norm += value * value;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        // distinct images give distinct vectors
        assertThat(single.get(0)).isNotEqualTo(single.get(1));
        assertThat(one.fingerprint()).containsEntry("model-sha256", MODEL_SHA256);
        assertThat(one.columns()).singleElement().satisfies(column -> assertThat(column.type().spec()).isEqualTo("list<float>"));
    }

    @Test
    void aBadModelOrImageIsAClearError() throws Exception {
        assertThatThrownBy(() -> bind(Map.of("modelPath", MODEL, "modelSha256", "00")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelSha256"))
                .hasMessageContaining(MODEL_SHA256);
        assertThatThrownBy(() -> bind(Map.of("modelPath", "src/test/resources/images/camera.png")))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelPath"));
        assertThatThrownBy(() -> bind(Map.of("modelPath", MODEL, "mean", List.of(0.5))))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("mean"));
        Row corrupt = new Row("bad", Map.of("image", ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3})));
        Outcome outcome = bind(Map.of("modelPath", MODEL, "size", 32)).apply(corrupt);
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Drop.class, drop -> assertThat(drop.reason()).isEqualTo("corrupt-image"));
    }
}
