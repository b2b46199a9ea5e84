package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Bounds on reading one document (a file, or one message of an mbox) through Tika. A document
 * that goes past one is a reject, never a job failure.
 *
 * @param parseTimeout longest one document may take to parse (reject {@code timeout})
 * @param maxTextChars most characters of text extracted from one document (reject {@code too-large})
 * @param maxDocumentBytes largest input file, or mbox message, that is parsed (reject {@code too-large}, unparsed)
 */
public record DocumentLimits(Duration parseTimeout, int maxTextChars, long maxDocumentBytes) {
    public static final Duration DEFAULT_PARSE_TIMEOUT = Duration.ofSeconds(60);
    public static final long DEFAULT_MAX_DOCUMENT_BYTES = 256L << 20;

    public DocumentLimits {
        requireNonNull(parseTimeout, "parseTimeout is null");
        if (parseTimeout.isNegative() || parseTimeout.isZero()) {
            throw new IllegalArgumentException("parseTimeout must be positive, was " + parseTimeout);
        }
        if (maxTextChars < 1) {
            throw new IllegalArgumentException("maxTextChars must be positive, was " + maxTextChars);
        }
        if (maxDocumentBytes < 1) {
            throw new IllegalArgumentException("maxDocumentBytes must be positive, was " + maxDocumentBytes);
        }
    }

    /** 60 s per document, at most {@code maxRecordBytes} characters of text, input files up to 256 MiB. */
    public static DocumentLimits defaults(int maxRecordBytes) {
        return new DocumentLimits(DEFAULT_PARSE_TIMEOUT, maxRecordBytes, DEFAULT_MAX_DOCUMENT_BYTES);
    }

    public DocumentLimits withParseTimeout(Duration timeout) {
        return new DocumentLimits(timeout, maxTextChars, maxDocumentBytes);
    }
}
