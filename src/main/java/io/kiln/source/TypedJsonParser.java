package io.kiln.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.kiln.error.JsonProblems;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Values;

/**
 * JSON objects read by a {@link RecordSchema} (a line of JSON lines, a WebDataset sample's
 * {@code .json}): every declared field, nested objects as
 * structs and arrays as lists. A line is read as a token stream: a top-level value that a field
 * reads whole is converted from its tokens; a value that a path reads inside (such as
 * {@code meta.author}), and a list or struct value, is read as a tree and converted by
 * {@link TypedValues#fromJson}. A key that equals a path with dots is read before the path's walk,
 * as {@link JsonlReader#field} does. A field is known when the schema reads it, or a field inside it;
 * the other top-level fields, and the fields of a struct that its type does not name, are unknown.
 */
final class TypedJsonParser {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    /** For schemas with decimals: their digits kept exactly in trees. */
    private static final JsonMapper EXACT = MAPPER.rebuild().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final int ID = -1;

    private final TypedRows rows;
    private final List<RecordSchema.Field> fields;
    private final ObjectMapper mapper;
    private final String idField;
    /** What each top-level name of a line feeds: fields (or {@link #ID}) that read it whole, or a path inside it. */
    private final Map<String, List<Target>> targets = new HashMap<>();
    /** The top-level names that some target reads a path inside of: their values are read as a tree. */
    private final Set<String> readAsTree = new HashSet<>();

    /** A field of the schema ({@link #ID} for the id) fed by a top-level value: whole ({@code path} null), or the value at {@code path} inside it. */
    private record Target(int field, String path) {
        boolean whole() {
            return path == null;
        }

        /** A key with dots that the whole value of feeds a path: it takes precedence over walking the path. */
        boolean literal(String name) {
            return path == null && name.indexOf('.') >= 0;
        }
    }

    TypedJsonParser(RecordSchema schema, String sha256) {
        this.rows = new TypedRows(schema, sha256);
        this.fields = schema.fields();
        this.mapper = fields.stream().anyMatch(field -> hasDecimal(field.column().type())) ? EXACT : MAPPER;
        this.idField = schema.idField().orElse(null);
        for (int i = 0; i < fields.size(); i++) {
            target(fields.get(i).source(), i);
        }
        if (idField != null) {
            target(idField, ID);
        }
    }

    private void target(String source, int field) {
        targets.computeIfAbsent(source, name -> new ArrayList<>()).add(new Target(field, null));
        int dot = source.indexOf('.');
        if (dot > 0) {
            targets.computeIfAbsent(source.substring(0, dot), name -> new ArrayList<>()).add(new Target(field, source.substring(dot + 1)));
            readAsTree.add(source.substring(0, dot));
        }
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

    /** What one line gives: the values, the id, fields fed by a key with dots, the first value that does not fit, unknown fields. */
    private final class Record {
        final Object[] values = rows.newValues();
        final boolean[] literal = new boolean[fields.size() + 1];
        final TreeMap<String, String> unknown = new TreeMap<>();
        String id;
        ValueException failed;

        /** Sets a field from a value; a path's value never replaces one a key with dots gave. */
        void set(Target target, Object value, String name) {
            int slot = target.field() == ID ? fields.size() : target.field();
            if (!target.whole() && literal[slot]) {
                return;
            }
            literal[slot] |= target.literal(name);
            if (target.field() == ID) {
                id = (String) value;
            }
            else {
                values[target.field()] = value;
            }
        }
    }

    /**
     * The row of the JSON object in {@code bytes[0, length)}, at {@code position}; {@code what} names
     * the record in messages ("line"), {@code raw} gives it as the rejects keep it.
     */
    SourceRecord parse(byte[] bytes, int length, String position, String what, Supplier<String> raw) {
        Record record = new Record();
        record.id = rows.positionId(position);
        try (JsonParser parser = mapper.createParser(bytes, 0, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                parser.skipChildren();
                endOfLine(parser);
                return new SourceRecord.Malformed(position, "not-an-object", what + " is JSON but not an object", raw.get());
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                List<Target> fed = targets.get(name);
                if (fed == null) {
                    record.unknown.put(name, token.isScalarValue() ? jsonText(parser, token) : parser.readValueAsTree().toString());
                }
                else if (record.failed != null) {
                    parser.skipChildren();
                }
                else {
                    read(parser, token, name, fed, record);
                }
            }
            endOfLine(parser);
        }
        catch (IOException e) {
            return new SourceRecord.Malformed(position, "malformed-json", JsonProblems.describe(e), raw.get());
        }
        if (record.failed != null) {
            return TypedRows.malformed(position, record.failed, raw.get());
        }
        return rows.record(position, record.id, record.values, record.unknown, raw);
    }

    private static void endOfLine(JsonParser parser) throws IOException {
        if (parser.nextToken() != null) {
            throw new JsonParseException(parser, "Trailing token (of type " + parser.currentToken() + ") found after value");
        }
    }

    /** Feeds the value of top-level {@code name} (its first token {@code token}) to the targets that read it. */
    private void read(JsonParser parser, JsonToken token, String name, List<Target> fed, Record record) throws IOException {
        boolean tree = token.isStructStart() || readAsTree.contains(name);
        JsonNode node = tree ? parser.readValueAsTree() : null;
        try {
            for (Target target : fed) {
                JsonNode value = node == null || target.whole() ? node : JsonlReader.field(node, target.path());
                if (node != null && value == null) {
                    continue;
                }
                if (target.field() == ID) {
                    record.set(target, id(parser, token, value), name);
                    continue;
                }
                Column column = fields.get(target.field()).column();
                Object converted = value == null ? value(parser, token, column.type(), column.name())
                        : TypedValues.fromJson(value, column.type(), column.name(), (path, unknownValue) -> record.unknown.put(path, unknownValue.toString()));
                record.set(target, converted, name);
            }
        }
        catch (ValueException e) {
            record.failed = e;
            if (node == null) {
                parser.skipChildren();
            }
        }
    }

    /** The id from a token (or, read as a tree, a node): a string or a whole number; a null leaves the id to the position rule. */
    private String id(JsonParser parser, JsonToken token, JsonNode node) throws IOException, ValueException {
        if (node != null ? node.isTextual() || node.isIntegralNumber() : token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT) {
            return node != null ? node.asText() : parser.getText();
        }
        if (node != null ? node.isNull() : token == JsonToken.VALUE_NULL) {
            return null;
        }
        Object shown = node != null ? node : shown(parser, token);
        throw new ValueException(ValueException.TYPE_MISMATCH, "column 'id': " + ValueException.shown(shown) + " is not a string or a whole number (field '"
                + idField + "')");
    }

    /** A value as an error message shows it: the JSON text of a number or boolean, unquoted. */
    private record Literal(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A scalar token's JSON text (strings quoted and escaped, numbers as written). */
    private static String jsonText(JsonParser parser, JsonToken token) throws IOException {
        return token == JsonToken.VALUE_STRING ? Values.json(parser.getText()) : parser.getText();
    }

    /** The current scalar value (token {@code token}) as a value of {@code type}, by {@link TypedValues}' rules. */
    private static Object value(JsonParser parser, JsonToken token, DataType type, String column) throws IOException, ValueException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
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
