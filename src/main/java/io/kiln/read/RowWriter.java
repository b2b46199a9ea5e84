package io.kiln.read;

import java.io.IOException;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Writes the batches of one {@link VectorSchemaRoot} to one output in one {@link RowFormat}. The
 * output is the caller's: {@link #finish()} completes the format and flushes, but never closes it.
 * The same batches give the same bytes. Not thread-safe.
 */
public interface RowWriter {
    /** Writes the root's current rows. */
    void write(VectorSchemaRoot batch) throws IOException;

    /** About how many bytes the output has so far, counting what is still buffered. */
    long bytes();

    /** Ends the output (Arrow end marker or footer, Parquet footer) and flushes it. */
    void finish() throws IOException;
}
