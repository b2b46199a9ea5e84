package io.kiln.job;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import jakarta.validation.constraints.Pattern;

/**
 * What a client asks Kiln to ingest: from one {@code source}, or from the union of several
 * ({@code sources}), each row then enriched by the {@code join}s in order. Validated structurally by Hibernate Validator, then bound
 * (steps, parameters, source) by {@link JobBinder} when the job is created.
 */
public record JobSpec(
        @NotBlank(message = "is required")
        @Pattern(regexp = TABLE_PATTERN, message = "must be <namespace>.<name>: lower-case letters, digits and underscores, each starting with a letter")
        String table,
        @Valid SourceSpec source,
        List<@NotNull(message = "must not be null") @Valid StepSpec> steps,
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}", message = "must name a suite: letters, digits, '.', '_' or '-'")
        String checks,
        @DecimalMin(value = "0.0", message = "must be between 0 and 1")
        @DecimalMax(value = "1.0", message = "must be between 0 and 1")
        Double maxRejectedRate,
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}", message = "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
        String tag,
        List<@NotNull(message = "must not be null") @Valid SourceSpec> sources,
        List<@NotNull(message = "must not be null") @Valid JoinSpec> join) {
    public static final String TABLE_PATTERN = "[a-z][a-z0-9_]{0,63}\\.[a-z][a-z0-9_]{0,127}";
    /** The most steps a job may have: a chain is read whole into every worker, and no sensible recipe comes near. */
    public static final int MAX_STEPS = 100;

    public JobSpec {
        steps = steps == null ? List.of() : steps;
        sources = sources == null ? List.of() : sources;
        join = join == null ? List.of() : join;
    }

    public JobSpec(String table, SourceSpec source, List<StepSpec> steps, String checks, Double maxRejectedRate, String tag) {
        this(table, source, steps, checks, maxRejectedRate, tag, null, null);
    }

    /** This spec with other steps. */
    public JobSpec withSteps(List<StepSpec> newSteps) {
        return new JobSpec(table, source, newSteps, checks, maxRejectedRate, tag, sources, join);
    }
}
