package io.kiln.checks;

import java.math.BigDecimal;

/** Turns exceptions and numbers into short text for clients. */
final class Messages {
    private static final int MAX_LENGTH = 600;

    private Messages() {}

    /** The first line of the most telling message in the cause chain, without class names. */
    static String brief(Throwable error) {
        Throwable current = error;
        String message = null;
        for (int depth = 0; current != null && depth < 10; depth++) {
            if (current.getMessage() != null && !current.getMessage().isBlank()) {
                message = current.getMessage();
                // wrappers often repeat "SomeException: cause message"; the cause says it better
                if (current.getCause() == null || !message.contains(current.getCause().getClass().getName())) {
                    break;
                }
            }
            current = current.getCause();
        }
        if (message == null) {
            return "unexpected internal error (see the engine log)";
        }
        String firstLine = message.strip().lines().findFirst().orElse("").strip();
        return firstLine.length() > MAX_LENGTH ? firstLine.substring(0, MAX_LENGTH) + "..." : firstLine;
    }

    static String number(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return new BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
