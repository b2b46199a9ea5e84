package io.kiln.source;

/** A source that cannot be used; the message completes the sentence "The source URI ...". */
public class SourceException extends RuntimeException {
    public SourceException(String message) {
        super(message);
    }
}
