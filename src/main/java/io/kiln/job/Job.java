package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.kiln.check.CheckResult;
import io.kiln.transform.TransformChain.StepStatistics;

/**
 * A job as persisted and reported. Fields that do not apply yet ({@code startedAt},
 * {@code snapshotId}, {@code error}, ...) are null until they do. {@code snapshotId} is the
 * published snapshot (main's head after the publish); {@code auditedSnapshotId} the staged
 * snapshot the checks read, which has the same rows. A REJECTED job keeps its {@code branch}.
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
        Instant auditStartedAt,
        Instant finishedAt,
        Long snapshotId,
        Long auditedSnapshotId,
        String branch,
        Long inputBytes,
        Counts counts,
        Map<String, Long> rejectedByReason,
        List<StepStatistics> steps,
        List<CheckResult> checks,
        JobError error,
        String submittedBy) {
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
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    /** {@code merged}: records of lookup files that joined rows (read, and neither written nor rejected themselves). */
    public record Counts(long read, long written, long rejected, long merged) {
        public static final Counts ZERO = new Counts(0, 0, 0);

        public Counts(long read, long written, long rejected) {
            this(read, written, rejected, 0);
        }
    }

    public record JobError(String code, String message) {
        public JobError {
            requireNonNull(code, "code is null");
            requireNonNull(message, "message is null");
        }
    }

    /** {@code submittedBy}: who submitted it (an API key's name, or {@code anonymous} without authentication); null for jobs of an older Kiln. */
    public static Job queued(String id, String idempotencyKey, String specSha256, JobSpec spec, Instant now, String submittedBy) {
        return new Job(id, idempotencyKey, specSha256, JobState.QUEUED, spec, spec.table(), now, null, null, null, null, null, null, null,
                Counts.ZERO, Map.of(), List.of(), List.of(), null, submittedBy);
    }

    public Job running(Instant now) {
        return new Job(id, idempotencyKey, specSha256, JobState.RUNNING, spec, table, createdAt, now, null, null, null, null, null, null,
                Counts.ZERO, Map.of(), List.of(), List.of(), null, submittedBy);
    }

    /** Written and staged: the checks run now. */
    public Job auditing(Instant now, long stagedSnapshotId, String auditBranch, long bytes, Counts writtenCounts, Map<String, Long> rejected,
            List<StepStatistics> statistics) {
        return new Job(id, idempotencyKey, specSha256, JobState.AUDITING, spec, table, createdAt, startedAt, now, null, null, stagedSnapshotId, auditBranch,
                bytes, writtenCounts, rejected, statistics, List.of(), null, submittedBy);
    }

    public Job published(Instant now, long snapshot, Long audited, long bytes, Counts finalCounts, Map<String, Long> rejected,
            List<StepStatistics> statistics, List<CheckResult> results) {
        return new Job(id, idempotencyKey, specSha256, JobState.PUBLISHED, spec, table, createdAt, startedAt, auditStartedAt, now, snapshot, audited, null,
                bytes, finalCounts, rejected, statistics, results, null, submittedBy);
    }

    /** The checks failed: main is untouched, the staged rows stay on {@code auditBranch}. */
    public Job rejected(Instant now, long audited, String auditBranch, List<CheckResult> results) {
        long failed = results.stream().filter(result -> !result.passed()).count();
        return new Job(id, idempotencyKey, specSha256, JobState.REJECTED, spec, table, createdAt, startedAt, auditStartedAt, now, null, audited, auditBranch,
                inputBytes, counts, rejectedByReason, steps, results,
                new JobError("CHECKS_FAILED", failed + " of " + results.size() + " checks failed; main is unchanged and the batch is kept on branch " + auditBranch),
                submittedBy);
    }

    public Job ended(JobState endState, Instant now, JobError failure) {
        return new Job(id, idempotencyKey, specSha256, endState, spec, table, createdAt, startedAt, auditStartedAt, now, snapshotId, auditedSnapshotId, branch,
                inputBytes, counts, rejectedByReason, steps, checks, failure, submittedBy);
    }

    public Job requeued() {
        return queued(id, idempotencyKey, specSha256, spec, createdAt, submittedBy);
    }
}
