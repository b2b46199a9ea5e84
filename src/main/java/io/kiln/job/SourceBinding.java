package io.kiln.job;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.kiln.error.Violation;
import io.kiln.lake.TableLayout;
import io.kiln.source.MediaFiles;
import io.kiln.source.Compression;
import io.kiln.source.CsvOptions;
import io.kiln.source.DocumentLimits;
import io.kiln.source.FieldMapping;
import io.kiln.source.InputFile;
import io.kiln.source.ReadOptions;
import io.kiln.source.RecordSchema;
import io.kiln.source.SourceException;
import io.kiln.source.SourceFormat;
import io.kiln.source.SourceResolver;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;

/**
 * Binds a JobSpec's {@code source}: the format by its registered name, the input files, and how
 * records are read: a text source's field mapping, or a typed source's {@link RecordSchema}
 * (declared, or inferred from the inputs). Every problem is a violation naming its field.
 */
final class SourceBinding {
    /** The records read to infer a schema, unless {@code source.inferRecords} says otherwise. */
    static final int DEFAULT_INFER_RECORDS = 1000;
    /** Lines longer than this are skipped while inferring. */
    private static final int INFER_MAX_RECORD_BYTES = 16 << 20;
    /** The record bound of bound options, until the job's settings replace it ({@link ReadOptions#withLimits}). */
    static final int DEFAULT_MAX_RECORD_BYTES = INFER_MAX_RECORD_BYTES;

    private SourceBinding() {}

    /** A bound source: the format, its inputs, how to read them, the columns they give and the recipe's {@code source}. */
    record Bound(SourceFormat format, List<InputFile> inputs, ReadOptions options, List<Column> declared, Map<String, Object> recipe) {
        /** Whether rows are typed by a schema (not a text source's id and text). */
        boolean typed() {
            return options.schema().isPresent();
        }
    }

    static Optional<Bound> bind(SourceSpec source, Set<String> invalid, SourceResolver resolver, List<Violation> violations) {
        int before = violations.size();
        Optional<SourceFormat> format = Optional.empty();
        if (!invalid.contains("source.format")) {
            format = SourceFormat.fromSpecName(source.format());
            if (format.isEmpty()) {
                violations.add(new Violation("source.format", "unknown format '" + source.format() + "'; known formats: " + SourceFormat.specNames()));
            }
        }
        List<InputFile> inputs = List.of();
        if (!invalid.contains("source.uri")) {
            try {
                inputs = resolver.resolve(source.uri());
            }
            catch (SourceException e) {
                violations.add(new Violation("source.uri", e.getMessage()));
            }
        }
        if (format.isEmpty()) {
            return Optional.empty();
        }
        boolean typed = format.get().typing() == SourceFormat.Typing.TYPED
                || format.get().typing() == SourceFormat.Typing.EITHER && (source.schema() != null || source.id() != null || source.unknownFields() != null);
        FieldMapping fields = fieldMapping(source, format.get(), typed, violations);
        checkApplies(source, format.get(), typed, violations);
        CsvOptions csv = csvOptions(source.csv(), violations);
        Compression compression = source.compression() == null ? Compression.AUTO : Compression.fromSpecName(source.compression()).orElse(Compression.AUTO);
        ReadOptions options = new ReadOptions(Optional.empty(), fields, INFER_MAX_RECORD_BYTES, DocumentLimits.defaults(INFER_MAX_RECORD_BYTES), csv, compression);
        List<Column> declared = format.get().fixedColumns();
        if (typed) {
            Optional<RecordSchema> schema = schema(source, format.get(), inputs, options, violations, before);
            if (schema.isEmpty()) {
                return Optional.empty();
            }
            options = options.withSchema(schema.get());
            declared = schema.get().columns();
        }
        Map<String, Object> recipe = format.get().recipe(options);
        if (source.files() != null) {
            Optional<MediaFiles> files = files(source.files(), typed, declared, resolver, violations);
            if (files.isPresent()) {
                options = options.withMedia(files.get());
                declared = new ArrayList<>(declared);
                declared.add(Column.optional(files.get().into(), DataType.BINARY, "the file named by column " + files.get().column()));
                recipe = new java.util.LinkedHashMap<>(recipe);
                recipe.put("files", Map.of("column", files.get().column(), "into", files.get().into()));
            }
        }
        if (violations.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Bound(format.get(), inputs, options, List.copyOf(declared), recipe));
    }

