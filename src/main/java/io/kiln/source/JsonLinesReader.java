package io.kiln.source;

import java.io.IOException;
import java.util.Optional;

/**
 * A JSON lines file read line by line: each non-blank line is one record, made by {@link #parse},
 * which keeps no state between lines, so that a job can parse a line on any thread
 * ({@link #nextPending()}: the line with bytes of its own).
 */
abstract class JsonLinesReader extends StreamedReader {
    private final BoundedLineReader lines;

    JsonLinesReader(HashingInput raw, Compression compression, int maxRecordBytes) throws IOException {
        super(raw);
        this.lines = JsonlReader.lines(raw, compression, maxRecordBytes);
    }

    /** The record of one non-blank line; thread-safe. */
    abstract SourceRecord parse(BoundedLineReader.Line line);

    @Override
    public final Optional<SourceRecord> next() throws IOException {
        BoundedLineReader.Line line = lines.nextNonBlank();
        return line == null ? Optional.empty() : Optional.of(parse(line));
    }

    @Override
    public final Optional<Pending> nextPending() throws IOException {
        BoundedLineReader.Line line = lines.nextNonBlankCopy();
        return line == null ? Optional.empty() : Optional.of(Pending.sized(line.length(), () -> parse(line)));
    }
}
