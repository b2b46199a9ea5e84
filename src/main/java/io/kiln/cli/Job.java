package io.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A job as the service reports it on {@code GET /v1/jobs/{id}}. Unknown fields are ignored, and
 * missing collections read as empty, so that a newer service does not break an older client.
 */
record Job(
        String id,
        String state,
        String table,
        String createdAt,
        String startedAt,
        String finishedAt,
        Long snapshotId,
        Counts counts,
        Map<String, Long> rejectedByReason,
        List<StepCounts> steps,
        List<JsonNode> checks,
        JobError error,
        Progress progress)
{
    static final String PUBLISHED = "PUBLISHED";
    private static final Set<String> TERMINAL_STATES = Set.of(PUBLISHED, "REJECTED", "FAILED", "CANCELLED");

    Job
    {
        requireNonNull(id, "id is null");
        requireNonNull(state, "state is null");
        counts = counts == null ? Counts.NONE : counts;
        rejectedByReason = rejectedByReason == null ? Map.of() : Map.copyOf(rejectedByReason);
        steps = steps == null ? List.of() : List.copyOf(steps);
        checks = checks == null ? List.of() : List.copyOf(checks);
        progress = progress == null ? Progress.NONE : progress;
    }

    boolean terminal()
    {
        return TERMINAL_STATES.contains(state);
    }

    boolean published()
    {
        return PUBLISHED.equals(state);
    }

    Optional<String> tableName()
    {
        return Optional.ofNullable(table);
    }

    Optional<Long> snapshot()
    {
        return Optional.ofNullable(snapshotId);
    }

    Optional<JobError> failure()
    {
        return Optional.ofNullable(error);
    }

    record Counts(long read, long written, long rejected, long merged)
    {
        static final Counts NONE = new Counts(0, 0, 0, 0);
    }

    record StepCounts(String step, long forwarded, Map<String, Long> dropped, Map<String, Long> counted, double rowsPerSecond)
    {
        StepCounts
        {
            step = step == null ? "?" : step;
            dropped = dropped == null ? Map.of() : Map.copyOf(dropped);
            counted = counted == null ? Map.of() : Map.copyOf(counted);
        }
    }

    record JobError(String code, String message) {}

    /** {@code phase}: PLANNING (hashing), DEDUPLICATING, READING, COMMITTING, QUEUED or AUDITING; null once ended. */
    record Progress(String phase, long bytesRead, long bytesTotal, long recordsRead, double recordsPerSecond, double fraction, long bytesPerSecond,
            Long etaSeconds)
    {
        static final Progress NONE = new Progress(null, 0, 0, 0, 0, 0, 0, null);

        /** The fraction done, clamped to [0, 1]; a service that reports nothing reads as 0. */
        double clampedFraction()
        {
            if (Double.isNaN(fraction)) {
                return 0;
            }
            return Math.max(0, Math.min(1, fraction));
        }
    }
}
