package io.kiln.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.transform.BatchTransform;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;

class EmbedStepTest {
    private final EmbedStep step = new EmbedStep();

    @TempDir
    Path directory;

    @Test
    void isRegisteredAsEmbedVersionOne() {
        assertThat(StepRegistry.defaultRegistry().find("embed")).get().extracting(definition -> definition.id().toString()).isEqualTo("embed@1");
    }

    @Test
    void setsTheEmbeddingColumnOfEveryRow() {
        Transform transform = step.bind(Map.of());
        assertThat(transform).isInstanceOf(BatchTransform.class);
        assertThat(transform.columns()).singleElement().satisfies(column -> {
            assertThat(column.name()).isEqualTo("embedding");
            assertThat(column.type()).isEqualTo(new io.kiln.transform.DataType.ListOf(io.kiln.transform.DataType.FLOAT, true));
        });
        Outcome outcome = transform.apply(Row.text("r1", "Kiln computes embeddings at ingest."));
        Row row = ((Outcome.Emit) outcome).row();
        assertThat(row.value("embedding")).get().isInstanceOf(float[].class);
        assertThat((float[]) row.value("embedding").orElseThrow()).hasSize(384);
        assertThat(((Outcome.Emit) outcome).counts()).containsEntry("tokens", 14L).doesNotContainKey("truncated");
    }