    /** {@code source.files}: a declared string column of paths and the binary column for their files. */
    private static Optional<MediaFiles> files(SourceSpec.FilesSpec files, boolean typed, List<Column> declared, SourceResolver resolver,
            List<Violation> violations) {
        if (!typed) {
            violations.add(new Violation("source.files", "applies to typed sources (jsonl with a schema, csv, parquet), whose records name the files"));
            return Optional.empty();
        }
        Optional<Column> column = declared.stream().filter(candidate -> candidate.name().equals(files.column())).findFirst();
        if (files.column() == null || column.isEmpty()) {
            violations.add(new Violation("source.files.column", "must name a column of the source that holds the paths; the columns are "
                    + String.join(", ", declared.stream().map(Column::name).toList())));
            return Optional.empty();
        }
        if (column.get().type() != DataType.STRING) {
            violations.add(new Violation("source.files.column", "must be a string column of paths; " + files.column() + " is " + column.get().type().spec()));
            return Optional.empty();
        }
        String into = files.into() == null ? "image" : files.into();
        if (!Column.isValidName(into) || io.kiln.lake.TableLayout.isReserved(into) || declared.stream().anyMatch(candidate -> candidate.name().equals(into))) {
            violations.add(new Violation("source.files.into", "must be a new column name (lower snake case, not one of the source's or Kiln's), was " + into));
            return Optional.empty();
        }
        return Optional.of(new MediaFiles(files.column(), into, resolver));
    }

    private static FieldMapping fieldMapping(SourceSpec source, SourceFormat format, boolean typed, List<Violation> violations) {
        Set<String> known = Set.of("id", "text");
        for (Map.Entry<String, String> entry : source.fields().entrySet()) {
            String field = "source.fields." + entry.getKey();
            if (typed) {
                violations.add(new Violation(field, "field mappings are for text sources; a typed source names its columns' fields in source.schema and its id in source.id"));
            }
            else if (!format.readsJson()) {
                violations.add(new Violation(field, "field mappings apply to the jsonl and auto formats only"));
            }
            else if (!known.contains(entry.getKey())) {
                violations.add(new Violation(field, "unknown mapping; map id and text"));
            }
            else if (entry.getValue() == null || entry.getValue().isBlank()) {
                violations.add(new Violation(field, "must name a JSON field"));
            }
        }
        return new FieldMapping(
                Optional.ofNullable(source.fields().get("id")).orElse(FieldMapping.DEFAULT.idField()),
                Optional.ofNullable(source.fields().get("text")).orElse(FieldMapping.DEFAULT.textField()));
    }

    /** Options that the format does not read are refused, not ignored. */
    private static void checkApplies(SourceSpec source, SourceFormat format, boolean typed, List<Violation> violations) {
        if (!typed) {
            String why = "applies to typed formats (jsonl with a schema, csv, parquet), not to " + format.specName();
            if (source.schema() != null) {
                violations.add(new Violation("source.schema", why));
            }
            if (source.id() != null) {
                violations.add(new Violation("source.id", why));
            }
            if (source.unknownFields() != null) {
                violations.add(new Violation("source.unknownFields", why));
            }
            if (source.inferRecords() != null) {
                violations.add(new Violation("source.inferRecords", why));
            }
        }
        if (source.csv() != null && format != SourceFormat.CSV) {
            violations.add(new Violation("source.csv", "applies to the csv format only"));
        }
        if (source.id() != null && format == SourceFormat.WEBDATASET) {
            violations.add(new Violation("source.id", "does not apply to webdataset: a sample's id is its key"));
        }
        if (source.compression() != null && format != SourceFormat.CSV && format != SourceFormat.JSONL && format != SourceFormat.WEBDATASET) {
            violations.add(new Violation("source.compression", "applies to the jsonl, csv and webdataset formats only"));
        }
    }

