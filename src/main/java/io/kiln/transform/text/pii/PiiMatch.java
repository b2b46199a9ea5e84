package io.kiln.transform.text.pii;

import static java.util.Objects.requireNonNull;

/**
 * A span of text found to be {@code kind}: {@code [start, end)} in the text, and the value in a
 * normalized form (lower-case e-mail, E.164 phone, canonical address, digits only...) so that two
 * spellings of one value get one pseudonym.
 */
public record PiiMatch(PiiKind kind, int start, int end, String normalized) {
    public PiiMatch {
        requireNonNull(kind, "kind is null");
        requireNonNull(normalized, "normalized is null");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }

    public int length() {
        return end - start;
    }

    public boolean overlaps(PiiMatch other) {
        return start < other.end && other.start < end;
    }
}
