package io.kiln.transform;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a step did with a row: passed it on (possibly changed, or split into several rows), or
 * dropped it with a reason.
 */
public sealed interface Outcome permits Outcome.Emit, Outcome.Drop {
    static Emit emit(Row row) {
        return new Emit(List.of(row), Map.of());
    }

    /** One row becomes {@code rows} (a chunker); at least one. */
    static Emit emitAll(List<Row> rows) {
        return new Emit(rows, Map.of());
    }

    static Outcome drop(StepId by, String reason, String detail) {
        return new Drop(by, reason, detail);
    }

    /**
     * Rows passed on, and what the step counted on the way (for example redactions by kind);
     * counts are summed per step over the job and land in the snapshot summary.
     */
    record Emit(List<Row> rows, Map<String, Long> counts) implements Outcome {
        public Emit {
            rows = List.copyOf(rows);
            if (rows.isEmpty()) {
                throw new IllegalArgumentException("an emit needs at least one row; drop a row with a reason instead");
            }
            counts = Map.copyOf(counts);
        }

        /** The row, when the step emitted exactly one. */
        public Row row() {
            if (rows.size() != 1) {
                throw new IllegalStateException("the step emitted " + rows.size() + " rows");
            }
            return rows.get(0);
        }

        /** This outcome, also counting {@code amount} of {@code kind}; zero amounts are not recorded. */
        public Emit counting(String kind, long amount) {
            if (amount == 0) {
                return this;
            }
            Map<String, Long> merged = new TreeMap<>(counts);
            merged.merge(kind, amount, Long::sum);
            return new Emit(rows, merged);
        }
    }

    /**
     * A dropped row. {@code reason} is a stable, kebab-case code (it is counted and queried);
     * {@code detail} is free text for a person.
     */
    record Drop(StepId by, String reason, String detail) implements Outcome {
        public Drop {
            requireNonNull(by, "by is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(detail, "detail is null");
        }
    }
}
