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
}
