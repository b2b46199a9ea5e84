package io.kiln.api;

import java.time.Instant;

import io.kiln.job.Job;
import io.kiln.job.Operations;
import io.kiln.job.Reproduction;
import io.kiln.job.Reproductions;

/** A reproduction as the API shows it; {@code result} (IDENTICAL, DIFFERENT or INPUTS_CHANGED, with why) once it has SUCCEEDED. */
public record ReproductionView(String id, Operations.State state, String jobId, Instant createdAt, Instant startedAt, Instant finishedAt,
        Reproduction.Result result, Job.JobError error) {

    static ReproductionView of(Operations.Operation<Reproductions.Order, Reproduction.Result> operation) {
        return new ReproductionView(operation.id(), operation.state(), operation.request().jobId(), operation.createdAt(),
                operation.startedAt().orElse(null), operation.finishedAt().orElse(null), operation.result().orElse(null), operation.error().orElse(null));
    }
}
