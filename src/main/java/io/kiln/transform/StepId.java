package io.kiln.transform;

import static java.util.Objects.requireNonNull;

/** A step and the version of its output, written {@code name@version}, e.g. {@code normalize@1}. */
public record StepId(String name, int version) {
    public StepId {
        requireNonNull(name, "name is null");
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive: " + version);
        }
    }

    @Override
    public String toString() {
        return name + "@" + version;
    }
}
