package io.kiln.job;

import java.util.Map;
import java.util.TreeMap;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * One step of a JobSpec: a step name, optionally the version to run (the current one when absent:
 * a job that must produce what an older version produced names it), and its parameters.
 */
public record StepSpec(@NotBlank(message = "is required") String name, @Min(value = 1, message = "must be 1 or more") Integer version, Map<String, Object> params) {
    public StepSpec {
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(params));
    }

    /** The current version of {@code name}. */
    public StepSpec(String name, Map<String, Object> params) {
        this(name, null, params);
    }

    /** This step pinned to {@code pinned}. */
    public StepSpec withVersion(int pinned) {
        return new StepSpec(name, pinned, params);
    }
}
