package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A privacy rule from a suite's {@code Rules = [ ... ]} list, evaluated by the engine (not by DQDL or
 * Deequ) over the whole table at the verified snapshot. The rows are grouped by the quasi-identifier
 * columns into equivalence classes, as SQL's {@code GROUP BY} groups them: a null is a value of its own.
 * <ul>
 * <li>{@code KAnonymity ["age", "zip", "sex"] >= 5}: k-anonymity, every class holds at least 5 rows.</li>
 * <li>{@code LDiversity "diagnosis" ["age", "zip"] >= 2}: distinct l-diversity, every class holds at
 *     least 2 distinct values of the sensitive column {@code diagnosis}. A null counts as one value of
 *     its own (as in {@code GROUP BY}): a class whose diagnoses are {@code flu} and null has 2.</li>
 * <li>{@code EntropyLDiversity "diagnosis" ["age", "zip"] >= 2}: entropy l-diversity (Machanavajjhala et
 *     al., 2007), in every class the entropy {@code -sum p ln p} of the sensitive values (null again a
 *     value of its own) is at least {@code ln 2}, i.e. {@code exp(entropy) >= 2}, within 1e-12.</li>
 * </ul>
 * The operator compares the measure of the smallest (least diverse) class with the threshold: {@code >=},
 * {@code >} or {@code =}. A table with no rows has no class and passes.
 *
 * @param sensitiveColumn the sensitive column of an l-diversity rule; empty for k-anonymity
 * @param quasiIdentifiers the columns that group the rows, at least one, no column twice
 * @param threshold a positive whole number for k-anonymity and distinct l-diversity, at least 1 for entropy l-diversity
 */
public record PrivacyRule(Kind kind, Optional<String> sensitiveColumn, List<String> quasiIdentifiers, Operator operator,
                          double threshold) {
    /** The rule types, by their suite names. */
    public enum Kind {
        K_ANONYMITY("KAnonymity", "KAnonymity [\"age\", \"zip\"] >= 5"),
        DISTINCT_L_DIVERSITY("LDiversity", "LDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2"),
        ENTROPY_L_DIVERSITY("EntropyLDiversity", "EntropyLDiversity \"diagnosis\" [\"age\", \"zip\"] >= 2");

        private final String suiteName;
        private final String example;

        Kind(String suiteName, String example) {
            this.suiteName = suiteName;
            this.example = example;
        }

        /** The rule type as a suite writes it, e.g. {@code KAnonymity}. */
        public String suiteName() {
            return suiteName;
        }

        /** A well-formed rule of this type, for error messages. */
        public String example() {
            return example;
        }

        public boolean needsSensitiveColumn() {
            return this != K_ANONYMITY;
        }

        public static Optional<Kind> fromSuiteName(String name) {
            for (Kind kind : values()) {
                if (kind.suiteName.equals(name)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    /** How the measure of the smallest class compares with the threshold. */
    public enum Operator {
        AT_LEAST(">="), ABOVE(">"), EQUAL("=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        public static Optional<Operator> fromSymbol(String symbol) {
            for (Operator operator : values()) {
                if (operator.symbol.equals(symbol)) {
                    return Optional.of(operator);
                }
            }
            return Optional.empty();
        }

        public static String symbols() {
            return ">=, > or =";
        }
    }

    public PrivacyRule {
        requireNonNull(kind, "kind is null");
        requireNonNull(sensitiveColumn, "sensitiveColumn is null");
        quasiIdentifiers = List.copyOf(requireNonNull(quasiIdentifiers, "quasiIdentifiers is null"));
        requireNonNull(operator, "operator is null");
        String name = kind.suiteName();
        if (kind.needsSensitiveColumn() != sensitiveColumn.isPresent()) {
            throw new IllegalArgumentException(kind.needsSensitiveColumn()
                    ? name + " needs a sensitive column, e.g. " + kind.example()
                    : name + " takes no sensitive column, e.g. " + kind.example());
        }
        if (quasiIdentifiers.isEmpty()) {
            throw new IllegalArgumentException(name + " needs at least one quasi-identifier column, e.g. " + kind.example());
        }
        Set<String> seen = new HashSet<>();
        for (String column : quasiIdentifiers) {
            if (column.isEmpty()) {
                throw new IllegalArgumentException(name + " has an empty column name, e.g. " + kind.example());
            }
            if (!seen.add(column)) {
                throw new IllegalArgumentException(name + " lists the quasi-identifier " + column + " twice");
            }
        }
        if (sensitiveColumn.isPresent()) {
            String sensitive = sensitiveColumn.get();
            if (sensitive.isEmpty()) {
                throw new IllegalArgumentException(name + " has an empty column name, e.g. " + kind.example());
            }
            if (seen.contains(sensitive)) {
                throw new IllegalArgumentException(String.format(
                        "%s: the sensitive column %s is also a quasi-identifier, e.g. %s", name, sensitive, kind.example()));
            }
        }
        if (kind == Kind.ENTROPY_L_DIVERSITY) {
            if (!(threshold >= 1) || Double.isInfinite(threshold)) {
                throw new IllegalArgumentException(String.format(
                        "%s needs a threshold of at least 1, was %s, e.g. %s", name, number(threshold), kind.example()));
            }
        }
        else if (!(threshold >= 1) || threshold != Math.rint(threshold) || threshold > Long.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(
                    "%s needs a positive whole number, was %s, e.g. %s", name, number(threshold), kind.example()));
        }
    }

    /** The sensitive column, or an exception for k-anonymity. */
    String sensitive() {
        return sensitiveColumn.orElseThrow(() -> new IllegalStateException(kind.suiteName() + " has no sensitive column"));
    }

    /** The rule in suite syntax, e.g. {@code LDiversity "diagnosis" ["age", "zip"] >= 2}; parses back to an equal rule. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(kind.suiteName());
        sensitiveColumn.ifPresent(column -> text.append(' ').append(quoted(column)));
        text.append(' ').append(quasiIdentifiers.stream().map(PrivacyRule::quoted).collect(Collectors.joining(", ", "[", "]")));
        text.append(' ').append(operator.symbol()).append(' ').append(number(threshold));
        return text.toString();
    }

    static String quoted(String column) {
        return '"' + column.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Shortest exact decimal form: {@code 5}, {@code 2.5}. */
    static String number(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
