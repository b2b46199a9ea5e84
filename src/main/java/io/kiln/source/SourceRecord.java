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

    /** {@code raw} is the record as read (decoded leniently, possibly truncated), kept for the rejects table. */
    record Malformed(String position, String reason, String detail, String raw) implements SourceRecord {
        public Malformed {
            requireNonNull(position, "position is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(detail, "detail is null");
            requireNonNull(raw, "raw is null");
        }
    }
}
