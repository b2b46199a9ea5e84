package io.kiln.checks;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Evaluates a {@link PrivacyRule} on a snapshot with Spark: the rows are grouped into the equivalence
 * classes of the quasi-identifiers (for l-diversity first by quasi-identifiers and sensitive value), and
 * one more aggregation over the classes yields their number, the smallest measure and the classes below
 * the threshold. Only that one summary row reaches the driver.
 */
final class PrivacyRuleEvaluator {
    /** Entropies are compared with {@code ln(threshold)} within this, for floating-point error. */
    static final double ENTROPY_TOLERANCE = 1e-12;

    private static final String SIZE = "size";
    private static final String MEASURE = "measure";
    private static final String VALUE_ROWS = "value_rows";

    private PrivacyRuleEvaluator() {}

    static RuleResult evaluate(Dataset<Row> data, PrivacyRule rule) {
        requireNonNull(data, "data is null");
        requireNonNull(rule, "rule is null");
        String text = rule.toString();
        List<String> needed = new ArrayList<>(rule.quasiIdentifiers());
        rule.sensitiveColumn().ifPresent(needed::add);
        for (String column : needed) {
            if (!hasColumn(data, column)) {
                return new RuleResult(text, RuleResult.Outcome.FAILED, "The table has no column " + column, Map.of());
            }
        }
        List<Column> selected = new ArrayList<>();
        List<Column> groups = new ArrayList<>();
        for (int i = 0; i < rule.quasiIdentifiers().size(); i++) {
            selected.add(column(rule.quasiIdentifiers().get(i)).as("q" + i));
            groups.add(col("q" + i));
        }
        rule.sensitiveColumn().ifPresent(sensitive -> selected.add(column(sensitive).as("s")));
        Dataset<Row> rows = data.select(selected.toArray(Column[]::new));

        Dataset<Row> classes;
        Column measure;
        Column offending;
        double threshold = rule.threshold();
        if (rule.kind() == PrivacyRule.Kind.K_ANONYMITY) {
            classes = rows.groupBy(groups.toArray(Column[]::new)).agg(count(lit(1)).as(SIZE))
                    .select(col(SIZE), col(SIZE).cast("double").as(MEASURE));
        }
        else {
            // one row per class and sensitive value (a null is a value of its own, as in GROUP BY)
            List<Column> valueGroups = new ArrayList<>(groups);
            valueGroups.add(col("s"));
            Dataset<Row> values = rows.groupBy(valueGroups.toArray(Column[]::new)).agg(count(lit(1)).as(VALUE_ROWS));
            Dataset<Row> perClass = values.groupBy(groups.toArray(Column[]::new)).agg(
                    sum(col(VALUE_ROWS)).as(SIZE),
                    count(lit(1)).as("distinct_values"),
                    sum(col(VALUE_ROWS).multiply(log(col(VALUE_ROWS)))).as("n_ln_n"));
            Column entropy = log(col(SIZE)).minus(col("n_ln_n").divide(col(SIZE)));
            classes = perClass.select(col(SIZE), rule.kind() == PrivacyRule.Kind.DISTINCT_L_DIVERSITY
                    ? col("distinct_values").cast("double").as(MEASURE)
                    : entropy.as(MEASURE));
        }
        measure = col(MEASURE);
        if (rule.kind() == PrivacyRule.Kind.ENTROPY_L_DIVERSITY) {
            double bound = Math.log(threshold);
            offending = rule.operator() == PrivacyRule.Operator.ABOVE
                    ? measure.leq(bound + ENTROPY_TOLERANCE)
                    : measure.lt(bound - ENTROPY_TOLERANCE);
        }
        else {
            offending = rule.operator() == PrivacyRule.Operator.ABOVE ? measure.leq(threshold) : measure.lt(threshold);
        }
        Row summary = classes.agg(
                count(lit(1)),
                min(measure),
                sum(when(offending, 1L).otherwise(0L)),
                sum(when(offending, col(SIZE)).otherwise(0L))).first();
        long classCount = summary.getLong(0);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("classes", (double) classCount);
        if (classCount == 0) {
            metrics.put("classesBelow", 0.0);
            metrics.put("rowsInClassesBelow", 0.0);
            return new RuleResult(text, RuleResult.Outcome.PASSED, "", metrics);
        }
        double smallest = summary.getDouble(1);
        long classesBelow = summary.getLong(2);
        long rowsBelow = summary.getLong(3);
        metrics.put("classesBelow", (double) classesBelow);
        metrics.put("rowsInClassesBelow", (double) rowsBelow);
        Optional<String> failure = switch (rule.kind()) {
            case K_ANONYMITY -> {
                metrics.put("k", smallest);
                yield kAnonymityFailure(rule, (long) smallest, classCount, classesBelow, rowsBelow);
            }
            case DISTINCT_L_DIVERSITY -> {
                metrics.put("l", smallest);
                yield distinctFailure(rule, (long) smallest, classCount, classesBelow);
            }
            case ENTROPY_L_DIVERSITY -> {
                metrics.put("l", Math.exp(smallest));
                metrics.put("entropy", smallest);
                yield entropyFailure(rule, smallest, classCount, classesBelow);
            }
        };
        return failure.isEmpty()
                ? new RuleResult(text, RuleResult.Outcome.PASSED, "", metrics)
                : new RuleResult(text, RuleResult.Outcome.FAILED, failure.get(), metrics);
    }

