package io.kiln.source;

import java.io.Closeable;
import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/**
 * The records of one CSV file as Apache Commons CSV parses them, streaming, for the reader and for
 * schema inference alike: decompressed, decoded strictly in the declared encoding (text that is not
 * valid in it ends the file's records, naming the line), a byte order mark skipped, the header read when there is one.
 * A record longer than {@code maxRecordChars} characters stops the parser ({@link RecordTooLargeException}).
 * Not thread-safe.
 */
final class CsvRecords implements Closeable {
    private final CSVFormat printed;
    private final LimitedReader limited;
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> header;

    CsvRecords(InputStream raw, CsvOptions csv, Compression compression, int maxRecordChars) throws IOException {
        CSVFormat format = format(csv);
        this.printed = format.builder().setQuoteMode(QuoteMode.MINIMAL).get();
        Reader decoded = new StrictReader(compression.decompress(raw), csv.encoding(), " (declare source.csv.encoding if the file has another)");
        PushbackReader start = new PushbackReader(decoded, 1);
        int first = start.read();
        if (first >= 0 && first != '\uFEFF') {
            start.unread(first);
        }
        this.limited = new LimitedReader(start, maxRecordChars);
        this.parser = CSVParser.builder().setReader(limited).setFormat(format).get();
        this.records = parser.iterator();
        this.header = csv.header() ? readHeader() : null;
    }

    /** RFC 4180 with the job's delimiter, quote and escape; a quoted field is always text, an unquoted null marker is null. */
    private static CSVFormat format(CsvOptions options) {
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
        Optional<CSVRecord> first = next();
        if (first.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(first.get().size());
        for (String name : first.get()) {
            names.add(name == null ? "" : name);
        }
        return List.copyOf(names);
    }

    /** The header's names; empty when the file has no header. */
    Optional<List<String>> header() {
        return Optional.ofNullable(header);
    }

    /** The name of column {@code index} (from 0): the header's, or {@code column_<index + 1>} beyond it or without one. */
    String columnName(int index) {
        return header != null && index < header.size() ? header.get(index) : "column_" + (index + 1);
    }

    /**
     * The next record; empty at the end.
     *
     * @throws RecordTooLargeException for a record over the limit: the parser cannot go on
     * @throws UnreadableInputException for text that is not valid in the declared encoding ({@code invalid-utf8} for
     *         UTF-8), naming the line, or compressed data that cannot be decompressed: the records before it stand
     * @throws IOException for input that is not CSV
     */
    Optional<CSVRecord> next() throws IOException {
        limited.startRecord();
        try {
            return records.hasNext() ? Optional.of(records.next()) : Optional.empty();
        }
        catch (UncheckedIOException e) {
            throw e.getCause();
        }
        catch (IllegalStateException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("it is not valid CSV after line " + parser.getCurrentLineNumber() + ": " + e.getMessage(), e);
        }
    }

    /** The line the parser has read to. */
    long line() {
        return parser.getCurrentLineNumber();
    }

    /** The start of the record that went over the limit, as read. */
    String excerpt() {
        return limited.excerpt();
    }

    /** A record as the reject keeps it: written back in the file's dialect, quoting only where needed. */
    String print(CSVRecord record) {
        return printed.format((Object[]) record.values());
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    /** Thrown when one record is longer than the limit. */
    static final class RecordTooLargeException extends IOException {
        RecordTooLargeException() {
            super("record too large", null);
        }
    }

    /** Counts the characters the parser reads for one record and stops it past the limit. */
    private static final class LimitedReader extends FilterReader {
        private final long limit;
        private final StringBuilder excerpt = new StringBuilder();
        private long count;

        LimitedReader(Reader in, long limit) {
            super(in);
            this.limit = limit;
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