    @Test
    void batchGivesEachRowTheVectorItGetsAlone() {
        BatchTransform transform = (BatchTransform) step.bind(Map.of("column", "vector", "maxBatchSize", 3));
        List<Row> rows = EmbedderTest.texts().stream().limit(10).map(text -> Row.text(Integer.toString(text.length()), text)).toList();
        List<Outcome> together = transform.applyAll(rows);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(together.get(i)).isEqualTo(transform.apply(rows.get(i)));
        }
    }

    @Test
    void embeddingThroughputIsCountedByExecutionProvider() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(registry);
        try {
            BatchTransform transform = (BatchTransform) step.bind(Map.of("inputColumn", "caption"));
            transform.applyAll(List.of(new Row("a", Map.of("caption", "A red kiln at dusk.")), new Row("b", Map.of("rank", 3)),
                    new Row("c", Map.of("caption", "Clay, glaze, fire."))));
            assertThat(registry.get("kiln.embedding.rows").tag("provider", "CPU").tag("modality", "text").counter().count()).isEqualTo(2.0);
            assertThat(registry.get("kiln.embedding.seconds").tag("provider", "CPU").counter().count()).isPositive();
        }
        finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(registry);
        }
    }

    @Test
    void inputColumnEmbedsThatColumnAndPassesOnARowWithoutIt() {
        BatchTransform transform = (BatchTransform) step.bind(Map.of("inputColumn", "caption"));
        assertThat(transform.reads()).containsExactly(io.kiln.transform.Column.string("caption", ""));
        float[] fromText = (float[]) ((Outcome.Emit) step.bind(Map.of()).apply(Row.text("a", "A red kiln at dusk."))).row().value("embedding").orElseThrow();
        Row captioned = new Row("a", Map.of("caption", "A red kiln at dusk.", "rank", 2));
        Row without = new Row("b", Map.of("rank", 3));
        List<Outcome> outcomes = transform.applyAll(List.of(captioned, without));
        Row embedded = ((Outcome.Emit) outcomes.get(0)).row();
        assertThat((float[]) embedded.value("embedding").orElseThrow()).containsExactly(fromText);
        assertThat(embedded.value("rank")).contains(2);
        assertThat(((Outcome.Emit) outcomes.get(1)).rows()).containsExactly(without);
    }

    @Test
    void countsTruncatedTexts() {
        Outcome outcome = step.bind(Map.of()).apply(Row.text("long", (EmbedderTest.PARAGRAPH + " ").repeat(4)));
        assertThat(((Outcome.Emit) outcome).counts()).containsEntry("truncated", 1L).containsEntry("tokens", 256L);
    }

    @Test
    void fingerprintIsTheModelNameAndTheHashesOfItsFiles() throws IOException {
        Map<String, String> fingerprint = step.bind(Map.of("model", "all-minilm-l6-v2")).fingerprint();
        assertThat(fingerprint).containsOnlyKeys("model", "model-sha256", "tokenizer-sha256", "kiln.embedding-model", "kiln.embedding-tokenizer");
        assertThat(fingerprint.get("kiln.embedding-model")).startsWith("all-minilm-l6-v2 dim=384 max-tokens=256 pooling=mean onnx-sha256=");
        assertThat(fingerprint).containsEntry("model", "all-minilm-l6-v2");
        assertThat(fingerprint.get("model-sha256")).isEqualTo(EmbeddingModels.sha256(resource("/all-minilm-l6-v2.onnx")));
        assertThat(fingerprint.get("tokenizer-sha256")).isEqualTo(EmbeddingModels.sha256(resource("/all-minilm-l6-v2-tokenizer.json")));
        EmbedTransform transform = (EmbedTransform) step.bind(Map.of());
        assertThat(transform.model().name()).isEqualTo("all-minilm-l6-v2");
        assertThat(transform.provider()).isEqualTo(ExecutionProvider.CPU);
    }

    @Test
    void modelOnDiskGivesTheSameVectorsAsTheShippedOne() throws IOException {
        Path model = copy("/all-minilm-l6-v2.onnx", "minilm.onnx");
        Path tokenizer = copy("/all-minilm-l6-v2-tokenizer.json", "tokenizer.json");
        Map<String, Object> parameters = Map.of("modelPath", model.toString(), "tokenizerPath", tokenizer.toString(), "maxSequenceLength", 256);
        EmbedTransform onDisk = (EmbedTransform) step.bind(parameters);
        assertThat(step.bind(parameters)).extracting(transform -> ((EmbedTransform) transform).model()).isSameAs(onDisk.model());
        assertThat(onDisk.model().name()).isEqualTo("minilm");
        assertThat(onDisk.fingerprint().get("model-sha256")).isEqualTo(step.bind(Map.of()).fingerprint().get("model-sha256"));
        Row row = Row.text("r1", "The same file gives the same vector.");
        assertThat(onDisk.apply(row)).isEqualTo(step.bind(Map.of()).apply(row));
    }

    @Test
    void rejectsAModelFileThatDoesNotExist() throws IOException {
        Path tokenizer = copy("/all-minilm-l6-v2-tokenizer.json", "tokenizer.json");
        assertThatThrownBy(() -> step.bind(Map.of("modelPath", directory.resolve("missing.onnx").toString(), "tokenizerPath", tokenizer.toString())))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelPath"))
                .hasMessageContaining("missing.onnx does not exist");
    }

    @Test
    void rejectsAModelFileThatDoesNotLoad() throws IOException {
        Path tokenizer = copy("/all-minilm-l6-v2-tokenizer.json", "tokenizer.json");
        Path corrupt = directory.resolve("corrupt.onnx");
        byte[] truncated = resource("/all-minilm-l6-v2-q.onnx");
        Files.write(corrupt, java.util.Arrays.copyOf(truncated, 4096));
        assertThatThrownBy(() -> step.bind(Map.of("modelPath", corrupt.toString(), "tokenizerPath", tokenizer.toString())))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("modelPath"))
                .hasMessageStartingWith("Cannot load model corrupt from " + corrupt.toAbsolutePath());
    }

    @Test
    void rejectsATokenizerThatDoesNotLoad() throws IOException {
        Path model = copy("/all-minilm-l6-v2-q.onnx", "model.onnx");
        Path tokenizer = Files.writeString(directory.resolve("tokenizer.json"), "{\"not\": \"a tokenizer\"}");
        assertThatThrownBy(() -> step.bind(Map.of("modelPath", model.toString(), "tokenizerPath", tokenizer.toString())))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("tokenizerPath"))
                .hasMessageStartingWith("Cannot load the tokenizer of model");
        assertThatThrownBy(() -> step.bind(Map.of("modelPath", model.toString())))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("tokenizerPath"))
                .hasMessage("is required with modelPath");
    }

    @Test
    void rejectsBadParameters() {
        assertParameterError(Map.of("model", "gpt-5"), "model", "unknown model gpt-5; shipped models are all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5");
        assertParameterError(Map.of("maxBatchSize", 0), "maxBatchSize", "must be a whole number from 1 to 65536, was 0");
        assertParameterError(Map.of("maxBatchTokens", "many"), "maxBatchTokens", "must be a whole number from 1 to 16777216, was many");
        assertParameterError(Map.of("column", "Embedding"), "column", "must be a lower snake case column name, was Embedding");
        assertParameterError(Map.of("pooling", "cls"), "pooling", "only applies to a model given by modelPath; a shipped model has its own");
        assertParameterError(Map.of("dimension", 384), "dimension", "unknown parameter; known parameters are column, inputColumn, maxBatchSize, maxBatchTokens, maxSequenceLength, model, modelPath, pooling, tokenizerPath");
        Map<String, Object> both = new HashMap<>();
        both.put("model", "all-minilm-l6-v2");
        both.put("modelPath", "/tmp/model.onnx");
        assertParameterError(both, "model", "give either model or modelPath and tokenizerPath, not both");
    }

    private void assertParameterError(Map<String, Object> parameters, String parameter, String message) {
        assertThatThrownBy(() -> step.bind(parameters))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo(parameter))
                .hasMessage(message);
    }

    private Path copy(String resource, String name) throws IOException {
        return Files.write(directory.resolve(name), resource(resource));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = EmbedStepTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