    private static Optional<String> kAnonymityFailure(PrivacyRule rule, long k, long classCount, long classesBelow, long rowsBelow) {
        String threshold = PrivacyRule.number(rule.threshold());
        if (classesBelow > 0) {
            String bound = rule.operator() == PrivacyRule.Operator.ABOVE
                    ? threshold + " rows or fewer"
                    : "fewer than " + threshold + " rows";
            return Optional.of(String.format("%s %s (the smallest has %d); %d %s in %s",
                    classesOf(rule, classesBelow, classCount), bound, k, rowsBelow, rowsBelow == 1 ? "row is" : "rows are",
                    classesBelow == 1 ? "it" : "them"));
        }
        if (rule.operator() == PrivacyRule.Operator.EQUAL && k != (long) rule.threshold()) {
            return Optional.of(String.format("the smallest of the %d classes of %s has %d rows, not %s",
                    classCount, columns(rule), k, threshold));
        }
        return Optional.empty();
    }

    private static Optional<String> distinctFailure(PrivacyRule rule, long l, long classCount, long classesBelow) {
        String threshold = PrivacyRule.number(rule.threshold());
        String sensitive = rule.sensitive();
        if (classesBelow > 0) {
            String bound = rule.operator() == PrivacyRule.Operator.ABOVE
                    ? threshold + " distinct values of " + sensitive + " or fewer"
                    : "fewer than " + threshold + " distinct values of " + sensitive;
            return Optional.of(String.format("%s %s (the least diverse has %d)",
                    classesOf(rule, classesBelow, classCount), bound, l));
        }
        if (rule.operator() == PrivacyRule.Operator.EQUAL && l != (long) rule.threshold()) {
            return Optional.of(String.format("the least diverse of the %d classes of %s has %d distinct values of %s, not %s",
                    classCount, columns(rule), l, sensitive, threshold));
        }
        return Optional.empty();
    }

    private static Optional<String> entropyFailure(PrivacyRule rule, double entropy, long classCount, long classesBelow) {
        String threshold = PrivacyRule.number(rule.threshold());
        double bound = Math.log(rule.threshold());
        String least = String.format("the least diverse has entropy %s, l = %s",
                Messages.number(entropy), Messages.number(Math.exp(entropy)));
        if (classesBelow > 0) {
            String comparison = rule.operator() == PrivacyRule.Operator.ABOVE ? "at most" : "below";
            return Optional.of(String.format("%s an entropy of %s %s ln %s = %s (%s)",
                    classesOf(rule, classesBelow, classCount), rule.sensitive(), comparison, threshold, Messages.number(bound),
                    least));
        }
        if (rule.operator() == PrivacyRule.Operator.EQUAL && Math.abs(entropy - bound) > ENTROPY_TOLERANCE) {
            return Optional.of(String.format("the least diverse of the %d classes of %s has an entropy of %s of %s, "
                    + "not ln %s = %s (l = %s)", classCount, columns(rule), rule.sensitive(), Messages.number(entropy),
                    threshold, Messages.number(bound), Messages.number(Math.exp(entropy))));
        }
        return Optional.empty();
    }

    /** {@code 3 of the 120 classes of [age, zip] have} (or {@code has} for one). */
    private static String classesOf(PrivacyRule rule, long below, long classCount) {
        return String.format("%d of the %d classes of %s %s", below, classCount, columns(rule), below == 1 ? "has" : "have");
    }

    private static String columns(PrivacyRule rule) {
        return "[" + String.join(", ", rule.quasiIdentifiers()) + "]";
    }

    /** A top-level column, found as Spark's analyzer finds it (case-insensitively unless spark.sql.caseSensitive). */
    private static boolean hasColumn(Dataset<Row> data, String name) {
        boolean caseSensitive = Boolean.parseBoolean(data.sparkSession().conf().get("spark.sql.caseSensitive", "false"));
        return Arrays.stream(data.columns()).anyMatch(column -> caseSensitive ? column.equals(name) : column.equalsIgnoreCase(name));
    }

    /** The top-level column {@code name}, quoted so that dots and back-quotes in it are part of the name. */
    private static Column column(String name) {
        return col("`" + name.replace("`", "``") + "`");
    }
}
