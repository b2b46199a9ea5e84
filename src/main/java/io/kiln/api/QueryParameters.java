package io.kiln.api;

import java.util.List;
import java.util.OptionalLong;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;

/**
 * Query parameters read as text and checked here: a typed {@code @QueryParam} that does not convert
 * is a 404 under JAX-RS, where a client that sent {@code ?limit=abc} needs a 400 naming the parameter.
 */
final class QueryParameters {
    private QueryParameters() {}

    /** A whole number at least {@code min}; empty when the parameter is absent. */
    static OptionalLong wholeNumber(String name, String value, long min) {
        if (value == null) {
            return OptionalLong.empty();
        }
        long number;
        try {
            number = Long.parseLong(value.strip());
        }
        catch (NumberFormatException e) {
            throw invalid(name, "must be a whole number, was '" + value + "'");
        }
        if (number < min) {
            throw invalid(name, (min == 0 ? "must not be negative" : "must be at least " + min) + ", was " + number);
        }
        return OptionalLong.of(number);
    }

    private static KilnException invalid(String name, String problem) {
        return new KilnException(ErrorCode.INVALID_REQUEST, name + " " + problem, List.of(new Violation(name, problem)));
    }
}
