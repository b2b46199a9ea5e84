package io.kiln.source;

import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.kiln.transform.DataType;

/**
 * JSON lines read by a {@link RecordSchema}: every declared field of every line, nested objects as
 * structs and arrays as lists ({@link TypedValues#fromJson}). A field is known when the schema reads
 * it, or a field inside it (a path such as {@code meta.author}); the other top-level fields, and the
 * fields of a struct that its type does not name, are unknown.
 */
final class TypedJsonlReader implements RecordReader {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    private static final ObjectMapper EXACT = MAPPER.rebuild().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private final HashingInput raw;
    private final BoundedLineReader lines;
    private final TypedRows rows;
    private final List<RecordSchema.Field> fields;
    private final ObjectMapper mapper;
    private final Set<String> known = new HashSet<>();
    private final String idField;
    private final int maxRecordBytes;

    TypedJsonlReader(HashingInput raw, RecordSchema schema, String sha256, int maxRecordBytes, Compression compression) throws IOException {
        this.raw = raw;
        this.rows = new TypedRows(schema, sha256);
        this.fields = schema.fields();
        this.maxRecordBytes = maxRecordBytes;
        this.lines = new BoundedLineReader(compression.decompress(raw), maxRecordBytes);
        this.mapper = fields.stream().anyMatch(field -> hasDecimal(field.column().type())) ? EXACT : MAPPER;
        fields.forEach(field -> known.add(topLevel(field.source())));
        this.idField = schema.id() instanceof RecordSchema.FromField id ? id.field() : null;
        if (idField != null) {
            known.add(topLevel(idField));
        }
    }

    private static String topLevel(String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(0, dot);
    }

    static boolean hasDecimal(DataType type) {
        if (type instanceof DataType.Decimal) {
            return true;
        }
        if (type instanceof DataType.ListOf list) {
            return hasDecimal(list.element());
        }
        return type instanceof DataType.Struct struct && struct.fields().stream().anyMatch(field -> hasDecimal(field.type()));
    }

    @Override
    public Optional<SourceRecord> next() throws IOException {
        while (true) {
            BoundedLineReader.Line line = lines.next();
            if (line == null) {
                return Optional.empty();
            }
            if (JsonlReader.isBlank(line)) {
                continue;
            }
            return Optional.of(parse(line));
        }
    }

    private SourceRecord parse(BoundedLineReader.Line line) {
        String position = "line:" + line.number();
        if (line.truncated()) {
            return new SourceRecord.Malformed(position, "record-too-large", "line is longer than the limit of " + maxRecordBytes + " bytes",
                    JsonlReader.rawText(line));
        }
        JsonNode node;
        try {
            node = mapper.readTree(line.bytes(), 0, line.length());
        }
        catch (JsonProcessingException e) {
            return new SourceRecord.Malformed(position, "malformed-json", e.getOriginalMessage(), JsonlReader.rawText(line));
        }
        catch (IOException e) {
            return new SourceRecord.Malformed(position, "malformed-json", String.valueOf(e.getMessage()), JsonlReader.rawText(line));
        }
        if (node == null || !node.isObject()) {
            return new SourceRecord.Malformed(position, "not-an-object", "line is JSON but not an object", JsonlReader.rawText(line));
        }
        String id = rows.positionId(position);
        if (idField != null) {
            JsonNode value = JsonlReader.field(node, idField);
            if (value != null && !value.isNull()) {
                if (!value.isTextual() && !value.isIntegralNumber()) {
                    return new SourceRecord.Malformed(position, ValueException.TYPE_MISMATCH, "column 'id': " + ValueException.shown(value)
                            + " is not a string or a whole number (field '" + idField + "')", JsonlReader.rawText(line));
                }
                id = value.asText();
            }
        }
        Map<String, String> unknown = new TreeMap<>();
        Object[] values = rows.newValues();
        try {
            for (int i = 0; i < fields.size(); i++) {
                RecordSchema.Field field = fields.get(i);
                JsonNode value = JsonlReader.field(node, field.source());
                values[i] = value == null ? null : TypedValues.fromJson(value, field.column().type(), field.column().name(),
                        (path, unknownValue) -> unknown.put(path, unknownValue.toString()));
            }
        }
        catch (ValueException e) {
            return TypedRows.malformed(position, e, JsonlReader.rawText(line));
        }
        for (Iterator<Map.Entry<String, JsonNode>> entries = node.fields(); entries.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (!known.contains(entry.getKey())) {
                unknown.put(entry.getKey(), entry.getValue().toString());
            }
        }
        return rows.record(position, id, values, unknown, () -> JsonlReader.rawText(line));
    }

    @Override
    public String finish() throws IOException {
        return raw.finish();
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
