package io.kiln.job;

import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a job reads from and how: a {@code file:} URI (file, directory or glob) and its format;
 * for text formats the JSON fields of id and text ({@code fields}); for typed records the columns
 * ({@code schema}: a list of columns, or {@code "infer"}), where the id comes from ({@code id}: a
 * field's name, or {@code {"from": "position"}}), what becomes of other fields
 * ({@code unknownFields}), the CSV dialect, the compression, and files the records name
 * ({@code files}). In a union or a join, {@code columns} maps the source's columns to the job's
 * names ({@code {"price": "fare"}}; null drops one). {@link SourceBinding} checks them.
 */
public record SourceSpec(
        @NotBlank(message = "is required") String uri,
        @NotBlank(message = "is required") String format,
        Map<String, String> fields,
        JsonNode schema,
        JsonNode id,
        @Pattern(regexp = "reject|drop|keep", message = "must be one of reject, drop, keep") String unknownFields,
        @Valid CsvSpec csv,
        @Pattern(regexp = "auto|none|gzip|zstd", message = "must be one of auto, none, gzip, zstd") String compression,
        @Min(value = 1, message = "must be at least 1") @Max(value = 1_000_000, message = "must be at most 1000000") Integer inferRecords,
        FilesSpec files,
        Map<String, String> columns) {
    public SourceSpec {
        // a null value is kept for the binder to name ("fields.id": must name a JSON field), not thrown while the JSON is read
        fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(fields));
        schema = absent(schema) ? null : schema;
        id = absent(id) ? null : id;
        // a null value drops the column: kept as null, so not Map.copyOf
        columns = columns == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }

    public SourceSpec(String uri, String format, Map<String, String> fields, JsonNode schema, JsonNode id, String unknownFields, CsvSpec csv, String compression,
            Integer inferRecords, FilesSpec files) {
        this(uri, format, fields, schema, id, unknownFields, csv, compression, inferRecords, files, null);
    }

    /** This source with another id rule. */
    SourceSpec withId(JsonNode newId) {
        return new SourceSpec(uri, format, fields, schema, newId, unknownFields, csv, compression, inferRecords, files, columns);
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    public SourceSpec(String uri, String format, Map<String, String> fields, JsonNode schema, JsonNode id, String unknownFields, CsvSpec csv, String compression,
            Integer inferRecords) {
        this(uri, format, fields, schema, id, unknownFields, csv, compression, inferRecords, null);
    }

    /** A text source: a URI, a format and the JSON fields of id and text. */
    public SourceSpec(String uri, String format, Map<String, String> fields) {
        this(uri, format, fields, null, null, null, null, null, null);
    }

    /** Files that the records name: the string column holding each path, and the binary column that gets the file (default {@code image}). */
    public record FilesSpec(String column, String into) {}

    /** The CSV dialect; every part optional (RFC 4180, a header, UTF-8, an unquoted empty field is null). */
    public record CsvSpec(String delimiter, String quote, String escape, Boolean header, String nullValue, String encoding) {}
}
