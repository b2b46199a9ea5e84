package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;

/**
 * How a source's records become typed rows: the columns it declares (each read from a field of
 * the record), where the row id comes from, and what becomes of fields the schema does not name.
 * Given in the JobSpec ({@code source.schema}) or inferred from the inputs; either way it is part
 * of the recipe ({@link #recipe()}).
 */
public record RecordSchema(List<Field> fields, IdRule id, UnknownFields unknownFields) {
    /** The column that keeps the fields the schema does not name, with {@code unknownFields: keep}: a JSON object. */
    public static final String EXTRA = "_extra";

    public RecordSchema {
        fields = List.copyOf(fields);
        requireNonNull(id, "id is null");
        requireNonNull(unknownFields, "unknownFields is null");
    }

    /** One declared column and the field of the record it is read from (a dotted path in JSON, a header in CSV, a column in Parquet). */
    public record Field(Column column, String source) {
        public Field {
            requireNonNull(column, "column is null");
            requireNonNull(source, "source is null");
        }
    }

    /** Where a row's id comes from. */
    public sealed interface IdRule permits FromField, FromPosition {
        String describe();
    }

    /** The id is the text of a field of the record (a string or a whole number). */
    public record FromField(String field) implements IdRule {
        public FromField {
            requireNonNull(field, "field is null");
        }

        @Override
        public String describe() {
            return "field:" + field;
        }
    }

    /** The id is made from the input's sha256 and the record's position in it: {@code <first 16 hex digits>:<position>}. */
    public record FromPosition() implements IdRule {
        @Override
        public String describe() {
            return "position";
        }

        public static String id(String inputSha256, String position) {
            return inputSha256.substring(0, Math.min(16, inputSha256.length())) + ":" + position;
        }
    }

    /** What becomes of a record's fields that the schema does not name. */
    public enum UnknownFields {
        /** The record is a reject ({@code unknown-field}). */
        REJECT,
        /** They are left out. */
        DROP,
        /** They are kept, as one JSON object, in column {@value #EXTRA}. */
        KEEP;

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The field that holds the id, when the id comes from one. */
    public java.util.Optional<String> idField() {
        return id instanceof FromField field ? java.util.Optional.of(field.field()) : java.util.Optional.empty();
    }

    /** The declared columns, then {@value #EXTRA} when unknown fields are kept. */
    public List<Column> columns() {
        List<Column> columns = new ArrayList<>();
        fields.forEach(field -> columns.add(field.column()));
        if (unknownFields == UnknownFields.KEEP) {
            columns.add(Column.optional(EXTRA, DataType.STRING, "the record's fields that the source schema does not name, as a JSON object"));
        }
        return List.copyOf(columns);
    }

    /** The names of {@link #columns()}, in order: the layout of the rows this schema makes. */
    public Row.Layout layout() {
        return new Row.Layout(columns().stream().map(Column::name).toList());
    }

    /** The schema as the recipe records it: every column with its type, nullability and field; the id rule; the unknown-fields rule. */
    public Map<String, Object> recipe() {
        List<Map<String, Object>> columns = new ArrayList<>();
        for (Field field : fields) {
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("name", field.column().name());
            column.put("type", field.column().type().spec());
            column.put("required", field.column().required());
            column.put("field", field.source());
            columns.add(column);
        }
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("columns", columns);
        recipe.put("id", id.describe());
        recipe.put("unknownFields", unknownFields.specName());
        return recipe;
    }
}
