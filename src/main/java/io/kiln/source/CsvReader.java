package io.kiln.source;

import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * CSV read by a {@link RecordSchema} with Apache Commons CSV, streaming. Each field of the schema
 * reads the column of its name in the header (or, without a header, the column at its place in
 * the schema); the other columns are unknown fields. A record with another number of fields than
 * the header is a reject ({@code ragged-row}). Positions are {@code record:N}, counting the records
 * after the header from 1.
 *
 * <p>A record longer than {@code maxRecordBytes} characters is a reject ({@code record-too-large});
 * a quoted field may span any number of lines, so the parser cannot find where the next record
 * starts after it, and the reject says that the rest of the file was not read. Text that is not valid
 * in the declared encoding fails the file ({@code SOURCE_UNREADABLE}): declare the encoding.
 */
final class CsvReader implements RecordReader {
    static final String RAGGED_ROW = "ragged-row";

    private final HashingInput raw;
    private final TypedRows rows;
    private final List<RecordSchema.Field> fields;
    private final CSVFormat format;
    /** The format that writes a record back as the reject keeps it: quotes only where needed. */
    private final CSVFormat printed;
    private final LimitedReader limited;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> header;
    private final int[] columnOfField;
    private final int idColumn;
    private final boolean[] known;
    private final int maxRecordBytes;
    private long number;
    private boolean ended;

