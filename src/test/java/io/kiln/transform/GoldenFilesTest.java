package io.kiln.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every step version has golden files: {@code golden/<name>@<version>/input.jsonl} (case, params,
 * text, optional id and columns) and {@code expected.jsonl} (case, outcome, and the text and
 * columns, the rows of a split, the counts, or the drop reason). A line with {@code "fitted": true}
 * runs a fitted step over its whole job (the lines with the same params). A step whose output changes
 * without a version bump fails here. To record the files of a new version, run with
 * {@code -Dkiln.golden.record=true} and review the diff.
 */
class GoldenFilesTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyRegisteredStepVersionHasGoldenFiles() {
        for (StepDefinition definition : StepRegistry.defaultRegistry().definitions()) {
            Path directory = GOLDEN.resolve(definition.id().toString());
            assertThat(directory.resolve("input.jsonl")).as("golden input of %s", definition.id()).exists();
            assertThat(directory.resolve("expected.jsonl")).as("golden output of %s", definition.id()).exists();
        }
    }

    @Test
    void everyStepReproducesItsGoldenOutput() throws IOException {
        for (StepDefinition definition : StepRegistry.defaultRegistry().definitions()) {
            Path directory = GOLDEN.resolve(definition.id().toString());
            List<String> actual = new ArrayList<>();
            for (String line : Files.readAllLines(directory.resolve("input.jsonl"), StandardCharsets.UTF_8)) {
                JsonNode input = JSON.readTree(line);
                @SuppressWarnings("unchecked")
                Map<String, Object> parameters = JSON.convertValue(input.get("params"), Map.class);
                Transform transform = definition.bind(parameters, GOLDEN_CONTEXT);
                Row row = row(input);
                Outcome outcome = transform instanceof DuplicateFilter filter ? deduplicated(filter, directory.resolve("input.jsonl"), row, input)
                        : transform instanceof FittedStep fitted && input.path("fitted").asBoolean() ? fitted(fitted, directory.resolve("input.jsonl"), input) : transform.apply(row);
                Map<String, Object> result = new TreeMap<>();
                result.put("case", input.get("case").asText());
                if (outcome instanceof Outcome.Emit emit) {
                    result.put("outcome", "emit");
                    if (emit.rows().size() == 1) {
                        emit.row().string(Row.TEXT).ifPresent(text -> result.put("text", text));
                        if (!columnsBesideText(emit.row()).isEmpty()) {
                            result.put("columns", columnsBesideText(emit.row()));
                        }
                    }
                    else {
                        result.put("rows", emit.rows().stream().map(GoldenFilesTest::describe).toList());
                    }
                    if (!emit.counts().isEmpty()) {
                        result.put("counts", new TreeMap<>(emit.counts()));
                    }
                }
                else {
                    result.put("outcome", "drop");
                    result.put("reason", ((Outcome.Drop) outcome).reason());
                    if (transform instanceof DuplicateFilter) {
                        result.put("detail", ((Outcome.Drop) outcome).detail());
                    }
                }
                actual.add(JSON.writeValueAsString(result));
            }
            Path expectedFile = directory.resolve("expected.jsonl");
            if (Boolean.getBoolean("kiln.golden.record")) {
                try (Writer writer = Files.newBufferedWriter(expectedFile, StandardCharsets.UTF_8)) {
                    for (String line : actual) {
                        writer.write(line + "\n");
                    }
                }
            }
            List<String> expected = Files.readAllLines(expectedFile, StandardCharsets.UTF_8);
            if (definition.id().toString().startsWith("embed")) {
                // a model's vectors: ONNX Runtime's CPU kernels are chosen by instruction set, so an AVX2-only machine
                // and an AVX-512 one differ in the last bits; every other value, and the vectors' shape, exactly
                assertThat(actual).hasSameSizeAs(expected);
                for (int i = 0; i < actual.size(); i++) {
                    assertSameWithinModelNoise(JSON.readTree(actual.get(i)), JSON.readTree(expected.get(i)),
                            "output of " + definition.id() + ", line " + (i + 1) + "; a change of output needs a new version");
                }
                continue;
            }
            assertThat(actual).as("output of %s; a change of output needs a new version", definition.id()).containsExactlyElementsOf(expected);
        }
    }

    private static final double MODEL_NOISE = 1e-5;

    /** The steps that pseudonymize name the key {@code golden}; no step reads a published snapshot here. */
    private static final StepContext GOLDEN_CONTEXT = new StepContext() {
        @Override
        public java.util.Optional<byte[]> secretKey(String keyId) {
            return keyId.equals("golden") ? java.util.Optional.of("golden-files-pseudonym-key".getBytes(StandardCharsets.UTF_8)) : java.util.Optional.empty();
        }

        @Override
        public java.util.Optional<Map<String, String>> publishedSummary(String reference) {
            return java.util.Optional.empty();
        }

        /** The rows of the golden inputs of steps that read other columns: id, text, stars, verified, country. */
        @Override
        public List<io.kiln.transform.Column> columnsBefore() {
            return List.of(io.kiln.transform.Column.string("id", ""), io.kiln.transform.Column.string("text", ""), io.kiln.transform.Column.integer("stars", ""),
                    io.kiln.transform.Column.optional("verified", io.kiln.transform.DataType.BOOLEAN, ""), io.kiln.transform.Column.string("country", ""));
        }

        /** {@code golden.evals} at pin {@code v1}: the contamination fixture's eval items (id, text), in file order. */
        @Override
        public java.util.Optional<TableRows> rows(String table, String reference, List<String> columns) {
            if (!table.equals("golden.evals") || !reference.equals("v1") || !List.of("id", "text").containsAll(columns)) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new TableRows(table, "golden-evals", 1, Map.of(), List.of("id", "text"), consumer -> {
                try {
                    for (String line : Files.readAllLines(Path.of("src/test/resources/fixtures/contamination/evals.jsonl"), StandardCharsets.UTF_8)) {
                        JsonNode item = JSON.readTree(line);
                        consumer.accept(new Object[] {item.get("id").asText(), item.get("text").asText()});
                    }
                }
                catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
    };

    /**
     * A fitted step's line marked {@code "fitted": true} is decided over a whole job: every line of the golden input with the same params is
     * one job (line number = occurrence); it is fitted on all of them, and this line's outcome is what
     * the fit decides for it.
     */
    private static Outcome fitted(FittedStep step, Path inputFile, JsonNode input) throws IOException {
        FittedStep.Fit fit = step.newFit();
        fit.loadHistory(java.io.InputStream.nullInputStream());
        List<String> lines = Files.readAllLines(inputFile, StandardCharsets.UTF_8);
        int self = -1;
        Row selfRow = null;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode other = JSON.readTree(lines.get(i));
            if (!other.get("params").equals(input.get("params"))) {
                continue;
            }
            Row row = row(other);
            Object observation = step.observe(row);
            if (observation != null) {
                fit.add(i, row.id(), observation);
            }
            if (other.get("case").asText().equals(input.get("case").asText())) {
                self = i;
                selfRow = row;
            }
        }
        fit.fit();
        return fit.apply(self, selfRow);
    }

    private static void assertSameWithinModelNoise(JsonNode actual, JsonNode expected, String what) {
        if (actual.isFloatingPointNumber() && expected.isNumber()) {
            assertThat(actual.doubleValue()).as(what).isCloseTo(expected.doubleValue(), org.assertj.core.data.Offset.offset(MODEL_NOISE));
            return;
        }
        assertThat(actual.getNodeType()).as(what).isEqualTo(expected.getNodeType());
        assertThat(actual.size()).as(what).isEqualTo(expected.size());
        if (actual.isArray()) {
            for (int i = 0; i < actual.size(); i++) {
                assertSameWithinModelNoise(actual.get(i), expected.get(i), what);
            }
        }
        else if (actual.isObject()) {
            List<String> names = new ArrayList<>();
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                assertThat(expected.has(name)).as(what + ": " + name).isTrue();
                assertSameWithinModelNoise(actual.get(name), expected.get(name), what);
            }
        }
        else {
            assertThat(actual).as(what).isEqualTo(expected);
        }
    }

    /**
     * A duplicate filter decides over a whole job: every line of the golden input with the same
     * params is one job (line number = occurrence), and this line's outcome is what that job decides.
     */
    private static Outcome deduplicated(DuplicateFilter filter, Path inputFile, Row row, JsonNode input) throws IOException {
        DuplicateFilter.Index index = filter.newIndex();
        index.loadHistory(java.io.InputStream.nullInputStream());
        List<String> lines = Files.readAllLines(inputFile, StandardCharsets.UTF_8);
        long self = -1;
        String selfId = null;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode other = JSON.readTree(lines.get(i));
            if (!other.get("params").equals(input.get("params"))) {
                continue;
            }
            String id = other.has("id") ? other.get("id").asText() : other.get("case").asText();
            index.add(i, id, filter.signature(row(other)));
            if (other.get("case").asText().equals(input.get("case").asText())) {
                self = i;
                selfId = id;
            }
        }
        index.decide();
        java.util.Optional<DuplicateFilter.Duplicate> duplicate = index.duplicate(self, selfId);
        if (duplicate.isEmpty()) {
            return Outcome.emit(row);
        }
        return Outcome.drop(filter.id(), "duplicate", "duplicate of " + duplicate.get().survivorId() + ", similarity "
                + String.format(java.util.Locale.ROOT, "%.3f", duplicate.get().similarity()));
    }

    private static Map<String, Object> describe(Row row) {
        Map<String, Object> described = new TreeMap<>();
        described.put("id", row.id());
        row.string(Row.TEXT).ifPresent(text -> described.put("text", text));
        if (!columnsBesideText(row).isEmpty()) {
            described.put("columns", columnsBesideText(row));
        }
        return described;
    }

    /**
     * The row of a golden input line: its id (or case), and its {@code text}, or its {@code image} or
     * {@code audio} (a file below {@code src/test/resources}, read into the binary column of that name), plus
     * its other {@code columns}.
     */
    private static Row row(JsonNode input) throws IOException {
        String id = input.has("id") ? input.get("id").asText() : input.get("case").asText();
        Row row;
        String media = input.has("image") ? "image" : input.has("audio") ? "audio" : null;
        if (media != null) {
            byte[] bytes = Files.readAllBytes(Path.of("src/test/resources").resolve(input.get(media).asText()));
            row = new Row(id, Map.of(media, java.nio.ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
        }
        else if (input.has("text")) {
            row = Row.text(id, input.get("text").asText());
        }
        else {
            row = new Row(id, Map.of());
        }
        if (input.has("columns")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> columns = JSON.convertValue(input.get("columns"), Map.class);
            row = row.with(columns);
        }
        return row;
    }

    /**
     * The golden files keep the text apart from the other columns, binary values as the sha256 of
     * their bytes, and float vectors of more than 16 values (spectrograms) as their length and the
     * sha256 of their IEEE 754 bits.
     */
    private static Map<String, Object> columnsBesideText(Row row) {
        Map<String, Object> columns = new TreeMap<>(row.columns());
        columns.remove(Row.TEXT);
        columns.replaceAll((name, value) -> value instanceof java.nio.ByteBuffer bytes ? "sha256:" + Values.sha256(bytes)
                : value instanceof float[] vector && vector.length > 16 ? "floats:" + vector.length + ":sha256:" + Values.sha256(floatBits(vector)) : value);
        return columns;
    }

    private static java.nio.ByteBuffer floatBits(float[] vector) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * vector.length);
        for (float value : vector) {
            bytes.putInt(Float.floatToRawIntBits(value));
        }
        return bytes.flip();
    }
}
