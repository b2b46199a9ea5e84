package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.kiln.transform.TransformChain.StepStatistics;

/**
 * A job as persisted and reported. Fields that do not apply yet ({@code startedAt},
 * {@code snapshotId}, {@code error}, ...) are null until they do.
 */
public record Job(
        String id,
        String idempotencyKey,
        String specSha256,
        JobState state,
        JobSpec spec,
        String table,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Long snapshotId,
        Long inputBytes,
        Counts counts,
        Map<String, Long> rejectedByReason,
        List<StepStatistics> steps,
        JobError error) {
    public Job {
        requireNonNull(id, "id is null");
        requireNonNull(specSha256, "specSha256 is null");
        requireNonNull(state, "state is null");
        requireNonNull(spec, "spec is null");
        requireNonNull(table, "table is null");
        requireNonNull(createdAt, "createdAt is null");
        counts = counts == null ? Counts.ZERO : counts;
        rejectedByReason = rejectedByReason == null ? Map.of() : Map.copyOf(rejectedByReason);
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    public record Counts(long read, long written, long rejected) {
        public static final Counts ZERO = new Counts(0, 0, 0);
    }

    public record JobError(String code, String message) {
        public JobError {
            requireNonNull(code, "code is null");
            requireNonNull(message, "message is null");
        }
    }

    public Job running(Instant now) {
        return new Job(id, idempotencyKey, specSha256, JobState.RUNNING, spec, table, createdAt, now, null, null, null, Counts.ZERO, Map.of(), List.of(), null);
    }

    public Job published(Instant now, long snapshot, long bytes, Counts finalCounts, Map<String, Long> rejected, List<StepStatistics> statistics) {
        return new Job(id, idempotencyKey, specSha256, JobState.PUBLISHED, spec, table, createdAt, startedAt, now, snapshot, bytes, finalCounts, rejected, statistics, null);
    }

    public Job ended(JobState endState, Instant now, JobError failure) {
        return new Job(id, idempotencyKey, specSha256, endState, spec, table, createdAt, startedAt, now, snapshotId, inputBytes, counts, rejectedByReason, steps, failure);
    }

    public Job requeued() {
        return new Job(id, idempotencyKey, specSha256, JobState.QUEUED, spec, table, createdAt, null, null, null, null, Counts.ZERO, Map.of(), List.of(), null);
    }
}
