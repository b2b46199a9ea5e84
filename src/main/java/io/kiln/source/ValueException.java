package io.kiln.source;

import static java.util.Objects.requireNonNull;

/**
 * A value that does not fit its column: {@code type-mismatch} (wrong type, out of range, an
 * unparsable date) or {@code missing-value} (no value for a required column). The detail names the
 * column and shows the value. A record with one becomes a reject; the job carries on.
 */
final class ValueException extends Exception {
    static final String TYPE_MISMATCH = "type-mismatch";
    static final String MISSING_VALUE = "missing-value";

    private final String reason;

    ValueException(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = requireNonNull(reason, "reason is null");
    }

    String reason() {
        return reason;
    }

    static ValueException mismatch(String column, Object value, String expected) {
        return new ValueException(TYPE_MISMATCH, "column '" + column + "': " + shown(value) + " is not " + expected);
    }

    static ValueException missing(String column, String field) {
        return new ValueException(MISSING_VALUE, "column '" + column + "' is required but the record has no value for field '" + field + "'");
    }

    /** A value as a message shows it: quoted and cut to 200 characters. */
    static String shown(Object value) {
        if (value instanceof com.fasterxml.jackson.databind.JsonNode node && node.isTextual()) {
            return shown(node.textValue());
        }
        String text = String.valueOf(value);
        if (text.length() > 200) {
            text = text.substring(0, 200) + "...";
        }
        return value instanceof String || value instanceof CharSequence ? "'" + text + "'" : text;
    }
}