    CsvReader(HashingInput raw, RecordSchema schema, String sha256, ReadOptions options) throws IOException {
        this.raw = raw;
        this.rows = new TypedRows(schema, sha256);
        this.fields = schema.fields();
        this.maxRecordBytes = options.maxRecordBytes();
        this.format = format(options.csv());
        this.printed = format.builder().setQuoteMode(QuoteMode.MINIMAL).get();
        Reader decoded = new InputStreamReader(options.compression().decompress(raw), options.csv().encoding().newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        java.io.PushbackReader start = new java.io.PushbackReader(decoded, 1);
        int first = start.read();
        if (first >= 0 && first != '\uFEFF') {
            start.unread(first);
        }
        this.limited = new LimitedReader(start, maxRecordBytes, options.csv().encoding().name());
        this.parser = CSVParser.builder().setReader(limited).setFormat(format).get();
        this.records = parser.iterator();
        this.header = options.csv().header() ? readHeader() : null;
        this.columnOfField = new int[fields.size()];
        Map<String, Integer> byName = new HashMap<>();
        if (header != null) {
            for (int i = header.size() - 1; i >= 0; i--) {
                byName.put(header.get(i), i);
            }
        }
        int width = header == null ? fields.size() : header.size();
        this.known = new boolean[Math.max(width, fields.size())];
        for (int i = 0; i < fields.size(); i++) {
            columnOfField[i] = header == null ? i : byName.getOrDefault(fields.get(i).source(), -1);
            if (columnOfField[i] >= 0) {
                known[columnOfField[i]] = true;
            }
        }
        if (schema.id() instanceof RecordSchema.FromField id) {
            this.idColumn = header == null ? -1 : byName.getOrDefault(id.field(), -1);
            if (idColumn >= 0) {
                known[idColumn] = true;
            }
        }
        else {
            this.idColumn = -1;
        }
    }

    /** RFC 4180 with the job's delimiter, quote and escape; a quoted field is always text, an unquoted null marker is null. */
    static CSVFormat format(CsvOptions options) {
        return CSVFormat.RFC4180.builder()
                .setDelimiter(options.delimiter())
                .setQuote(options.quote().orElse(null))
                .setEscape(options.escape().orElse(null))
                .setNullString(options.nullValue())
                .setQuoteMode(QuoteMode.ALL_NON_NULL)
                .setIgnoreEmptyLines(true)
                .setTrailingData(true)
                .setLenientEof(false)
                .get();
    }

    private List<String> readHeader() throws IOException {
        Optional<CSVRecord> first = nextRecord();
        if (first.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(first.get().size());
        for (String name : first.get()) {
            names.add(name == null ? "" : name);
        }
        return List.copyOf(names);
    }

    /** The next record, failing the file on text that is not valid in its encoding. */
    private Optional<CSVRecord> nextRecord() throws IOException {
        limited.startRecord();
        try {
            return records.hasNext() ? Optional.of(records.next()) : Optional.empty();
        }
        catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new IOException("it is not valid " + limited.encodingName + " after line " + parser.getCurrentLineNumber()
                        + " (declare source.csv.encoding)", e.getCause());
            }
            throw e.getCause();
        }
        catch (IllegalStateException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("it is not valid CSV after line " + parser.getCurrentLineNumber() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<SourceRecord> next() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        Optional<CSVRecord> next;
        try {
            next = nextRecord();
        }
        catch (RecordTooLargeException e) {
            ended = true;
            number++;
            return Optional.of(new SourceRecord.Malformed("record:" + number, "record-too-large", "record " + number + " (from line "
                    + (parser.getCurrentLineNumber() + 1) + ") is longer than the limit of " + maxRecordBytes
                    + " characters; the rest of the file was not read", limited.excerpt()));
        }
        if (next.isEmpty()) {
            return Optional.empty();
        }
        number++;
        return Optional.of(record(next.get()));
    }

    private SourceRecord record(CSVRecord record) {
        String position = "record:" + number;
        int width = header == null ? fields.size() : header.size();
        if (header != null && record.size() != width) {
            return new SourceRecord.Malformed(position, RAGGED_ROW, "the record has " + record.size() + " fields, the header " + width
                    + " (ends at line " + parser.getCurrentLineNumber() + ")", raw(record));
        }
        String id = rows.positionId(position);
        if (idColumn >= 0) {
            id = record.get(idColumn);
            if (id != null && id.isEmpty()) {
                id = null;
            }
        }
        Object[] values = rows.newValues();
        try {
            for (int i = 0; i < fields.size(); i++) {
                int column = columnOfField[i];
                String text = column < 0 || column >= record.size() ? null : record.get(column);
                values[i] = TypedValues.fromText(text, fields.get(i).column().type(), fields.get(i).column().name());
            }
        }
        catch (ValueException e) {
            return TypedRows.malformed(position, e, raw(record));
        }
        Map<String, String> unknown = Map.of();
        for (int i = 0; i < record.size(); i++) {
            if (i >= known.length || !known[i]) {
                if (unknown.isEmpty()) {
                    unknown = new TreeMap<>();
                }
                String name = header == null ? "column_" + (i + 1) : header.get(i);
                String value = record.get(i);
                unknown.put(name, value == null ? "null" : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"");
            }
        }
        return rows.record(position, id, values, unknown, () -> raw(record));
    }

    private String raw(CSVRecord record) {
        return printed.format((Object[]) record.values());
    }

    @Override
    public String finish() throws IOException {
        return raw.finish();
    }

    @Override
    public void close() throws IOException {
        try {
            parser.close();
        }
        finally {
            raw.close();
        }
    }

    /** Thrown by {@link LimitedReader} when one record is longer than the limit. */
    static final class RecordTooLargeException extends IOException {
        RecordTooLargeException() {
            super("record too large", null);
        }
    }

    /** Counts the characters the parser reads for one record and stops it past the limit. */
    private static final class LimitedReader extends FilterReader {
        private final long limit;
        private final String encodingName;
        private final StringBuilder excerpt = new StringBuilder();
        private long count;

        LimitedReader(Reader in, long limit, String encodingName) {
            super(in);
            this.limit = limit;
            this.encodingName = encodingName;
        }

        void startRecord() {
            count = 0;
            excerpt.setLength(0);
        }

        String excerpt() {
            return excerpt.toString();
        }

        @Override
        public int read() throws IOException {
            char[] one = new char[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (count > limit) {
                throw new RecordTooLargeException();
            }
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
                if (excerpt.length() < 4096) {
                    excerpt.append(buffer, offset, Math.min(n, 4096 - excerpt.length()));
                }
            }
            return n;
        }
    }
}
