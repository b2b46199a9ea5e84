package io.kiln.transform;

import java.util.Map;

/**
 * A kind of step that a JobSpec can name. {@link #bind} validates the parameters and returns a
 * ready-to-use transform; it is called when a job is created, never halfway through a run.
 */
public interface StepDefinition {
    String name();

    int version();

    /** @throws InvalidStepParameterException naming the parameter that is wrong */
    Transform bind(Map<String, Object> parameters);

    default StepId id() {
        return new StepId(name(), version());
    }
}
