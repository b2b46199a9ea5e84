package io.kiln.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/**
 * Infers a schema from sample records, by one deterministic rule for every format:
 * <ul>
 * <li>columns come in the order their fields first appear in the sample; the id field is not a column;</li>
 * <li>a column's name is its field's name in lower case, with every run of characters other than
 * a-z, 0-9 and _ replaced by one _ (and a leading digit prefixed with _); two fields that give the
 * same name make inference fail, naming both;</li>
 * <li>a column's type is the narrowest that holds every sample value: boolean; long for whole
 * numbers, double once any has a fraction; date for {@code yyyy-mm-dd} text, timestamp for
 * ISO-8601 date-times; a JSON object whose keys are all valid names is a struct, an array a list of
 * its elements' type; any other mix is a string; a field that is always null is a string;</li>
 * <li>every inferred column is optional.</li>
 * </ul>
 * Nulls and (in text formats) empty values say nothing about the type.
 */
final class SchemaInference {
    private final Map<String, Kind> kinds = new LinkedHashMap<>();
    private final String idField;

    SchemaInference(String idField) {
        this.idField = idField;
    }

    /** Reads sample records from one file into an inference. */
    @FunctionalInterface
    interface Sampler {
        /** Adds at most {@code records} records of {@code file} to {@code inference}; returns how many it added. */
        int sample(InputFile file, SchemaInference inference, int records) throws IOException;
    }

    /** The fields of the first {@code records} records of the files, in order, each file read by {@code sampler}. */
    static List<RecordSchema.Field> infer(List<InputFile> files, ReadOptions options, int records, Sampler sampler) throws IOException {
        SchemaInference inference = new SchemaInference(options.schema().flatMap(RecordSchema::idField).orElse(null));
        int seen = 0;
        for (InputFile file : files) {
            if (seen >= records) {
                break;
            }
            seen += sampler.sample(file, inference, records - seen);
        }
        return inference.fields();
    }

    /** A node of the type lattice. */
    private sealed interface Kind permits Simple, ListKind, StructKind {}

    private enum Simple implements Kind { NULL, BOOLEAN, LONG, DOUBLE, DATE, TIMESTAMP, STRING }

    private record ListKind(Kind element) implements Kind {}

    private record StructKind(LinkedHashMap<String, Kind> fields) implements Kind {}

    /** Adds the top-level fields of one JSON object. */
    void addJson(JsonNode object) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getKey().equals(idField)) {
                kinds.merge(field.getKey(), kind(field.getValue()), SchemaInference::merge);
            }
        }
    }

    /** Adds one text value (a CSV field); null for a null value. */
    void addText(String field, String value) {
        if (field.equals(idField)) {
            return;
        }
        kinds.merge(field, value == null ? Simple.NULL : textKind(value.strip()), SchemaInference::merge);
    }

    private static Kind kind(JsonNode node) {
        if (node.isNull()) {
            return Simple.NULL;
        }
        if (node.isBoolean()) {
            return Simple.BOOLEAN;
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? Simple.LONG : Simple.DOUBLE;
        }
        if (node.isNumber()) {
            return Simple.DOUBLE;
        }
        if (node.isTextual()) {
            String text = node.textValue();
            if (TypedValues.isDate(text)) {
                return Simple.DATE;
            }
            return TypedValues.isTimestamp(text) ? Simple.TIMESTAMP : Simple.STRING;
        }
        if (node.isArray()) {
            Kind element = Simple.NULL;
            for (JsonNode value : node) {
                element = merge(element, kind(value));
            }
            return new ListKind(element);
        }
        if (node.isObject()) {
            LinkedHashMap<String, Kind> fields = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> entries = node.fields(); entries.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = entries.next();
                if (!Column.isValidName(entry.getKey())) {
                    return Simple.STRING;
                }
                fields.put(entry.getKey(), kind(entry.getValue()));
            }
            return fields.isEmpty() ? Simple.STRING : new StructKind(fields);
        }
        return Simple.STRING;
    }

    private static Kind textKind(String value) {
        if (value.isEmpty()) {
            return Simple.NULL;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Simple.BOOLEAN;
        }
        int number = TypedValues.numberKind(value);
        if (number == 1) {
            return Simple.LONG;
        }
        if (number == 2) {
            return Simple.DOUBLE;
        }
        if (TypedValues.isDate(value)) {
            return Simple.DATE;
        }
        return TypedValues.isTimestamp(value) ? Simple.TIMESTAMP : Simple.STRING;
    }

    private static Kind merge(Kind a, Kind b) {
        if (a == Simple.NULL) {
            return b;
        }
        if (b == Simple.NULL || a.equals(b)) {
            return a;
        }
        if (a == Simple.LONG && b == Simple.DOUBLE || a == Simple.DOUBLE && b == Simple.LONG) {
            return Simple.DOUBLE;
        }
        if (a instanceof ListKind left && b instanceof ListKind right) {
            return new ListKind(merge(left.element(), right.element()));
        }
        if (a instanceof StructKind left && b instanceof StructKind right) {
            LinkedHashMap<String, Kind> fields = new LinkedHashMap<>(left.fields());
            right.fields().forEach((name, kind) -> fields.merge(name, kind, SchemaInference::merge));
            return new StructKind(fields);
        }
        return Simple.STRING;
    }

    /** The inferred fields, in order of first appearance. */
    List<RecordSchema.Field> fields() {
        if (kinds.isEmpty()) {
            throw new SourceException("gives no schema to infer: the first records have no fields (declare source.schema)");
        }
        List<RecordSchema.Field> fields = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (Map.Entry<String, Kind> entry : kinds.entrySet()) {
            String name = columnName(entry.getKey());
            String clash = names.putIfAbsent(name, entry.getKey());
            if (clash != null) {
                throw new SourceException("cannot have its schema inferred: fields '" + clash + "' and '" + entry.getKey() + "' both become column "
                        + name + " (declare source.schema)");
            }
            fields.add(new RecordSchema.Field(new Column(name, type(entry.getValue()), false, ""), entry.getKey()));
        }
        return fields;
    }

    private static DataType type(Kind kind) {
        if (kind instanceof ListKind list) {
            return new DataType.ListOf(type(list.element()));
        }
        if (kind instanceof StructKind struct) {
            List<Column> fields = new ArrayList<>();
            struct.fields().forEach((name, field) -> fields.add(new Column(name, type(field), false, "")));
            return new DataType.Struct(fields);
        }
        return switch ((Simple) kind) {
            case BOOLEAN -> DataType.BOOLEAN;
            case LONG -> DataType.LONG;
            case DOUBLE -> DataType.DOUBLE;
            case DATE -> DataType.DATE;
            case TIMESTAMP -> DataType.TIMESTAMP;
            case NULL, STRING -> DataType.STRING;
        };
    }

    /** A field's name as a column name, by the rule in this class's description. */
    static String columnName(String field) {
        String name = field.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        if (name.isEmpty()) {
            name = "_";
        }
        if (Character.isDigit(name.charAt(0))) {
            name = "_" + name;
        }
        return name.length() > 128 ? name.substring(0, 128) : name;
    }
}
