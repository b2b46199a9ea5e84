package io.kiln.source;

import java.io.Closeable;
import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

import de.siegmar.fastcsv.reader.AbstractBaseCsvCallbackHandler;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;

/**
 * The records of one CSV file, streaming, for the reader and for schema inference alike: decompressed, decoded strictly
 * in the declared encoding (text that is not valid in it ends the file's records, naming the line), a byte order mark
 * skipped, the header read when there is one. A record is its fields' text, null for an unquoted null marker.
 *
 * <p>FastCSV parses the RFC 4180 dialects (a quote character and no escape character), which it reads in blocks;
 * Apache Commons CSV parses a dialect with an escape character or without quotes, which FastCSV does not read. Both
 * give the same records for what both read. A record longer than {@code maxRecordChars} characters stops the parser
 * ({@link RecordTooLargeException}). Not thread-safe.
 */
final class CsvRecords implements Closeable {
    private final CSVFormat printed;
    private final LimitedReader limited;
    private final Parser parser;
    private final List<String> header;

    CsvRecords(InputStream raw, CsvOptions csv, Compression compression, int maxRecordChars) throws IOException {
        this.printed = commonsFormat(csv).builder().setQuoteMode(QuoteMode.MINIMAL).get();
        Reader decoded = new StrictReader(compression.decompress(raw), csv.encoding(), " (declare source.csv.encoding if the file has another)");
        PushbackReader start = new PushbackReader(decoded, 1);
        int first = start.read();
        if (first >= 0 && first != '\uFEFF') {
            start.unread(first);
        }
        this.limited = new LimitedReader(start, maxRecordChars);
        this.parser = csv.quote().isPresent() && csv.escape().isEmpty() ? new FastParser(limited, csv, maxRecordChars) : new CommonsParser(limited, csv);
        this.header = csv.header() ? readHeader() : null;
    }

    /** RFC 4180 with the job's delimiter, quote and escape; a quoted field is always text, an unquoted null marker is null. */
    private static CSVFormat commonsFormat(CsvOptions options) {
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
        Optional<String[]> first = next();
        if (first.isEmpty()) {
            return List.of();
        }
        String[] names = first.get();
        for (int i = 0; i < names.length; i++) {
            names[i] = names[i] == null ? "" : names[i];
        }
        return List.of(names);
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
     * The next record's fields; empty at the end.
     *
     * @throws RecordTooLargeException for a record over the limit: the parser cannot go on
     * @throws UnreadableInputException for text that is not valid in the declared encoding ({@code invalid-utf8} for
     *         UTF-8), naming the line, or compressed data that cannot be decompressed: the records before it stand
     * @throws IOException for input that is not CSV
     */
    Optional<String[]> next() throws IOException {
        limited.startRecord();
        try {
            return Optional.ofNullable(parser.next());
        }
        catch (UncheckedIOException e) {
            throw e.getCause();
        }
        catch (CsvParseException | IllegalStateException e) {
            // FastCSV's and Commons CSV's way of saying that the text is not CSV
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("it is not valid CSV from line " + parser.line() + ": " + e.getMessage(), e);
        }
    }

    /** The line where the record last read (or being read) starts, counting from 1. */
    long line() {
        return parser.line();
    }

    /** The start of the record that went over the limit, as read. */
    String excerpt() {
        return limited.excerpt();
    }

    /** A record as the reject keeps it: written back in the file's dialect, quoting only where needed. */
    String print(String[] record) {
        return printed.format((Object[]) record);
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

    /** A CSV parser: the next record's fields (null at the end), and the line where it starts. */
    private interface Parser extends Closeable {
        String[] next() throws IOException;

        long line();
    }

    /** FastCSV, with each field's text made here so that an unquoted null marker becomes null. */
    private static final class FastParser implements Parser {
        private final Fields fields;
        private final CsvReader<String[]> reader;
        private final Iterator<String[]> records;

        FastParser(Reader in, CsvOptions csv, int maxRecordChars) {
            this.fields = new Fields(csv.nullValue());
            this.reader = CsvReader.builder()
                    .fieldSeparator(csv.delimiter())
                    .quoteCharacter(csv.quote().orElseThrow())
                    .skipEmptyLines(true)
                    .allowExtraFields(true)
                    .allowMissingFields(true)
                    .allowExtraCharsAfterClosingQuote(true)
                    .allowUnclosedQuote(false)
                    // a record over the limit stops the limited reader first; FastCSV's own limit only backs it
                    .maxBufferSize((int) Math.min(Integer.MAX_VALUE - 16, (long) maxRecordChars + (1 << 16)))
                    .build(fields, in);
            this.records = reader.iterator();
        }

        @Override
        public String[] next() {
            return records.hasNext() ? records.next() : null;
        }

        @Override
        public long line() {
            return fields.line();
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /** One record's fields as FastCSV hands them over. */
    private static final class Fields extends AbstractBaseCsvCallbackHandler<String[]> {
        private final char[] nullValue;
        private String[] fields = new String[16];
        private int count;

        Fields(String nullValue) {
            this.nullValue = nullValue.toCharArray();
        }

        long line() {
            return getStartingLineNumber();
        }

        @Override
        protected void handleBegin(long startingLineNumber) {
            count = 0;
        }

        @Override
        protected void handleField(int index, char[] buffer, int offset, int length, boolean quoted) {
            if (count == fields.length) {
                fields = Arrays.copyOf(fields, count * 2);
            }
            fields[count++] = !quoted && isNullValue(buffer, offset, length) ? null : new String(buffer, offset, length);
        }

        private boolean isNullValue(char[] buffer, int offset, int length) {
            return length == nullValue.length && Arrays.equals(buffer, offset, offset + length, nullValue, 0, length);
        }

        @Override
        protected String[] buildRecord() {
            return Arrays.copyOf(fields, count);
        }
    }

    /** Apache Commons CSV, for the dialects FastCSV does not read. */
    private static final class CommonsParser implements Parser {
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private long line = 1;

        CommonsParser(Reader in, CsvOptions csv) throws IOException {
            this.parser = CSVParser.builder().setReader(in).setFormat(commonsFormat(csv)).get();
            this.records = parser.iterator();
        }

        @Override
        public String[] next() {
            line = parser.getCurrentLineNumber() + 1;
            return records.hasNext() ? records.next().values() : null;
        }

        @Override
        public long line() {
            return line;
        }

        @Override
        public void close() throws IOException {
            parser.close();
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
