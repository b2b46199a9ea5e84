package io.kiln.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.iceberg.Table;

import io.kiln.contamination.ContaminationScan;
import io.kiln.contamination.EvalSet;
import io.kiln.contamination.EvalSets;
import io.kiln.read.SnapshotRows;
import io.kiln.transform.StepContext;

/**
 * The suite rule that gates a publish on contamination, which Kiln decides over the whole staged
 * snapshot: {@code Contamination "evals.qa@v1" <= 0.0} is the share of the eval set's items (the
 * table {@code evals.qa} at pin {@code v1}, or {@code @<snapshot id>}) whose 13-grams (frequency cap
 * 10, the {@code contamination} step's defaults) appear in the staged snapshot's {@code text}
 * column. A rule whose eval set or text column is missing fails: it never passes by default.
 */
public final class ContaminationRules {
    public static final String TEXT_COLUMN = "text";
    public static final int N = 13;
    public static final int FREQUENCY_CAP = 10;
    private static final Pattern RULE = Pattern.compile("Contamination\\s*\"([^\"@]+)@([^\"]+)\"\\s*(>=|>|<=|<|=)\\s*([0-9]+(?:[.][0-9]+)?)");

    private ContaminationRules() {}

    /** A rule: its text, the eval set's table and pin (or snapshot id), and the bound on the share of dirty items. */
    public record Rule(String text, String evalTable, String evalPin, String operator, double threshold) {
        public Rule {
            requireNonNull(text, "text is null");
            requireNonNull(evalTable, "evalTable is null");
            requireNonNull(evalPin, "evalPin is null");
            requireNonNull(operator, "operator is null");
        }

        /** How the suite names the eval set: {@code <table>@<pin>}. */
        public String evalSet() {
            return evalTable + "@" + evalPin;
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

    /** {@code suite} without its contamination rules (and the commas that separated them), for the engine to validate. */
    public static String without(String suite) {
        return KilnRuleText.without(suite, RULE);
    }

    /**
     * Each rule's outcome on the staged snapshot {@code snapshotId} of {@code table}, against the eval
     * sets the job resolved when it was created ({@code evalSets}, by {@link Rule#evalSet()}).
     */
    public static List<CheckResult> evaluate(List<Rule> rules, Map<String, StepContext.TableRows> evalSets, String tableName, Table table, long snapshotId,
            String source) {
        List<CheckResult> results = new ArrayList<>();
        for (Rule rule : rules) {
            StepContext.TableRows rows = evalSets.get(rule.evalSet());
            if (rows == null) {
                results.add(new CheckResult(source, rule.text(), CheckResult.Outcome.FAILED, "eval set " + rule.evalSet() + " was not found when the job was created", Map.of()));
                continue;
            }
            if (table.schemas().get(table.snapshot(snapshotId).schemaId()).findField(TEXT_COLUMN) == null) {
                results.add(new CheckResult(source, rule.text(), CheckResult.Outcome.FAILED, "the table has no " + TEXT_COLUMN + " column to check", Map.of()));
                continue;
            }
            EvalSet evalSet = EvalSets.load(rows, new EvalSets.Options(TEXT_COLUMN, N, FREQUENCY_CAP, Optional.empty()));
            ContaminationScan.Result scan = ContaminationScan.scan(evalSet,
                    consumer -> SnapshotRows.forEach(tableName, table, snapshotId, List.of("id", TEXT_COLUMN), consumer), 0);
            double rate = scan.dirtyRate();
            boolean passed = KilnRuleText.holds(rate, rule.operator(), rule.threshold());
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("dirty-rate", rate);
            metrics.put("dirty-items", (double) scan.dirty().size());
            metrics.put("eval-items", (double) evalSet.items());
            results.add(new CheckResult(source, rule.text(), passed ? CheckResult.Outcome.PASSED : CheckResult.Outcome.FAILED,
                    passed ? "" : String.format(Locale.ROOT, "%d of the %d items of %s (snapshot %d) share %d-grams with the snapshot's rows (rate %.4f, not %s %s): %s",
                            scan.dirty().size(), evalSet.items(), rule.evalTable(), evalSet.snapshotId(), N, rate, rule.operator(), rule.threshold(),
                            String.join(", ", scan.dirty().stream().limit(10).toList()) + (scan.dirty().size() > 10 ? ", ..." : "")),
                    metrics));
        }
        return results;
    }
}
