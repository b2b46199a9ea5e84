package io.kiln.source;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * {@code jsonl}: one JSON object per line, plain, gzip or zstd. Without a schema, the rows of a
 * text source (the mapped id and text); with one, typed rows ({@link TypedJsonlReader}).
 */
final class JsonlFormat implements SourceFormat {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    @Override
    public String specName() {
        return "jsonl";
    }

    @Override
    public Typing typing() {
        return Typing.EITHER;
    }

    @Override
    public boolean readsJson() {
        return true;
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        return HashingInput.openWith(file, bytesRead, raw -> options.schema().isPresent()
                ? new TypedJsonlReader(raw, options.schema().get(), sha256, options.maxRecordBytes(), options.compression())
                : new JsonlReader(raw, options.fields(), options.maxRecordBytes(), options.compression()));
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        if (options.schema().isEmpty()) {
            return Map.of("format", specName(), "fields", Map.of("id", options.fields().idField(), "text", options.fields().textField()));
        }
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("format", specName());
        recipe.put("schema", options.schema().get().recipe());
        return recipe;
    }

    /** The objects among the first {@code records} non-blank lines (in file order), by {@link SchemaInference}'s rule. */
    @Override
    public List<RecordSchema.Field> infer(List<InputFile> files, ReadOptions options, int records) throws IOException {
        return SchemaInference.infer(files, options, records, (file, inference, wanted) -> {
            int seen = 0;
            try (HashingInput raw = HashingInput.open(file, bytes -> {})) {
                BoundedLineReader lines = JsonlReader.lines(raw, options.compression(), options.maxRecordBytes());
                BoundedLineReader.Line line;
                while (seen < wanted && (line = lines.next()) != null) {
                    if (BoundedLineReader.isBlank(line) || line.truncated() || JsonlReader.undecodable(line, "") != null) {
                        continue;
                    }
                    Optional<JsonNode> node = parse(line);
                    if (node.isPresent() && node.get().isObject()) {
                        inference.addJson(node.get());
                        seen++;
                    }
                }
            }
            catch (UnreadableInputException e) {
                // the rest of this file cannot be decoded (the job makes it a reject): infer from what was read
            }
            return seen;
        });
    }

    private static Optional<JsonNode> parse(BoundedLineReader.Line line) {
        try {
            return Optional.ofNullable(MAPPER.readTree(line.bytes(), 0, line.length()));
        }
        catch (IOException e) {
            return Optional.empty();
        }
    }
}
