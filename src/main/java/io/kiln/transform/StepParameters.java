package io.kiln.transform;

import java.util.Map;
import java.util.Set;

/** Helpers for steps to read and check their parameters. */
public final class StepParameters {
    private StepParameters() {}

    public static void requireOnly(Map<String, Object> parameters, Set<String> known) {
        for (String name : parameters.keySet()) {
            if (!known.contains(name)) {
                throw new InvalidStepParameterException(name, known.isEmpty()
                        ? "unknown parameter: this step takes no parameters"
                        : "unknown parameter; known parameters are " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    public static String oneOf(Map<String, Object> parameters, String name, String defaultValue, Set<String> allowed) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof String text) || !allowed.contains(text)) {
            throw new InvalidStepParameterException(name, "must be one of " + String.join(", ", allowed.stream().sorted().toList()) + ", was " + value);
        }
        return text;
    }
}
