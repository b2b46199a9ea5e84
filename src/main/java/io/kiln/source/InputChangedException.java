package io.kiln.source;

import java.io.IOException;

/**
 * Thrown when an input file is not the file its job was bound to: it, or a folder on its path, was
 * replaced since (by a symbolic link, or by another file). The message completes the sentence "The
 * input was replaced after the job was bound: ..." and names nothing outside the source roots.
 */
public final class InputChangedException extends IOException {
    public InputChangedException(String message) {
        super(message);
    }
}
