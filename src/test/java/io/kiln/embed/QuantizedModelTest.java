package io.kiln.embed;

import static io.kiln.embed.EmbedderTest.cosine;
import static io.kiln.embed.EmbedderTest.texts;
import static io.kiln.embed.EmbedderTest.vectors;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class QuantizedModelTest {
    /**
     * int8: dynamic quantization scales activations over the whole batch, so a vector depends
     * slightly on its batch mates; it stays close to the fp32 vector.
     */
    @Test
    void int8VectorsStayCloseAcrossBatchesAndToFp32() {
        Embedder int8 = EmbeddingModels.named("all-minilm-l6-v2-q");
        List<String> texts = texts();
        List<float[]> alone = vectors(int8, texts, new BatchLimits(1 << 20, 1));
        List<float[]> batched = vectors(int8, texts, new BatchLimits(1 << 20, 64));
        List<float[]> fp32 = vectors(EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL), texts, BatchLimits.DEFAULT);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(cosine(alone.get(i), batched.get(i))).as("alone vs batched: %s", texts.get(i)).isGreaterThanOrEqualTo(0.97);
            assertThat(cosine(batched.get(i), fp32.get(i))).as("int8 vs fp32: %s", texts.get(i)).isGreaterThanOrEqualTo(0.97);
        }
    }
}
