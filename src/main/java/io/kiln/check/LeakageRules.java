package io.kiln.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;

import io.kiln.read.SnapshotRows;

/**
 * The suite rule that gates a publish on leakage between splits, which Kiln decides over the whole
 * staged snapshot: {@code SplitLeakage "split" "_kiln_source_uri" = 0} is the number of groups (here
 * source files) whose rows are in more than one split (the values of the {@code split} column the
 * {@code split} step wrote). Rows without a group value are no group. A rule whose columns are
 * missing fails: it never passes by default.
 */
public final class LeakageRules {
    private static final Pattern RULE = Pattern.compile("SplitLeakage\\s*\"([^\"]+)\"\\s*\"([^\"]+)\"\\s*(>=|>|<=|<|=)\\s*([0-9]+(?:[.][0-9]+)?)");
    /** Groups named in a failed rule's message. */
    private static final int NAMED = 10;

    private LeakageRules() {}

    public record Rule(String text, String splitColumn, String groupColumn, String operator, double threshold) {
        public Rule {
            requireNonNull(text, "text is null");
            requireNonNull(splitColumn, "splitColumn is null");
            requireNonNull(groupColumn, "groupColumn is null");
            requireNonNull(operator, "operator is null");
        }
    }

    /** The rule of a suite item, when it is one. */
    public static Optional<Rule> parse(String item) {
        Matcher matcher = RULE.matcher(item.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Rule(item.strip(), matcher.group(1), matcher.group(2), matcher.group(3), Double.parseDouble(matcher.group(4))));
    }

    /** {@code suite} without its leakage rules, for the engine to validate. */
    public static String without(String suite) {
        return KilnRuleText.without(suite, RULE);
    }

    /** Each rule's outcome on the staged snapshot {@code snapshotId} of {@code table}. Memory: one entry per distinct group. */
    public static List<CheckResult> evaluate(List<Rule> rules, String tableName, Table table, long snapshotId, String source) {
        List<CheckResult> results = new ArrayList<>();
        Schema schema = table.schemas().get(table.snapshot(snapshotId).schemaId());
        for (Rule rule : rules) {
            if (schema.findField(rule.splitColumn()) == null || schema.findField(rule.groupColumn()) == null) {
                results.add(new CheckResult(source, rule.text(), CheckResult.Outcome.FAILED, "the table has no column "
                        + (schema.findField(rule.splitColumn()) == null ? rule.splitColumn() : rule.groupColumn()), Map.of()));
                continue;
            }
            Map<String, String> splitOfGroup = new HashMap<>();
            Map<String, TreeSet<String>> leaking = new TreeMap<>();
            SnapshotRows.forEach(tableName, table, snapshotId, List.of(rule.splitColumn(), rule.groupColumn()), values -> {
                if (values[1] == null || values[0] == null) {
                    return;
                }
                String group = String.valueOf(values[1]);
                String split = String.valueOf(values[0]);
                String first = splitOfGroup.putIfAbsent(group, split);
                if (first != null && !first.equals(split)) {
                    leaking.computeIfAbsent(group, any -> new TreeSet<>(List.of(first))).add(split);
                }
            });
            double count = leaking.size();
            boolean passed = KilnRuleText.holds(count, rule.operator(), rule.threshold());
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("leaking-groups", count);
            metrics.put("groups", (double) splitOfGroup.size());
            List<String> named = leaking.entrySet().stream().limit(NAMED).map(entry -> entry.getKey() + " in " + String.join(" and ", entry.getValue())).toList();
            results.add(new CheckResult(source, rule.text(), passed ? CheckResult.Outcome.PASSED : CheckResult.Outcome.FAILED,
                    passed ? "" : String.format(Locale.ROOT, "%d of the %d groups of %s have rows in more than one %s: %s", leaking.size(), splitOfGroup.size(),
                            rule.groupColumn(), rule.splitColumn(), String.join("; ", named) + (leaking.size() > NAMED ? "; ..." : "")),
                    metrics));
        }
        return results;
    }
}
