package io.kiln.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;

import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;

import io.kiln.transform.Values;

/**
 * A Parquet file read by a {@link RecordSchema}: only the columns the schema reads (all of them unless
 * unknown fields are dropped), one row group in memory at a time. Flat columns are read by Parquet's
 * column readers ({@link ParquetColumns}); a file with a nested or less common column among those read,
 * by Iceberg's generic Parquet reader. Both give the same values. Each field of the schema reads the
 * file's column of its name; values convert by {@link TypedValues#fromPlain}. Positions are
 * {@code row:N}, counting the file's rows from 1.
 *
 * <p>Parquet is read by seeking, not as a stream: a file whose job hashed it before is checked when
 * the reader finishes ({@link HashingInput#confirmed}); one not hashed yet is read once more to hash it.
 */
final class ParquetReader implements RecordReader {
    private final InputFile file;
    private final TypedRows rows;
    private final List<RecordSchema.Field> fields;
    private final LongConsumer bytesRead;
    private final List<String> names = new ArrayList<>();
    // the fast path (ParquetColumns, whose values are plain already) when every read column is flat, else Iceberg's generic reader
    private final ParquetColumns columns;
    private final CloseableIterable<Record> records;
    private final CloseableIterator<Record> iterator;
    private final int[] positionOfField;
    private final int idPosition;
    private final List<String> unknownNames = new ArrayList<>();
    private final List<Integer> unknownPositions = new ArrayList<>();
    private long number;

    ParquetReader(InputFile file, RecordSchema schema, String sha256, LongConsumer bytesRead) throws IOException {
        this.file = file;
        this.rows = new TypedRows(schema, sha256);
        this.fields = schema.fields();
        this.bytesRead = bytesRead;
        // the footer is read once: the column readers go on with this reader; Iceberg's reader opens the file anew
        ParquetFileReader footer = ParquetFormat.open(file);
        Schema fileSchema;
        try {
            fileSchema = ParquetFormat.fileSchema(footer);
        }
        catch (IOException e) {
            footer.close();
            throw e;
        }
        Set<String> read = new HashSet<>();
        fields.forEach(field -> read.add(field.source()));
        String idField = schema.id() instanceof RecordSchema.FromField id ? id.field() : null;
        if (idField != null) {
            read.add(idField);
        }
        List<Types.NestedField> projected = new ArrayList<>();
        for (Types.NestedField column : fileSchema.columns()) {
            if (read.contains(column.name()) || schema.unknownFields() != RecordSchema.UnknownFields.DROP) {
                projected.add(column);
            }
        }
        Schema projection = new Schema(projected);
        this.positionOfField = new int[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            positionOfField[i] = position(projected, fields.get(i).source());
        }
        this.idPosition = idField == null ? -1 : position(projected, idField);
        for (int i = 0; i < projected.size(); i++) {
            if (!read.contains(projected.get(i).name())) {
                unknownNames.add(projected.get(i).name());
                unknownPositions.add(i);
            }
        }
        projected.forEach(column -> names.add(column.name()));
        try {
            this.columns = ParquetColumns.of(footer, names).orElse(null);
            if (columns != null) {
                this.records = null;
                this.iterator = null;
                return;
            }
            footer.close();
            this.records = Parquet.read(SeekableInputs.iceberg(file))
                    .project(projection)
                    .withNameMapping(MappingUtil.create(fileSchema))
                    .createReaderFunc(type -> GenericParquetReaders.buildReader(projection, type))
                    .build();
            this.iterator = records.iterator();
        }
        catch (RuntimeException e) {
            footer.close();
            Optional<InputChangedException> changed = SeekableInputs.opening(e);
            if (changed.isPresent()) {
                throw changed.get();
            }
            throw ParquetFormat.unreadable(e);
        }
    }

