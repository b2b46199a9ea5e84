package io.kiln.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The suite rules on programmatic labels, which Kiln decides from what the {@code label} step
 * measured on the job's rows (the {@code kiln.label.*} entries of the staged snapshot's summary):
 * {@code LabelCoverage >= 0.6} (the share of rows that got a label), {@code LabelAccuracy >= 0.85}
 * and {@code LabelMacroF1 >= 0.7} (against the gold labels). {@code LabelAccuracy "gold-v1" >= 0.85}
 * also requires that the gold labels were those of the pin {@code gold-v1}. A rule whose measure the
 * job did not make (no label step, no gold) fails: it never passes by default.
 */
public final class LabelRules {
    private static final Pattern RULE = Pattern.compile("(LabelCoverage|LabelAccuracy|LabelMacroF1)\\s*(?:\"([^\"]+)\")?\\s*(>=|>|<=|<|=)\\s*([0-9]+(?:[.][0-9]+)?)");

    private LabelRules() {}

    public enum Measure {
        COVERAGE("LabelCoverage", "coverage"), ACCURACY("LabelAccuracy", "accuracy"), MACRO_F1("LabelMacroF1", "macro-f1");

        private final String ruleName;
        private final String summaryKey;

        Measure(String ruleName, String summaryKey) {
            this.ruleName = ruleName;
            this.summaryKey = summaryKey;
        }

        static Measure of(String ruleName) {
            for (Measure measure : values()) {
                if (measure.ruleName.equals(ruleName)) {
                    return measure;
                }
            }
            throw new IllegalArgumentException(ruleName);
        }
    }

    public record Rule(String text, Measure measure, Optional<String> goldPin, String operator, double threshold) {
        public Rule {
            requireNonNull(text, "text is null");
            requireNonNull(measure, "measure is null");
            requireNonNull(goldPin, "goldPin is null");
            requireNonNull(operator, "operator is null");
        }
    }

    /** The rule of a suite item, when it is one of these. */
    public static Optional<Rule> parse(String item) {
        Matcher matcher = RULE.matcher(item.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Rule(item.strip(), Measure.of(matcher.group(1)), Optional.ofNullable(matcher.group(2)), matcher.group(3),
                Double.parseDouble(matcher.group(4))));
    }

    /** {@code suite} without its label rules (and the commas that separated them), for the engine to validate. */
    public static String without(String suite) {
        return KilnRuleText.without(suite, RULE);
    }

    /** Each rule's outcome on the job's label measures ({@code summary}: the staged snapshot's). */
    public static List<CheckResult> evaluate(List<Rule> rules, Map<String, String> summary, String source) {
        List<CheckResult> results = new ArrayList<>();
        for (Rule rule : rules) {
            results.add(evaluate(rule, summary, source));
        }
        return results;
    }

    private static CheckResult evaluate(Rule rule, Map<String, String> summary, String source) {
        String value = summary.get("kiln.label." + rule.measure().summaryKey);
        if (value == null) {
            String why = summary.containsKey("kiln.label.functions")
                    ? "the label step measured no " + rule.measure().summaryKey + ": it needs gold labels"
                    : "no label step ran in this job";
            return new CheckResult(source, rule.text(), CheckResult.Outcome.FAILED, why, Map.of());
        }
        if (rule.goldPin().isPresent() && !rule.goldPin().get().equals(summary.get("kiln.label.gold-pin"))) {
            return new CheckResult(source, rule.text(), CheckResult.Outcome.FAILED, "the labels were measured against "
                    + summary.getOrDefault("kiln.label.gold", "no gold labels") + ", not the pin " + rule.goldPin().get(), Map.of());
        }
        double measured = Double.parseDouble(value);
        boolean passed = KilnRuleText.holds(measured, rule.operator(), rule.threshold());
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(rule.measure().summaryKey, measured);
        return new CheckResult(source, rule.text(), passed ? CheckResult.Outcome.PASSED : CheckResult.Outcome.FAILED,
                passed ? "" : String.format(java.util.Locale.ROOT, "%s is %.4f, not %s %s", rule.measure().summaryKey, measured, rule.operator(), value(rule.threshold())),
                metrics);
    }

    private static String value(double threshold) {
        return threshold == Math.rint(threshold) ? Long.toString((long) threshold) : Double.toString(threshold);
    }
}
