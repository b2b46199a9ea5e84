package io.kiln.check;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Takes the rules Kiln decides itself out of a suite's text, so that the engine validates the rest. */
final class KilnRuleText {
    private KilnRuleText() {}

    /** {@code suite} without the items {@code rule} matches (and the commas that separated them). */
    static String without(String suite, Pattern rule) {
        Matcher matcher = Pattern.compile(",?\\s*" + rule.pattern() + "\\s*(,?)").matcher(suite);
        StringBuilder kept = new StringBuilder();
        int last = 0;
        while (matcher.find()) {
            kept.append(suite, last, matcher.start());
            // keep one separating comma when the rule sat between two others
            boolean before = matcher.group().startsWith(",");
            boolean after = !matcher.group(matcher.groupCount()).isEmpty();
            kept.append(before && after ? "," : " ");
            last = matcher.end();
        }
        kept.append(suite.substring(last));
        return kept.toString();
    }

    /** Whether {@code value <operator> threshold} holds, for a rule's {@code >=}, {@code >}, {@code <=}, {@code <} or {@code =}. */
    static boolean holds(double value, String operator, double threshold) {
        return switch (operator) {
            case ">=" -> value >= threshold;
            case ">" -> value > threshold;
            case "<=" -> value <= threshold;
            case "<" -> value < threshold;
            default -> value == threshold;
        };
    }
}
