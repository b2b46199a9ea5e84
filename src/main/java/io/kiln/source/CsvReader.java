package io.kiln.source;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.kiln.transform.Values;

/**
 * CSV read by a {@link RecordSchema} ({@link CsvRecords} parses it). Each field of the schema
 * reads the column of its name in the header (or, without a header, the column at its place in
 * the schema); the other columns are unknown fields. A record with another number of fields than
 * the header is a reject ({@code ragged-row}). Positions are {@code record:N}, counting the records
 * after the header from 1.
 *
 * <p>A record longer than {@code maxRecordBytes} characters is a reject ({@code record-too-large});
 * a quoted field may span any number of lines, so the parser cannot find where the next record
 * starts after it, and the reject says that the rest of the file was not read. Text that is not valid
 * in the declared encoding ends the file's records ({@link UnreadableInputException}: one reject,
 * {@code invalid-utf8} for UTF-8, naming the line); the records before it stand.
 */
final class CsvReader extends StreamedReader {
    static final String RAGGED_ROW = "ragged-row";

    private final TypedRows rows;
    private final List<RecordSchema.Field> fields;
    private final CsvRecords records;
    private final Optional<List<String>> header;
    private final int[] columnOfField;
    private final int idColumn;
    private final boolean[] known;
    private final int maxRecordBytes;
    private long number;
    private boolean ended;

    CsvReader(HashingInput raw, RecordSchema schema, String sha256, ReadOptions options) throws IOException {
        super(raw);
        this.rows = new TypedRows(schema, sha256);
        this.fields = schema.fields();
        this.maxRecordBytes = options.maxRecordBytes();
        this.records = new CsvRecords(raw, options.csv(), options.compression(), maxRecordBytes);
        this.header = records.header();
        this.columnOfField = new int[fields.size()];
        Map<String, Integer> byName = new HashMap<>();
        header.ifPresent(names -> {
            for (int i = names.size() - 1; i >= 0; i--) {
                byName.put(names.get(i), i);
            }
        });
        int width = header.map(List::size).orElse(fields.size());
        this.known = new boolean[Math.max(width, fields.size())];
        for (int i = 0; i < fields.size(); i++) {
            columnOfField[i] = header.isEmpty() ? i : byName.getOrDefault(fields.get(i).source(), -1);
            if (columnOfField[i] >= 0) {
                known[columnOfField[i]] = true;
            }
        }
        this.idColumn = schema.idField().filter(id -> header.isPresent()).map(id -> byName.getOrDefault(id, -1)).orElse(-1);
        if (idColumn >= 0) {
            known[idColumn] = true;
        }
    }

    @Override
    public Optional<SourceRecord> next() throws IOException {
        Optional<Pending> next = nextPending();
        return next.isEmpty() ? Optional.empty() : Optional.of(next.get().parse());
    }

    /** The record as the CSV parser split it; its values are typed later, on whatever thread parses it. */
    @Override
    public Optional<Pending> nextPending() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        Optional<String[]> next;
        try {
            next = records.next();
        }
        catch (CsvRecords.RecordTooLargeException e) {
            ended = true;
            number++;
            return Optional.of(Pending.of(new SourceRecord.Malformed("record:" + number, "record-too-large", "record " + number + " (from line "
                    + records.line() + ") is longer than the limit of " + maxRecordBytes + " characters; the rest of the file was not read",
                    records.excerpt())));
        }
        if (next.isEmpty()) {
            return Optional.empty();
        }
        number++;
        String[] record = next.get();
        String position = "record:" + number;
        if (header.isPresent() && record.length != header.get().size()) {
            return Optional.of(Pending.of(new SourceRecord.Malformed(position, RAGGED_ROW, "the record has " + record.length + " fields, the header "
                    + header.get().size() + " (from line " + records.line() + ")", records.print(record))));
        }
        long bytes = 0;
        for (String value : record) {
            bytes += Pending.bytes(value);
        }
        return Optional.of(Pending.sized(bytes, () -> record(record, position)));
    }

    /** Types one record's values; thread-safe. */
    private SourceRecord record(String[] record, String position) {
        String id = rows.positionId(position);
        if (idColumn >= 0) {
            id = record[idColumn];
            if (id != null && id.isEmpty()) {
                id = null;
            }
        }
        Object[] values = rows.newValues();
        try {
            for (int i = 0; i < fields.size(); i++) {
                int column = columnOfField[i];
                String text = column < 0 || column >= record.length ? null : record[column];
                values[i] = TypedValues.fromText(text, fields.get(i).column().type(), fields.get(i).column().name());
            }
        }
        catch (ValueException e) {
            return TypedRows.malformed(position, e, records.print(record));
        }
        Map<String, String> unknown = Map.of();
        for (int i = 0; i < record.length; i++) {
            if (i >= known.length || !known[i]) {
                if (unknown.isEmpty()) {
                    unknown = new TreeMap<>();
                }
                unknown.put(records.columnName(i), Values.json(record[i]));
            }
        }
        return rows.record(position, id, values, unknown, () -> records.print(record));
    }

    @Override
    public void close() throws IOException {
        try {
            records.close();
        }
        finally {
            super.close();
        }
    }
}
