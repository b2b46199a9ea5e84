package io.kiln.source;

import java.io.IOException;

/**
 * Thrown when an input file changed after the job hashed it: its size, modification time or file
 * key are not what they were, or its reader did not see as many bytes as were hashed. The message
 * completes the sentence "The input ..." ("changed while the job read it: its size went from ...")
 * and names nothing outside the source roots.
 */
public final class ContentChangedException extends IOException {
    public ContentChangedException(String message) {
        super(message);
    }
}
