package io.kiln.error;

import static java.util.Objects.requireNonNull;

/** One problem with one field of a request, e.g. {@code source.uri}. */
public record Violation(String field, String message) {
    public Violation {
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }
}
