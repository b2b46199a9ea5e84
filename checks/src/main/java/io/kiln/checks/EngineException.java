package io.kiln.checks;

import static java.util.Objects.requireNonNull;

/**
 * The one exception the engine throws on purpose. Its message goes to the client verbatim, so it must
 * be a sentence for a person: no class names, no stack traces, no secrets.
 */
public final class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public EngineException(ErrorCode code, String message) {
        super(requireNonNull(message, "message is null"));
        this.code = requireNonNull(code, "code is null");
    }

    public EngineException(ErrorCode code, String message, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
    }

    public ErrorCode code() {
        return code;
    }
}
