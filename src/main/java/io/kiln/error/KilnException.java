package io.kiln.error;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The one exception Kiln throws for failures it can name. Its message is safe to show to API
 * clients: it never carries class names or stack traces.
 */
public class KilnException extends RuntimeException {
    private final ErrorCode code;
    private final List<Violation> violations;

    public KilnException(ErrorCode code, String message) {
        this(code, message, List.of(), null);
    }

    public KilnException(ErrorCode code, String message, Throwable cause) {
        this(code, message, List.of(), cause);
    }

    public KilnException(ErrorCode code, String message, List<Violation> violations) {
        this(code, message, violations, null);
    }

    private KilnException(ErrorCode code, String message, List<Violation> violations, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
        this.violations = List.copyOf(violations);
    }

    public static KilnException invalidSpec(List<Violation> violations) {
        return new KilnException(ErrorCode.INVALID_JOB_SPEC, "The job spec is invalid", violations);
    }

    public ErrorCode code() {
        return code;
    }

    public List<Violation> violations() {
        return violations;
    }
}