    private static CsvOptions csvOptions(SourceSpec.CsvSpec spec, List<Violation> violations) {
        if (spec == null) {
            return CsvOptions.DEFAULT;
        }
        CsvOptions defaults = CsvOptions.DEFAULT;
        char delimiter = character(spec.delimiter(), "source.csv.delimiter", false, violations).orElse(Optional.of(defaults.delimiter())).orElse(',');
        Optional<Character> quote = character(spec.quote(), "source.csv.quote", true, violations).orElse(defaults.quote());
        Optional<Character> escape = character(spec.escape(), "source.csv.escape", true, violations).orElse(defaults.escape());
        Charset encoding = defaults.encoding();
        if (spec.encoding() != null) {
            try {
                encoding = Charset.forName(spec.encoding());
            }
            catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                violations.add(new Violation("source.csv.encoding", "unknown encoding '" + spec.encoding() + "'"));
            }
        }
        try {
            return new CsvOptions(delimiter, quote, escape, spec.header() == null || spec.header(), spec.nullValue() == null ? defaults.nullValue() : spec.nullValue(),
                    encoding);
        }
        catch (IllegalArgumentException e) {
            violations.add(new Violation("source.csv", e.getMessage()));
            return defaults;
        }
    }

    /** Empty when not given; a given empty text means none (for the quote and escape). */
    private static Optional<Optional<Character>> character(String text, String field, boolean mayBeNone, List<Violation> violations) {
        if (text == null) {
            return Optional.empty();
        }
        if (text.isEmpty() && mayBeNone) {
            return Optional.of(Optional.empty());
        }
        String value = text.equals("\\t") ? "\t" : text;
        if (value.length() != 1 || value.charAt(0) == '\n' || value.charAt(0) == '\r') {
            violations.add(new Violation(field, "must be one character" + (mayBeNone ? " (or empty for none)" : "") + ", was '" + text + "'"));
            return Optional.empty();
        }
        return Optional.of(Optional.of(value.charAt(0)));
    }

    /** {@code sourceBefore}: the violations there were before the source's; inference waits until the rest of the source is valid. */
    private static Optional<RecordSchema> schema(SourceSpec source, SourceFormat format, List<InputFile> inputs, ReadOptions options, List<Violation> violations,
            int sourceBefore) {
        int before = violations.size();
        RecordSchema.IdRule id = idRule(source.id(), violations);
        RecordSchema.UnknownFields unknown = source.unknownFields() == null ? RecordSchema.UnknownFields.REJECT
                : RecordSchema.UnknownFields.valueOf(source.unknownFields().toUpperCase(java.util.Locale.ROOT));
        JsonNode schema = source.schema();
        List<RecordSchema.Field> fields = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        boolean infer = schema == null || schema.isTextual() && schema.textValue().equals("infer");
        if (infer) {
            if (schema == null && format.typing() != SourceFormat.Typing.TYPED) {
                violations.add(new Violation("source.schema", "is required: list the columns, or say \"infer\""));
                return Optional.empty();
            }
            if (inputs.isEmpty() || violations.size() > sourceBefore) {
                return Optional.empty();
            }
            try {
                RecordSchema draft = new RecordSchema(List.of(), id, unknown);
                int records = source.inferRecords() == null ? DEFAULT_INFER_RECORDS : source.inferRecords();
                fields.addAll(format.infer(inputs, options.withSchema(draft), records));
                fields.forEach(field -> paths.add("source.schema"));
            }
            catch (SourceException e) {
                violations.add(new Violation("source.schema", "The source " + e.getMessage()));
                return Optional.empty();
            }
            catch (IOException e) {
                violations.add(new Violation("source.uri", "cannot be read to infer its schema: " + e.getMessage()));
                return Optional.empty();
            }
        }
        else if (!schema.isArray() || schema.isEmpty()) {
            violations.add(new Violation("source.schema", "must be a non-empty list of columns ({\"name\", \"type\", \"required\", \"field\"}) or \"infer\""));
            return Optional.empty();
        }
        else {
            for (int i = 0; i < schema.size(); i++) {
                String path = "source.schema[" + i + "]";
                column(schema.get(i), path, violations).ifPresent(field -> {
                    fields.add(field);
                    paths.add(path + ".name");
                });
            }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.get(i).column().name();
            String field = paths.get(i);
            if (name.equals(TableLayout.ID.name())) {
                violations.add(new Violation(field, "column id is the row id, a string that every table has; name the field it comes from with source.id"
                        + (infer ? " (inferred from field '" + fields.get(i).source() + "')" : "")));
            }
            else if (TableLayout.isReserved(name) || name.equals(RecordSchema.EXTRA) && unknown == RecordSchema.UnknownFields.KEEP) {
                violations.add(new Violation(field, "column name " + name + " is reserved for Kiln's own columns"));
            }
            else if (!names.add(name)) {
                violations.add(new Violation(field, "column " + name + " is declared twice"));
            }
        }
        if (violations.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new RecordSchema(fields, id, unknown));
    }

    private static RecordSchema.IdRule idRule(JsonNode id, List<Violation> violations) {
        if (id == null || id.isNull()) {
            return new RecordSchema.FromField("id");
        }
        if (id.isTextual() && !id.textValue().isBlank()) {
            return new RecordSchema.FromField(id.textValue());
        }
        if (id.isObject() && id.size() == 1 && id.path("from").asText("").equals("position")) {
            return new RecordSchema.FromPosition();
        }
        if (id.isObject() && id.size() == 1 && id.path("field").isTextual() && !id.path("field").textValue().isBlank()) {
            return new RecordSchema.FromField(id.path("field").textValue());
        }
        violations.add(new Violation("source.id", "must name the id's field (\"user_id\" or {\"field\": \"user_id\"}) or be {\"from\": \"position\"}"));
        return new RecordSchema.FromField("id");
    }

    private static Optional<RecordSchema.Field> column(JsonNode spec, String path, List<Violation> violations) {
        if (spec == null || !spec.isObject()) {
            violations.add(new Violation(path, "must be a column: {\"name\", \"type\", \"required\", \"field\"}"));
            return Optional.empty();
        }
        for (Iterator<String> names = spec.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!Set.of("name", "type", "required", "field", "doc").contains(name)) {
                violations.add(new Violation(path + "." + name, "unknown; a column has name, type, required, field and doc"));
            }
        }
        JsonNode name = spec.get("name");
        if (name == null || !name.isTextual() || !Column.isValidName(name.textValue())) {
            violations.add(new Violation(path + ".name", "must be a lower snake case column name (a-z, 0-9, _; not starting with a digit)"
                    + (name == null ? "" : ", was " + name)));
            return Optional.empty();
        }
        JsonNode type = spec.get("type");
        DataType dataType;
        if (type == null || !type.isTextual()) {
            violations.add(new Violation(path + ".type", "is required: one of " + DataType.knownTypes()));
            return Optional.empty();
        }
        try {
            dataType = DataType.parse(type.textValue());
        }
        catch (IllegalArgumentException e) {
            violations.add(new Violation(path + ".type", e.getMessage()));
            return Optional.empty();
        }
        JsonNode required = spec.get("required");
        if (required != null && !required.isBoolean()) {
            violations.add(new Violation(path + ".required", "must be true or false"));
            return Optional.empty();
        }
        JsonNode field = spec.get("field");
        if (field != null && (!field.isTextual() || field.textValue().isEmpty())) {
            violations.add(new Violation(path + ".field", "must name the record's field"));
            return Optional.empty();
        }
        JsonNode doc = spec.get("doc");
        Column column = new Column(name.textValue(), dataType, required != null && required.booleanValue(), doc == null ? "" : doc.asText());
        return Optional.of(new RecordSchema.Field(column, field == null ? name.textValue() : field.textValue()));
    }
}
