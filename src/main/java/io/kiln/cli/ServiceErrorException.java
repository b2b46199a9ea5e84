package io.kiln.cli;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The service answered, but not with what was asked for: an HTTP error with the service's error
 * code, message and field violations, or a body this client cannot read.
 */
final class ServiceErrorException
        extends RuntimeException
{
    private final int status;
    private final String code;
    private final List<Violation> violations;

    ServiceErrorException(int status, String code, String message, List<Violation> violations)
    {
        super(requireNonNull(message, "message is null"));
        this.status = status;
        this.code = requireNonNull(code, "code is null");
        this.violations = List.copyOf(violations);
    }

    int status()
    {
        return status;
    }

    String code()
    {
        return code;
    }

    List<Violation> violations()
    {
        return violations;
    }

    record Violation(String field, String message)
    {
        Violation
        {
            field = field == null ? "" : field;
            message = message == null ? "" : message;
        }
    }
}
