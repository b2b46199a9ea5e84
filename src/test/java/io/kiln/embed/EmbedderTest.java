package io.kiln.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class EmbedderTest {
    static final String PARAGRAPH = "Kiln turns raw data into immutable, model-ready Apache Iceberg snapshots. "
            + "All transformation happens up front: deterministic, versioned steps, embeddings computed at ingest on the GPU where there is one, "
            + "data-quality checks that gate every commit. Training jobs pin snapshot IDs; analysts query those snapshots through Trino; "
            + "pipelines post ingestion jobs to Kiln's HTTP API. When raw data is dumped into a lake and transformed on read, every consumer "
            + "re-runs its own slightly different chunking, tokenization and cleaning, training sets drift silently, and GPU hours are spent "
            + "on preprocessing. Kiln does the work once, records exactly how, and makes the result immutable and addressable by snapshot ID.";

    /** 24 texts from 1 to 30 words, in an order unrelated to their length. */
    static List<String> texts() {
        String[] words = PARAGRAPH.split(" ");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int start = (i * 37) % words.length;
            int length = 1 + (i * 53) % 30;
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < length; w++) {
                text.append(w == 0 ? "" : " ").append(words[(start + w) % words.length]);
            }
            texts.add(text.toString());
        }
        return texts;
    }

    static List<float[]> vectors(Embedder embedder, List<String> texts, BatchLimits limits) {
        return embedder.embed(texts, limits).stream().map(Embedder.Embedding::vector).toList();
    }

    @Test
    void fp32VectorsAreBitIdenticalWhateverTheBatchSize() {
        Embedder embedder = EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL);
        List<String> texts = texts();
        List<float[]> alone = texts.stream().map(text -> embedder.embed(List.of(text)).get(0).vector()).toList();
        for (BatchLimits limits : List.of(new BatchLimits(1 << 20, 1), new BatchLimits(1 << 20, 7), new BatchLimits(1 << 20, 64), new BatchLimits(200, 64))) {
            assertThat(vectors(embedder, texts, limits)).as("batch limits %s", limits).containsExactlyElementsOf(alone);
        }
    }

    @Test
    void matchesLangChain4jReferenceVectors() throws IOException {
        Embedder embedder = EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL);
        List<ReferenceVectors.Reference> references = ReferenceVectors.read();
        assertThat(references).hasSize(ReferenceVectors.SENTENCES.size());
        List<Embedder.Embedding> embeddings = embedder.embed(references.stream().map(ReferenceVectors.Reference::text).toList());
        for (int i = 0; i < references.size(); i++) {
            assertThat(cosine(embeddings.get(i).vector(), references.get(i).vector())).as(references.get(i).text()).isGreaterThanOrEqualTo(0.999);
        }
    }

    @Test
    void vectorsAreUnitLengthWithTheModelDimension() {
        Embedder embedder = EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL);
        assertThat(embedder.model().dimension()).isEqualTo(384);
        for (Embedder.Embedding embedding : embedder.embed(List.of("", "one", PARAGRAPH))) {
            assertThat(embedding.vector()).hasSize(384);
            assertThat(cosine(embedding.vector(), embedding.vector())).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void embedsEmptyTextAsClsSep() {
        Embedder embedder = EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL);
        Embedder.Embedding empty = embedder.embed(List.of("")).get(0);
        assertThat(empty.tokens()).isEqualTo(2);
        assertThat(empty.truncated()).isFalse();
        assertThat(embedder.tokenIds("")).containsExactly(101L, 102L);
    }

    @Test
    void truncatesAtTheModelLengthAndDoesNotPad() {
        Embedder embedder = EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL);
        String longText = (PARAGRAPH + " ").repeat(4);
        List<Embedder.Embedding> embeddings = embedder.embed(List.of("short text", longText));
        assertThat(embeddings.get(0).tokens()).isEqualTo(4);
        assertThat(embeddings.get(0).truncated()).isFalse();
        assertThat(embeddings.get(1).tokens()).isEqualTo(256);
        assertThat(embeddings.get(1).truncated()).isTrue();
        assertThat(embedder.tokenIds(longText)).hasSize(256).endsWith(102L);
    }

    @Test
    void recordsWhatIdentifiesEachShippedModel() {
        ModelInfo minilm = EmbeddingModels.named("all-minilm-l6-v2").model();
        assertThat(minilm.source()).isEqualTo("classpath:/all-minilm-l6-v2.onnx");
        assertThat(minilm.onnxSha256()).matches("[0-9a-f]{64}");
        assertThat(minilm.tokenizerSha256()).matches("[0-9a-f]{64}");
        assertThat(minilm.maxSequenceLength()).isEqualTo(256);
        assertThat(minilm.pooling()).isEqualTo(Pooling.MEAN);
        assertThat(minilm.tokenTypeIds()).isTrue();
        assertThat(minilm.describe()).startsWith("all-minilm-l6-v2 dim=384 max-tokens=256 pooling=mean onnx-sha256=" + minilm.onnxSha256());
        assertThat(EmbeddingModels.names()).containsExactly("all-minilm-l6-v2", "all-minilm-l6-v2-q", "bge-small-en-v1.5");
        assertThat(EmbeddingModels.named("all-minilm-l6-v2")).isSameAs(EmbeddingModels.named("all-minilm-l6-v2"));
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }
}
