package io.kiln.source;

import static java.util.Objects.requireNonNull;

import io.kiln.transform.Row;

/** What a source yields for each record: a row, or a record it could not turn into one. */
public sealed interface SourceRecord permits SourceRecord.Parsed, SourceRecord.Malformed {
    String position();

    record Parsed(Row row, String position) implements SourceRecord {
        public Parsed {
            requireNonNull(row, "row is null");
            requireNonNull(position, "position is null");
        }
    }

    /**
     * {@code raw} is the record as read (decoded leniently, possibly truncated), kept for the rejects
     * table; {@code step} is what refused it ({@value #EXTRACT}, or {@code join} for a row whose
     * lookup failed), {@code recordId} its id when it had one.
     */
    record Malformed(String position, String reason, String detail, String raw, String step, String recordId) implements SourceRecord {
        public static final String EXTRACT = "extract";

        public Malformed {
            requireNonNull(position, "position is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(detail, "detail is null");
            requireNonNull(raw, "raw is null");
            requireNonNull(step, "step is null");
        }

        /** A record that could not be read into a row. */
        public Malformed(String position, String reason, String detail, String raw) {
            this(position, reason, detail, raw, EXTRACT, null);
        }
    }
}
