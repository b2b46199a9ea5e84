package io.kiln.transform;

import java.util.Map;

/**
 * A kind of step that a JobSpec can name. {@link #bind} validates the parameters and returns a
 * ready-to-use transform; it is called when a job is created, never halfway through a run.
 */
public interface StepDefinition {
    /** The step's name and its current version: bump the version when its output may change. */
    StepId id();

    /**
     * Binds without the service ({@link StepContext#none()}). A step overrides this one or
     * {@link #bind(Map, StepContext)}, the one that holds its binding; each default calls the other.
     *
     * @throws InvalidStepParameterException naming the parameter that is wrong
     */
    default Transform bind(Map<String, Object> parameters) {
        return bind(parameters, StepContext.none());
    }

    /**
     * Binds with what the service provides ({@link StepContext}); steps that need no key and no
     * earlier snapshot keep the default, which ignores it.
     *
     * @throws InvalidStepParameterException naming the parameter that is wrong
     */
    default Transform bind(Map<String, Object> parameters, StepContext context) {
        return bind(parameters);
    }

    default String name() {
        return id().name();
    }

    default int version() {
        return id().version();
    }
}
