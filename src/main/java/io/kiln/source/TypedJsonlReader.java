package io.kiln.source;

import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/**
 * JSON lines read by a {@link RecordSchema}: every declared field of every line, nested objects as
 * structs and arrays as lists ({@link TypedValues#fromJson}). A field is known when the schema reads
 * it, or a field inside it (a path such as {@code meta.author}); the other top-level fields, and the
 * fields of a struct that its type does not name, are unknown.
 */
final class TypedJsonlReader extends StreamedReader {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    private static final JsonMapper EXACT = MAPPER.rebuild().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    /** For token streams: the reader checks for trailing tokens itself (the mapper would check after every nested value). */
    private static final ObjectMapper STREAMED = MAPPER.rebuild().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final ObjectMapper STREAMED_EXACT = EXACT.rebuild().disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final BoundedLineReader lines;
    private final TypedRows rows;
    private final List<RecordSchema.Field> fields;
    private final ObjectMapper mapper;
    private final ObjectMapper streamed;
    private final Set<String> known = new HashSet<>();
    private final String idField;
    private final int maxRecordBytes;
    /** When no path has a dot: the field index of each top-level name, for reading a line as a token stream. */
    private final Map<String, Integer> byName;

    TypedJsonlReader(HashingInput raw, RecordSchema schema, String sha256, int maxRecordBytes, Compression compression) throws IOException {
        super(raw);
        this.rows = new TypedRows(schema, sha256);
        this.fields = schema.fields();
        this.maxRecordBytes = maxRecordBytes;
        this.lines = new BoundedLineReader(compression.decompress(raw), maxRecordBytes);
        boolean decimals = fields.stream().anyMatch(field -> hasDecimal(field.column().type()));
        this.mapper = decimals ? EXACT : MAPPER;
        this.streamed = decimals ? STREAMED_EXACT : STREAMED;
        fields.forEach(field -> known.add(topLevel(field.source())));
        this.idField = schema.id() instanceof RecordSchema.FromField id ? id.field() : null;
        if (idField != null) {
            known.add(topLevel(idField));
        }
        boolean flat = (idField == null || idField.indexOf('.') < 0) && fields.stream().noneMatch(field -> field.source().indexOf('.') >= 0);
        if (flat) {
            Map<String, Integer> names = new java.util.HashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                names.putIfAbsent(fields.get(i).source(), i);
            }
            this.byName = names;
        }
        else {
            this.byName = null;
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
        BoundedLineReader.Line line = lines.nextNonBlank();
        return line == null ? Optional.empty() : Optional.of(parse(line));
    }

