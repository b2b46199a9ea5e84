package io.kiln.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;

import io.kiln.check.CheckResult;
import io.kiln.job.Job;
import io.kiln.job.JobProgress;
import io.kiln.job.JobSpec;
import io.kiln.job.JobState;
import io.kiln.transform.TransformChain.StepStatistics;

/** A job as the API shows it: the stored job plus live progress while it runs. */
public record JobView(
        String id,
        JobState state,
        String table,
        Instant createdAt,
        Instant startedAt,
        Instant auditStartedAt,
        Instant finishedAt,
        @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") Long snapshotId,
        @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") Long auditedSnapshotId,
        String branch,
        Job.Counts counts,
        Map<String, Long> rejectedByReason,
        List<StepStatistics> steps,
        List<CheckResult> checks,
        Job.JobError error,
        Progress progress,
        String idempotencyKey,
        String submittedBy,
        JobSpec spec) {

    /**
     * {@code phase} is null once the job has ended; {@code fraction} counts every pass over the input
     * ({@code passes}: hashing, any fitted passes, writing) and is 1 only once the job has ended;
     * {@code etaSeconds}: the input still to read at the rate so far (null when unknown or done).
     */
    public record Progress(String phase, long bytesHashed, long bytesRead, long bytesTotal, long recordsRead, double recordsPerSecond, double fraction,
            int passes, long bytesPerSecond, Long etaSeconds) {}

    /** {@code cancelling}: a cancel was asked for and the job has not stopped yet; a RUNNING job then shows CANCELLING. */
    static JobView of(Job job, java.util.Optional<JobProgress.Snapshot> live, boolean cancelling) {
        Job.Counts counts = job.counts();
        List<StepStatistics> steps = job.steps();
        Progress progress;
        if (live.isPresent()) {
            JobProgress.Snapshot snapshot = live.get();
            counts = new Job.Counts(snapshot.recordsRead(), snapshot.written(), snapshot.rejected());
            if (!snapshot.steps().isEmpty()) {
                steps = snapshot.steps();
            }
            progress = new Progress(snapshot.phase().name(), snapshot.bytesHashed(), snapshot.bytesRead(), snapshot.bytesTotal(),
                    snapshot.recordsRead(), snapshot.recordsPerSecond(), snapshot.fraction(), snapshot.passes(), snapshot.bytesPerSecond(), snapshot.etaSeconds());
        }
        else {
            double fraction = job.state().isFinal() ? 1.0 : job.state() == JobState.AUDITING ? JobProgress.MAX_RUNNING_FRACTION : 0.0;
            double seconds = job.startedAt() != null && job.finishedAt() != null
                    ? Math.max(1e-3, (job.finishedAt().toEpochMilli() - job.startedAt().toEpochMilli()) / 1000.0)
                    : 0;
            double rate = seconds > 0 ? Math.round(counts.read() / seconds * 10) / 10.0 : 0.0;
            long bytes = job.inputBytes() == null ? 0 : job.inputBytes();
            long done = job.state() == JobState.PUBLISHED || job.state() == JobState.AUDITING ? bytes : 0;
            String phase = job.state() == JobState.QUEUED || job.state() == JobState.AUDITING ? job.state().name() : null;
            progress = new Progress(phase, done, done, bytes, counts.read(), rate, fraction, 0, 0, null);
        }
        JobState state = cancelling && job.state() == JobState.RUNNING ? JobState.CANCELLING : job.state();
        return new JobView(job.id(), state, job.table(), job.createdAt(), job.startedAt(), job.auditStartedAt(), job.finishedAt(), job.snapshotId(),
                job.auditedSnapshotId(), job.branch(), counts, job.rejectedByReason(), steps, job.checks(), job.error(), progress,
                job.idempotencyKey(), job.submittedBy(), job.spec());
    }
}
