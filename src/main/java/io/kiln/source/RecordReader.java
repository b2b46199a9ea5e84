package io.kiln.source;

import java.io.IOException;
import java.util.Optional;

/** Streams the records of one input file. Not thread-safe. */
public interface RecordReader extends AutoCloseable {
    /**
     * The next record, or empty at the end of the file.
     *
     * @throws UnreadableInputException when the rest of the file cannot be decoded; {@link #finish()} still works
     */
    Optional<SourceRecord> next() throws IOException;

    /** Reads to the end of the file and returns the sha256 of all its bytes. */
    String finish() throws IOException;

    @Override
    void close() throws IOException;

    /** Turns a parsed record into another record (a row with more, or a reject). */
    @FunctionalInterface
    interface ParsedMapper {
        SourceRecord map(SourceRecord.Parsed parsed) throws IOException;
    }

    /** This reader with each parsed record replaced by what {@code mapper} makes of it; malformed records pass as they are. */
    default RecordReader mapParsed(ParsedMapper mapper) {
        RecordReader reader = this;
        return new RecordReader() {
            @Override
            public Optional<SourceRecord> next() throws IOException {
                Optional<SourceRecord> next = reader.next();
                return next.isPresent() && next.get() instanceof SourceRecord.Parsed parsed ? Optional.of(mapper.map(parsed)) : next;
            }

            @Override
            public String finish() throws IOException {
                return reader.finish();
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }
}
