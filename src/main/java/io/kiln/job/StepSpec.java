package io.kiln.job;

import java.util.Map;
import java.util.TreeMap;

import jakarta.validation.constraints.NotBlank;

/** One step of a JobSpec: a step name and its parameters. */
public record StepSpec(@NotBlank(message = "is required") String name, Map<String, Object> params) {
    public StepSpec {
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(params));
    }
}
