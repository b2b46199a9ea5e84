package io.kiln.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code label-studio}: human labels from a Label Studio JSON export (the "JSON" export format: an
 * array of tasks, each with its {@code data} and its {@code annotations}, each annotation with a
 * {@code result} list). One row per task, read as a typed record like a JSON lines object:
 * {@code id} (the task's {@code data.id} when it has one, so that the labels join the rows that were
 * sent to Label Studio; else the task's own id), {@code task_id}, {@code label} (the first choice of
 * the first {@code choices} result of the first annotation that was not cancelled), {@code choices}
 * (all the choices of that result), {@code annotator} ({@code completed_by}), {@code annotation_id},
 * {@code annotated_at}, and the task's other {@code data} fields. A task without such an annotation
 * is a reject ({@code no-annotation}). Tasks are streamed one at a time.
 */
final class LabelStudioFormat implements SourceFormat {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public String specName() {
        return "label-studio";
    }

    @Override
    public Typing typing() {
        return Typing.TYPED;
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        return HashingInput.openWith(file, bytesRead, raw -> new Reader(raw, options.schema().orElseThrow(), sha256));
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("format", specName());
        recipe.put("label", "first choice of the first choices result of the first annotation not cancelled");
        recipe.put("schema", options.schema().orElseThrow().recipe());
        return recipe;
    }

    @Override
    public List<RecordSchema.Field> infer(List<InputFile> files, ReadOptions options, int records) throws IOException {
        return SchemaInference.infer(files, options, records, (file, inference, wanted) -> {
            int seen = 0;
            try (HashingInput raw = HashingInput.open(file, bytes -> {}); Tasks tasks = new Tasks(raw)) {
                Optional<JsonNode> task;
                while (seen < wanted && (task = tasks.next()).isPresent()) {
                    Optional<ObjectNode> row = row(task.get());
                    if (row.isPresent()) {
                        inference.addJson(row.get());
                        seen++;
                    }
                }
            }
            return seen;
        });
    }

    /** The tasks of an export, one at a time. */
    private static final class Tasks implements AutoCloseable {
        private final JsonParser parser;
        private boolean started;

        Tasks(InputStream in) throws IOException {
            this.parser = MAPPER.getFactory().createParser(in);
        }

        Optional<JsonNode> next() throws IOException {
            if (!started) {
                started = true;
                JsonToken first = parser.nextToken();
                if (first == null) {
                    return Optional.empty();
                }
                if (first != JsonToken.START_ARRAY) {
                    throw new UnreadableInputException("a Label Studio JSON export is an array of tasks; this file starts with " + first, null);
                }
            }
            JsonToken token = parser.nextToken();
            if (token == null || token == JsonToken.END_ARRAY) {
                return Optional.empty();
            }
            return Optional.of(parser.readValueAsTree());
        }

        long line() {
            return parser.currentLocation().getLineNr();
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    /** A task as the row's JSON object, or empty when it has no usable annotation. */
    static Optional<ObjectNode> row(JsonNode task) {
        if (!task.isObject()) {
            return Optional.empty();
        }
        for (JsonNode annotation : task.path("annotations")) {
            if (annotation.path("was_cancelled").asBoolean(false)) {
                continue;
            }
            for (JsonNode result : annotation.path("result")) {
                JsonNode choices = result.path("value").path("choices");
                if (!"choices".equals(result.path("type").asText()) || !choices.isArray() || choices.isEmpty()) {
                    continue;
                }
                ObjectNode row = MAPPER.createObjectNode();
                JsonNode data = task.path("data");
                JsonNode dataId = data.path("id");
                row.put("id", dataId.isTextual() || dataId.isIntegralNumber() ? dataId.asText() : task.path("id").asText());
                row.set("task_id", task.path("id"));
                row.put("label", choices.get(0).asText());
                ArrayNode all = row.putArray("choices");
                choices.forEach(choice -> all.add(choice.asText()));
                JsonNode annotator = annotation.path("completed_by");
                row.put("annotator", annotator.isObject() ? annotator.path("email").asText(annotator.path("id").asText()) : annotator.asText());
                row.set("annotation_id", annotation.path("id"));
                row.put("annotated_at", annotation.path("updated_at").asText(annotation.path("created_at").asText()));
                for (Iterator<Map.Entry<String, JsonNode>> fields = data.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    if (!row.has(field.getKey())) {
                        row.set(field.getKey(), field.getValue());
                    }
                }
                return Optional.of(row);
            }
        }
        return Optional.empty();
    }

    private static final class Reader extends StreamedReader {
        private final Tasks tasks;
        private final TypedJsonParser parser;
        private long index;

        Reader(HashingInput raw, RecordSchema schema, String sha256) throws IOException {
            super(raw);
            this.tasks = new Tasks(raw);
            this.parser = new TypedJsonParser(schema, sha256);
        }

        @Override
        public Optional<SourceRecord> next() throws IOException {
            Optional<JsonNode> task;
            try {
                task = tasks.next();
            }
            catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UnreadableInputException("the Label Studio export is not valid JSON near line " + tasks.line() + ": " + e.getOriginalMessage(), e);
            }
            if (task.isEmpty()) {
                return Optional.empty();
            }
            String position = "task:" + index++;
            String raw = task.get().toString();
            Optional<ObjectNode> row = row(task.get());
            if (row.isEmpty()) {
                return Optional.of(new SourceRecord.Malformed(position, "no-annotation",
                        "task " + task.get().path("id").asText("?") + " has no annotation that is not cancelled with a choices result", raw));
            }
            byte[] bytes = MAPPER.writeValueAsBytes(row.get());
            return Optional.of(parser.parse(bytes, bytes.length, position, "task", () -> new String(bytes, StandardCharsets.UTF_8)));
        }
    }
}
