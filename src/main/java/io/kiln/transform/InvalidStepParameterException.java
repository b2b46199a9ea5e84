package io.kiln.transform;

import static java.util.Objects.requireNonNull;

/** A step parameter that is unknown, missing or out of range; carries the parameter's name. */
public class InvalidStepParameterException extends RuntimeException {
    private final String parameter;

    public InvalidStepParameterException(String parameter, String message) {
        super(message);
        this.parameter = requireNonNull(parameter, "parameter is null");
    }

    public String parameter() {
        return parameter;
    }
}