    private SourceRecord parse(BoundedLineReader.Line line) {
        String position = "line:" + line.number();
        if (line.truncated()) {
            return new SourceRecord.Malformed(position, "record-too-large", "line is longer than the limit of " + maxRecordBytes + " bytes",
                    JsonlReader.rawText(line));
        }
        if (byName != null) {
            return stream(line, position);
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

    /** A value as an error message shows it: the JSON text of a number or boolean, unquoted. */
    private record Literal(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * The line read as a stream of tokens, without building a tree: the same rows, rejects and
     * messages as the tree (for schemas whose fields are all top-level), at a fraction of the cost.
     * A value of a list or struct column is read as a tree, then converted as the tree path does.
     */
    private SourceRecord stream(BoundedLineReader.Line line, String position) {
        Object[] values = rows.newValues();
        TreeMap<String, String> unknown = new TreeMap<>();
        String id = rows.positionId(position);
        ValueException failed = null;
        try (JsonParser parser = streamed.createParser(line.bytes(), 0, line.length())) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                parser.skipChildren();
                if (parser.nextToken() != null) {
                    throw new JsonParseException(parser, "Trailing token (of type " + parser.currentToken() + ") found after value");
                }
                return new SourceRecord.Malformed(position, "not-an-object", "line is JSON but not an object", JsonlReader.rawText(line));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                Integer index = byName.get(name);
                if (name.equals(idField)) {
                    if (token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT) {
                        id = parser.getText();
                    }
                    else if (token == JsonToken.VALUE_NULL) {
                        id = rows.positionId(position);
                    }
                    else if (failed == null) {
                        Object shown = token.isStructStart() ? new Literal(parser.readValueAsTree().toString()) : shown(parser, token);
                        failed = new ValueException(ValueException.TYPE_MISMATCH, "column 'id': " + ValueException.shown(shown)
                                + " is not a string or a whole number (field '" + idField + "')");
                    }
                    if (index == null) {
                        parser.skipChildren();
                        continue;
                    }
                }
                if (index == null) {
                    unknown.put(name, token.isScalarValue() ? jsonText(parser, token) : parser.readValueAsTree().toString());
                    continue;
                }
                if (failed != null) {
                    parser.skipChildren();
                    continue;
                }
                Column column = fields.get(index).column();
                try {
                    values[index] = value(parser, token, column.type(), column.name(), unknown);
                }
                catch (ValueException e) {
                    failed = e;
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "Trailing token (of type " + parser.currentToken() + ") found after value");
            }
        }
        catch (JsonProcessingException e) {
            return new SourceRecord.Malformed(position, "malformed-json", e.getOriginalMessage(), JsonlReader.rawText(line));
        }
        catch (IOException e) {
            return new SourceRecord.Malformed(position, "malformed-json", String.valueOf(e.getMessage()), JsonlReader.rawText(line));
        }
        if (failed != null) {
            return TypedRows.malformed(position, failed, JsonlReader.rawText(line));
        }
        return rows.record(position, id, values, unknown, () -> JsonlReader.rawText(line));
    }

    /** A scalar token's JSON text (strings quoted and escaped, numbers as written). */
    private static String jsonText(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(parser.getText())) + "\"";
        }
        return parser.getText();
    }

    /** The current value (token {@code token}) as a value of {@code type}, by {@link TypedValues}' rules. */
    private Object value(JsonParser parser, JsonToken token, DataType type, String column, TreeMap<String, String> unknown) throws IOException, ValueException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            JsonNode tree = parser.readValueAsTree();
            return TypedValues.fromJson(tree, type, column, (path, unknownValue) -> unknown.put(path, unknownValue.toString()));
        }
        if (type instanceof DataType.Primitive primitive) {
            switch (primitive) {
                case STRING:
                    return parser.getText();
                case BOOLEAN:
                    if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                        return token == JsonToken.VALUE_TRUE;
                    }
                    throw ValueException.mismatch(column, shown(parser, token), "a boolean");
                case INT:
                    if (token == JsonToken.VALUE_NUMBER_INT) {
                        if (parser.getNumberType() == JsonParser.NumberType.INT) {
                            return parser.getIntValue();
                        }
                        throw ValueException.mismatch(column, shown(parser, token), "an int (out of range)");
                    }
                    throw ValueException.mismatch(column, shown(parser, token), "an int");
                case LONG:
                    if (token == JsonToken.VALUE_NUMBER_INT) {
                        JsonParser.NumberType number = parser.getNumberType();
                        if (number == JsonParser.NumberType.INT || number == JsonParser.NumberType.LONG) {
                            return parser.getLongValue();
                        }
                        throw ValueException.mismatch(column, shown(parser, token), "a long (out of range)");
                    }
                    throw ValueException.mismatch(column, shown(parser, token), "a long");
                case FLOAT:
                    if (token.isNumeric()) {
                        return Float.parseFloat(parser.getText());
                    }
                    throw ValueException.mismatch(column, shown(parser, token), "a float");
                case DOUBLE:
                    if (token.isNumeric()) {
                        return Double.parseDouble(parser.getText());
                    }
                    throw ValueException.mismatch(column, shown(parser, token), "a double");
                default:
                    if (token == JsonToken.VALUE_STRING) {
                        return TypedValues.fromText(parser.getText(), type, column);
                    }
                    throw ValueException.mismatch(column, shown(parser, token), "a " + type.spec() + (type == DataType.BINARY ? " (base64 text)" : " (ISO-8601 text)"));
            }
        }
        if (type instanceof DataType.Decimal decimal) {
            if (token.isNumeric()) {
                return TypedValues.decimal(parser.getDecimalValue(), decimal, column, new Literal(parser.getText()));
            }
            throw ValueException.mismatch(column, shown(parser, token), "a " + decimal.spec());
        }
        throw ValueException.mismatch(column, shown(parser, token), type instanceof DataType.ListOf ? "a list (JSON array)" : "a struct (JSON object)");
    }

    private static Object shown(JsonParser parser, JsonToken token) throws IOException {
        return token == JsonToken.VALUE_STRING ? parser.getText() : new Literal(parser.getText());
    }
}
