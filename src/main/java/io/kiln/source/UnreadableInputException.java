package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;

/**
 * Thrown by {@link RecordReader#next()} when the rest of a file's content cannot be decoded (a
 * compressed stream that is corrupt or cut short, text that is not valid in its encoding), though
 * the file itself reads: the records before it stand, the rest of the file gives none, and
 * {@link RecordReader#finish()} still hashes the whole file. The runtime makes it one reject of the
 * file with {@link #reason()}; the message says what is wrong in plain words, for that reject.
 */
public final class UnreadableInputException extends IOException {
    public static final String UNREADABLE_INPUT = "unreadable-input";

    private final String reason;

    public UnreadableInputException(String reason, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.reason = requireNonNull(reason, "reason is null");
    }

    public UnreadableInputException(String message, Throwable cause) {
        this(UNREADABLE_INPUT, message, cause);
    }

    /** The reject's reason code: {@value #UNREADABLE_INPUT}, or {@code invalid-utf8} for text that is not. */
    public String reason() {
        return reason;
    }
}
