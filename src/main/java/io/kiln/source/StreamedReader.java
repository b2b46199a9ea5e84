package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;

/**
 * A reader that streams one input file through its {@link HashingInput}: finishing reads what is
 * left of the file and returns its sha256, closing closes the file.
 */
abstract class StreamedReader implements RecordReader {
    protected final HashingInput raw;

    StreamedReader(HashingInput raw) {
        this.raw = requireNonNull(raw, "raw is null");
    }

    @Override
    public String finish() throws IOException {
        return raw.finish();
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