    private static int position(List<Types.NestedField> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Optional<SourceRecord> next() throws IOException {
        Optional<Pending> next = nextPending();
        return next.isEmpty() ? Optional.empty() : Optional.of(next.get().parse());
    }

    /** The row as the column readers or Iceberg's reader decoded it; its values are converted later, on whatever thread parses it. */
    @Override
    public Optional<Pending> nextPending() throws IOException {
        Object[] record;
        try {
            if (columns != null) {
                record = columns.next();
                if (record == null) {
                    return Optional.empty();
                }
            }
            else {
                if (!iterator.hasNext()) {
                    return Optional.empty();
                }
                record = values(iterator.next());
            }
        }
        catch (InputChangedException e) {
            throw e;
        }
        catch (RuntimeException | IOException e) {
            Optional<InputChangedException> changed = SeekableInputs.opening(e);
            if (changed.isPresent()) {
                throw changed.get();
            }
            throw new IOException("its row " + (number + 1) + " cannot be read: " + e.getMessage(), e);
        }
        number++;
        String position = "row:" + number;
        return Optional.of(RecordReader.Pending.sized(bytes(record), () -> record(record, position)));
    }

    /** A record of Iceberg's reader as its top-level values, in the projection's order. */
    private static Object[] values(Record record) {
        Object[] values = new Object[record.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = record.get(i);
        }
        return values;
    }

    /** About how many bytes a decoded row holds ({@link RecordReader.Pending#bytes(Object)} of its top-level values). */
    private static long bytes(Object[] record) {
        long bytes = 0;
        for (Object value : record) {
            bytes += RecordReader.Pending.bytes(value);
        }
        return bytes;
    }

    /** One decoded row (the projection's values) as a record of the schema; thread-safe. */
    private SourceRecord record(Object[] record, String position) {
        String id = rows.positionId(position);
        if (idPosition >= 0) {
            Object value = record[idPosition];
            if (value instanceof String || value instanceof Long || value instanceof Integer || value instanceof CharSequence) {
                id = value.toString();
            }
            else if (value != null) {
                return new SourceRecord.Malformed(position, ValueException.TYPE_MISMATCH, "column 'id': " + ValueException.shown(value)
                        + " is not a string or a whole number", raw(record));
            }
        }
        Object[] values = rows.newValues();
        try {
            for (int i = 0; i < fields.size(); i++) {
                Object value = positionOfField[i] < 0 ? null : columns != null ? record[positionOfField[i]] : plain(record[positionOfField[i]]);
                values[i] = TypedValues.fromPlain(value, fields.get(i).column().type(), fields.get(i).column().name());
            }
        }
        catch (ValueException e) {
            return TypedRows.malformed(position, e, raw(record));
        }
        Map<String, String> unknown = Map.of();
        for (int i = 0; i < unknownPositions.size(); i++) {
            Object value = record[unknownPositions.get(i)];
            if (value != null) {
                if (unknown.isEmpty()) {
                    unknown = new TreeMap<>();
                }
                unknown.put(unknownNames.get(i), Values.json(plain(value)));
            }
        }
        return rows.record(position, id, values, unknown, () -> raw(record));
    }

    /**
     * A value of Iceberg's reader in the vocabulary of row values: records as maps by field name,
     * Parquet maps as lists of key-value structs, timestamps as instants (UTC when without a zone),
     * text as strings, fixed-length binary as buffers, UUIDs as their text.
     */
    static Object plain(Object value) {
        if (value instanceof Record record) {
            Map<String, Object> fields = new LinkedHashMap<>();
            List<Types.NestedField> columns = record.struct().fields();
            for (int i = 0; i < columns.size(); i++) {
                fields.put(columns.get(i).name(), plain(record.get(i)));
            }
            return fields;
        }
        if (value instanceof List<?> list) {
            List<Object> elements = new ArrayList<>(list.size());
            list.forEach(element -> elements.add(plain(element)));
            return elements;
        }
        if (value instanceof Map<?, ?> map) {
            List<Object> entries = new ArrayList<>(map.size());
            map.forEach((key, entry) -> {
                Map<String, Object> pair = new LinkedHashMap<>();
                pair.put("key", plain(key));
                pair.put("value", plain(entry));
                entries.add(pair);
            });
            return entries;
        }
        if (value instanceof java.time.OffsetDateTime timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof java.time.LocalDateTime timestamp) {
            return timestamp.toInstant(java.time.ZoneOffset.UTC);
        }
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof byte[] bytes) {
            return java.nio.ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        }
        if (value instanceof java.util.UUID uuid) {
            return uuid.toString();
        }
        return value;
    }

    /** The record as JSON, for a reject: its values by column name, in the projection's order. */
    private String raw(Object[] record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < record.length; i++) {
            fields.put(names.get(i), plain(record[i]));
        }
        return Values.json(fields);
    }

    @Override
    public String finish() throws IOException {
        close();
        // a file hashed before it was read is checked, not read again
        Optional<String> known = HashingInput.confirmed(file);
        if (known.isPresent()) {
            bytesRead.accept(file.content().get().size());
            return known.get();
        }
        return HashingInput.sha256Hex(file, bytesRead);
    }

    @Override
    public void close() throws IOException {
        if (columns != null) {
            columns.close();
            return;
        }
        try {
            iterator.close();
        }
        finally {
            records.close();
        }
    }
}
