package io.kiln.source;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.kiln.transform.Column;
import io.kiln.transform.Row;

/**
 * Makes the rows of one input file of a typed format, by its {@link RecordSchema}: what every
 * typed reader shares once it has the record's id and its values. A required column without a
 * value is a reject ({@code missing-value}); unknown fields are rejected ({@code unknown-field}),
 * dropped or kept in {@value RecordSchema#EXTRA}, as the schema says. Not thread-safe: one per reader.
 */
final class TypedRows {
    static final String UNKNOWN_FIELD = "unknown-field";
    static final String MISSING_ID = "missing-value";
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final RecordSchema schema;
    private final Row.Layout layout;
    private final List<RecordSchema.Field> fields;
    // the ids of records whose id comes from their position: FromPosition.id(sha256, position) is this and the position
    private final String positionIdPrefix;

    TypedRows(RecordSchema schema, String sha256) {
        this.schema = schema;
        this.layout = schema.layout();
        this.fields = schema.fields();
        this.positionIdPrefix = schema.id() instanceof RecordSchema.FromPosition ? RecordSchema.FromPosition.id(sha256, "") : null;
    }

    RecordSchema schema() {
        return schema;
    }

    /** An array for the values of one record: one per field, and one for {@value RecordSchema#EXTRA} when kept. */
    Object[] newValues() {
        return new Object[layout.size()];
    }

    /** The id of a record whose id comes from its position, else null. */
    String positionId(String position) {
        return positionIdPrefix == null ? null : positionIdPrefix.concat(position);
    }

    /**
     * The record's row, or why it is a reject. {@code unknown} maps the names of the fields the
     * schema does not name to their values as JSON text; {@code raw} gives the record as read, for a reject.
     */
    SourceRecord record(String position, String id, Object[] values, Map<String, String> unknown, Supplier<String> raw) {
        if (id == null) {
            String field = ((RecordSchema.FromField) schema.id()).field();
            return new SourceRecord.Malformed(position, MISSING_ID, "column 'id' is required but the record has no value for field '" + field + "'", raw.get());
        }
        for (int i = 0; i < fields.size(); i++) {
            Column column = fields.get(i).column();
            if (values[i] == null && column.required()) {
                return new SourceRecord.Malformed(position, ValueException.MISSING_VALUE, "column '" + column.name()
                        + "' is required but the record has no value for field '" + fields.get(i).source() + "'", raw.get());
            }
        }
        if (!unknown.isEmpty()) {
            switch (schema.unknownFields()) {
                case REJECT:
                    return new SourceRecord.Malformed(position, UNKNOWN_FIELD, "the schema does not name field" + (unknown.size() == 1 ? " " : "s ")
                            + String.join(", ", unknown.keySet()) + " (source.unknownFields is reject)", raw.get());
                case KEEP:
                    values[fields.size()] = object(unknown);
                    break;
                default:
                    break;
            }
        }
        return new SourceRecord.Parsed(layout.row(id, values), position);
    }

    /** A reject for a value that does not fit its column. */
    static SourceRecord malformed(String position, ValueException e, String raw) {
        return new SourceRecord.Malformed(position, e.reason(), e.getMessage(), raw);
    }

    private static String object(Map<String, String> fields) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            for (Map.Entry<String, String> field : fields.entrySet()) {
                json.writeFieldName(field.getKey());
                json.writeRawValue(field.getValue());
            }
            json.writeEndObject();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
