package io.kiln.check;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The suite rule that gates a publish on drift against a pinned baseline, which Kiln decides: the
 * batch (the rows the staged snapshot adds) against the same table at a pin (or snapshot id).
 * {@code Drift "age" "baseline-v1" <= 0.2} measures, for a numeric column, the population stability
 * index over the baseline's deciles, and for any other column the L-infinity distance between the
 * two frequency distributions of its values; {@code Drift js "age" "baseline-v1" <= 0.1} asks for
 * the Jensen-Shannon divergence (base 2, from 0 to 1) over the same bins, {@code psi} and
 * {@code linf} for the others. Nulls are a bin (a category) of their own.
 *
 * <p>Exact and order-independent: the baseline's numeric values are sorted in memory (8 bytes each)
 * to cut its deciles, the batch is counted into those bins, categories are counted exactly; sums run
 * in bin order. An empty bin counts as {@value #EMPTY} of its side, as is usual for PSI. A rule whose
 * pin or column is missing fails: it never passes by default.
 */
public final class DriftRules {
    /** The share an empty bin is given, so that PSI stays finite. */
    public static final double EMPTY = 1e-4;
    private static final int BINS = 10;
    private static final Pattern RULE = Pattern.compile("Drift\\s*(?:(psi|js|linf)\\s*)?\"([^\"]+)\"\\s*\"([^\"]+)\"\\s*(>=|>|<=|<|=)\\s*([0-9]+(?:[.][0-9]+)?)");

    private DriftRules() {}

    public enum Measure { PSI, JS, LINF }

    /** {@code measure}: empty for the column's default (PSI for numbers, L-infinity otherwise). */
    public record Rule(String text, Optional<Measure> measure, String column, String baseline, String operator, double threshold) {
        public Rule {
            requireNonNull(text, "text is null");
            requireNonNull(measure, "measure is null");
            requireNonNull(column, "column is null");
            requireNonNull(baseline, "baseline is null");
            requireNonNull(operator, "operator is null");
        }
    }

    /** The rule of a suite item, when it is one. */
    public static Optional<Rule> parse(String item) {
        Matcher matcher = RULE.matcher(item.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Optional<Measure> measure = Optional.ofNullable(matcher.group(1)).map(name -> Measure.valueOf(name.toUpperCase(Locale.ROOT)));
        return Optional.of(new Rule(item.strip(), measure, matcher.group(2), matcher.group(3), matcher.group(4), Double.parseDouble(matcher.group(5))));
    }

    /** {@code suite} without its drift rules, for the engine to validate. */
    public static String without(String suite) {
        return KilnRuleText.without(suite, RULE);
    }

    /** Each rule's outcome on the rows that the staged snapshot {@code snapshotId} of {@code table} adds, against its baseline. */
    public static List<CheckResult> evaluate(List<Rule> rules, Table table, long snapshotId, String source) {
        List<CheckResult> results = new ArrayList<>();
        Snapshot staged = table.snapshot(snapshotId);
        for (Rule rule : rules) {
            Optional<Long> baseline = baseline(table, rule.baseline());
            Types.NestedField field = table.schemas().get(staged.schemaId()).findField(rule.column());
            if (baseline.isEmpty() || field == null) {
                results.add(new CheckResult(source, rule.text(), CheckResult.Outcome.FAILED, baseline.isEmpty()
                        ? "the table has no pin or snapshot '" + rule.baseline() + "' to compare with" : "the table has no column " + rule.column(), Map.of()));
                continue;
            }
            boolean numeric = field.type().isPrimitiveType() && NUMERIC.contains(field.type().typeId());
            Measure measure = rule.measure().orElse(numeric ? Measure.PSI : Measure.LINF);
            if (!numeric && measure != Measure.LINF) {
                results.add(new CheckResult(source, rule.text(), CheckResult.Outcome.FAILED, measure + " needs a numeric column; " + rule.column() + " is " + field.type(), Map.of()));
                continue;
            }
            double[] distance = numeric && measure != Measure.LINF ? binned(table, baseline.get(), staged, rule.column(), measure) : categorical(table, baseline.get(), staged, rule.column());
            boolean passed = KilnRuleText.holds(distance[0], rule.operator(), rule.threshold());
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put(measure.name().toLowerCase(Locale.ROOT), distance[0]);
            metrics.put("baseline-rows", distance[1]);
            metrics.put("batch-rows", distance[2]);
            results.add(new CheckResult(source, rule.text(), passed ? CheckResult.Outcome.PASSED : CheckResult.Outcome.FAILED,
                    passed ? "" : String.format(Locale.ROOT, "%s of %s is %.4f against %s (snapshot %d), not %s %s", measure.name().toLowerCase(Locale.ROOT),
                            rule.column(), distance[0], rule.baseline(), baseline.get(), rule.operator(), rule.threshold()),
                    metrics));
        }
        return results;
    }

    private static final java.util.Set<Type.TypeID> NUMERIC = java.util.Set.of(Type.TypeID.INTEGER, Type.TypeID.LONG, Type.TypeID.FLOAT, Type.TypeID.DOUBLE,
            Type.TypeID.DECIMAL);

    private static Optional<Long> baseline(Table table, String reference) {
        return io.kiln.lake.Pins.snapshotOf(table, reference).filter(id -> table.snapshot(id) != null);
    }

    /** {measure, baseline rows, batch rows} over the baseline's deciles, nulls in a bin of their own. */
    static double[] binned(Table table, long baseline, Snapshot staged, String column, Measure measure) {
        double[][] values = new double[1][1024];
        int[] count = {0};
        long[] baselineNulls = {0};
        read(table, baseline, Optional.empty(), column, value -> {
            if (value == null) {
                baselineNulls[0]++;
                return;
            }
            if (count[0] == values[0].length) {
                values[0] = Arrays.copyOf(values[0], values[0].length * 2);
            }
            values[0][count[0]++] = number(value);
        });
        double[] sorted = Arrays.copyOf(values[0], count[0]);
        Arrays.sort(sorted);
        double[] edges = edges(sorted);
        long[] baselineBins = new long[edges.length + 2];
        for (double value : sorted) {
            baselineBins[io.kiln.transform.tabular.Buckets.of(edges, value)]++;
        }
        baselineBins[edges.length + 1] = baselineNulls[0];
        long[] batchBins = new long[edges.length + 2];
        read(table, staged.snapshotId(), Optional.ofNullable(staged.parentId()), column,
                value -> batchBins[value == null ? edges.length + 1 : io.kiln.transform.tabular.Buckets.of(edges, number(value))]++);
        return new double[] {measure == Measure.JS ? jensenShannon(baselineBins, batchBins) : psi(baselineBins, batchBins), total(baselineBins), total(batchBins)};
    }

    /** The deciles' cut points: values at ranks n/10, 2n/10 ... of the sorted baseline, without repeats. */
    static double[] edges(double[] sorted) {
        if (sorted.length == 0) {
            return new double[0];
        }
        double[] edges = new double[BINS - 1];
        int distinct = 0;
        for (int i = 1; i < BINS; i++) {
            double edge = sorted[(int) ((long) i * sorted.length / BINS)];
            if (distinct == 0 || Double.compare(edge, edges[distinct - 1]) > 0) {
                edges[distinct++] = edge;
            }
        }
        return Arrays.copyOf(edges, distinct);
    }

    /** {L-infinity, baseline rows, batch rows} of the two distributions of the column's values (as text, null a category). */
    private static double[] categorical(Table table, long baseline, Snapshot staged, String column) {
        Map<String, long[]> counts = new TreeMap<>();
        read(table, baseline, Optional.empty(), column, value -> counts.computeIfAbsent(String.valueOf(value), any -> new long[2])[0]++);
        read(table, staged.snapshotId(), Optional.ofNullable(staged.parentId()), column, value -> counts.computeIfAbsent(String.valueOf(value), any -> new long[2])[1]++);
        double baselineRows = counts.values().stream().mapToLong(count -> count[0]).sum();
        double batchRows = counts.values().stream().mapToLong(count -> count[1]).sum();
        double distance = 0;
        for (long[] count : counts.values()) {
            double p = baselineRows == 0 ? 0 : count[0] / baselineRows;
            double q = batchRows == 0 ? 0 : count[1] / batchRows;
            distance = Math.max(distance, Math.abs(p - q));
        }
        return new double[] {distance, baselineRows, batchRows};
    }

    static double psi(long[] baseline, long[] batch) {
        double[] p = shares(baseline);
        double[] q = shares(batch);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            if (baseline[i] > 0 || batch[i] > 0) {
                sum += (q[i] - p[i]) * Math.log(q[i] / p[i]);
            }
        }
        return sum;
    }

    static double jensenShannon(long[] baseline, long[] batch) {
        double baselineRows = total(baseline);
        double batchRows = total(batch);
        double sum = 0;
        for (int i = 0; i < baseline.length; i++) {
            double p = baselineRows == 0 ? 0 : baseline[i] / baselineRows;
            double q = batchRows == 0 ? 0 : batch[i] / batchRows;
            double m = (p + q) / 2;
            if (p > 0) {
                sum += 0.5 * p * Math.log(p / m);
            }
            if (q > 0) {
                sum += 0.5 * q * Math.log(q / m);
            }
        }
        return sum / Math.log(2);
    }

    private static double[] shares(long[] counts) {
        double total = total(counts);
        double[] shares = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            shares[i] = counts[i] == 0 || total == 0 ? EMPTY : counts[i] / total;
        }
        return shares;
    }

    private static double total(long[] counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }

    private static double number(Object value) {
        return value instanceof BigDecimal decimal ? decimal.doubleValue() : ((Number) value).doubleValue();
    }

    /** The column's values in snapshot {@code snapshotId}, or only in the files appended after {@code after}. */
    private static void read(Table table, long snapshotId, Optional<Long> after, String column, Consumer<Object> consumer) {
        IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table).select(column);
        scan = after.isPresent() ? scan.appendsBetween(after.get(), snapshotId) : scan.useSnapshot(snapshotId);
        try (CloseableIterable<Record> records = scan.build()) {
            for (Record record : records) {
                consumer.accept(record.getField(column));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
