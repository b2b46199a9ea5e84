package io.kiln.transform;

import static java.util.Objects.requireNonNull;

/** What a step did with a row: passed it on (possibly changed), or dropped it with a reason. */
public sealed interface Outcome permits Outcome.Emit, Outcome.Drop {
    static Outcome emit(Row row) {
        return new Emit(row);
    }

    static Outcome drop(StepId by, String reason, String detail) {
        return new Drop(by, reason, detail);
    }

    record Emit(Row row) implements Outcome {
        public Emit {
            requireNonNull(row, "row is null");
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
