package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one rule.
 *
 * @param rule the rule in suite syntax
 * @param message why it failed, or empty
 * @param metrics what it measured, e.g. {@code Column.id.Uniqueness -> 1.0}
 */
public record RuleResult(String rule, Outcome outcome, String message, Map<String, Double> metrics) {
    public enum Outcome { PASSED, FAILED }

    public RuleResult {
        requireNonNull(rule, "rule is null");
        requireNonNull(outcome, "outcome is null");
        requireNonNull(message, "message is null");
        metrics = java.util.Collections.unmodifiableMap(new TreeMap<>(metrics));
    }

    public boolean passed() {
        return outcome == Outcome.PASSED;
    }
}
