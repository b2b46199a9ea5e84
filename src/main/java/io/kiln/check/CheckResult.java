package io.kiln.check;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The outcome of one rule on one staged snapshot. {@code source} is {@code kiln} for Kiln's own
 * rules (reconciliation, rejected rate) or the suite's name. A failed rule is a result, not an error.
 */
public record CheckResult(String source, String rule, Outcome outcome, String message, Map<String, Double> metrics) {
    public enum Outcome { PASSED, FAILED }

    public CheckResult {
        requireNonNull(source, "source is null");
        requireNonNull(rule, "rule is null");
        requireNonNull(outcome, "outcome is null");
        message = message == null ? "" : message;
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }

    public boolean passed() {
        return outcome == Outcome.PASSED;
    }
}
