package io.kiln.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Audits one staged snapshot: Kiln's own rules, always (every record read is written or
 * rejected, counting the extra rows of split records; the rejected rate is within the spec's bound; the staged snapshot adds exactly the
 * rows written), then the job's suite: its row rules as Kiln checked them on the batch while
 * writing ({@link RowRules}), the rest on the check engine. Fails closed: an engine that crashes,
 * times out or answers nonsense is a failed rule, never a pass.
 *
 * <p>{@code IsUnique "c"} on the staged snapshot is the batch's values being distinct (Kiln, while
 * writing) and none of them being in the base snapshot, when the base is known to be unique in
 * {@code c} (its audit proved it: {@link Subject#baseUniqueColumns()}). A first batch needs no engine
 * for it; a later one only the engine's {@code DistinctFromBase} check, which skips the base files whose
 * bounds exclude the batch's values. In every other case the engine checks the rule on the whole
 * snapshot, as Deequ would.
 */
public final class Auditor {
    public static final String KILN = "kiln";
    private final Optional<CheckEngine> engine;

    public Auditor(Optional<CheckEngine> engine) {
        this.engine = requireNonNull(engine, "engine is null");
    }

    /**
     * Whether a check engine runs the suites: then an engine failure (a crash, a timeout, an answer
     * that makes no sense) is worth another try once it has restarted; without one it never passes.
     */
    public boolean hasEngine() {
        return engine.isPresent();
    }

    /**
     * What the audit needs to know about the job and its staged snapshot. {@code suite}: the rules left
     * for the engine; {@code uniqueness}: what Kiln found about the suite's {@code IsUnique} rules while
     * writing; {@code baseUniqueColumns}: the columns an audit proved unique at the base snapshot.
     */
    public record Subject(String jobId, String table, long snapshotId, Long baseSnapshotId, long rowsAdded,
            long read, long split, long written, long rejected, long merged, double maxRejectedRate,
            Optional<String> suiteName, Optional<String> suite, List<CheckResult> rowRuleResults,
            List<RowRules.Uniqueness> uniqueness, Set<String> baseUniqueColumns, Map<String, IndexOverlap> baseIndex,
            String catalogName, Map<String, String> catalogProperties) {
        public Subject {
            rowRuleResults = List.copyOf(rowRuleResults);
            uniqueness = List.copyOf(uniqueness);
            baseUniqueColumns = Set.copyOf(baseUniqueColumns);
            baseIndex = Map.copyOf(baseIndex);
        }
    }

    /**
     * What merging the batch's hashes of a column with the base's complete id index found: the
     * table's {@code values} in {@code segments} files, and how many of the batch's hashes are among
     * them (almost always repeated values; the engine then decides exactly).
     */
    public record IndexOverlap(int segments, long values, long sharedHashes) {}

    /**
     * {@code engineFailure}: the suite could not be evaluated at all; never a pass.
     * {@code uniqueColumns}: the columns whose {@code IsUnique} rule passed on the whole staged snapshot.
     */
    public record Report(List<CheckResult> results, Optional<String> engineFailure, Set<String> uniqueColumns) {
        public Report {
            results = List.copyOf(results);
            requireNonNull(engineFailure, "engineFailure is null");
            uniqueColumns = Set.copyOf(uniqueColumns);
        }

        public boolean passed() {
            return engineFailure.isEmpty() && results.stream().allMatch(CheckResult::passed);
        }
    }

    public Report audit(Subject subject) {
        List<CheckResult> results = new ArrayList<>();
        // lookup records that joined rows are read, and neither written nor rejected themselves
        boolean merged = subject.merged() != 0;
        Map<String, Double> counts = new java.util.TreeMap<>(Map.of("read", (double) subject.read(), "split", (double) subject.split(), "written",
                (double) subject.written(), "rejected", (double) subject.rejected()));
        if (merged) {
            counts.put("merged", (double) subject.merged());
        }
        results.add(rule(merged ? "read = written + rejected + merged" : "read = written + rejected",
                subject.read() + subject.split() == subject.written() + subject.rejected() + subject.merged(),
                "read " + subject.read() + (subject.split() == 0 ? "" : " + split " + subject.split()) + ", written " + subject.written() + ", rejected " + subject.rejected()
                        + (merged ? ", merged " + subject.merged() : ""),
                counts));
        long rows = subject.read() + subject.split();
        double rate = rows == 0 ? 0.0 : (double) subject.rejected() / rows;
        results.add(rule("rejected rate <= " + subject.maxRejectedRate(), rate <= subject.maxRejectedRate(),
                String.format("%d of %d records rejected (%.4f)", subject.rejected(), rows, rate),
                Map.of("rejectedRate", rate)));
        results.add(rule("staged snapshot adds the rows written", subject.rowsAdded() == subject.written(),
                "snapshot " + subject.snapshotId() + " adds " + subject.rowsAdded() + " rows; the job wrote " + subject.written(),
                Map.of("rowsAdded", (double) subject.rowsAdded())));
        results.addAll(subject.rowRuleResults());
        String suiteName = subject.suiteName().orElse("suite");
        UniquenessPlan plan = UniquenessPlan.of(subject, suiteName);
        results.addAll(plan.decided());
        Set<String> uniqueColumns = new TreeSet<>(plan.uniqueColumns());
        Optional<String> engineSuite = plan.engineSuite();
        Optional<String> engineFailure = Optional.empty();
        if (engineSuite.isPresent()) {
            if (engine.isEmpty()) {
                engineFailure = Optional.of("the check engine is off (kiln.checks.engine.mode=off)");
                results.add(new CheckResult(suiteName, "suite " + suiteName, CheckResult.Outcome.FAILED, engineFailure.get(), Map.of()));
            }
            else {
                try {
                    List<CheckResult> suiteResults = engine.get().verify(new CheckEngine.Verification(suiteName, engineSuite.get(),
                            subject.catalogName(), subject.catalogProperties(), subject.table(), subject.snapshotId(), subject.baseSnapshotId(), subject.jobId(),
                            List.copyOf(plan.againstBase().keySet())));
                    if (suiteResults.isEmpty()) {
                        engineFailure = Optional.of("the check engine returned no results");
                        results.add(new CheckResult(suiteName, "suite " + suiteName, CheckResult.Outcome.FAILED, engineFailure.get(), Map.of()));
                    }
                    results.addAll(plan.merge(suiteResults, suiteName, subject.baseSnapshotId(), uniqueColumns));
                }
                catch (CheckEngineException | IllegalStateException e) {
                    engineFailure = Optional.of("check engine failed: " + e.getMessage());
                    results.add(new CheckResult(suiteName, "suite " + suiteName, CheckResult.Outcome.FAILED, engineFailure.get(), Map.of()));
                }
            }
        }
        return new Report(results, engineFailure, uniqueColumns);
    }

    /**
     * Who checks each {@code IsUnique} rule: Kiln alone ({@code decided}: a first batch of distinct
     * values), Kiln and the engine's {@code DistinctFromBase} ({@code againstBase}, by column), or the
     * engine on the whole snapshot ({@code wholeSnapshot}, rule texts added to {@code engineSuite}, what
     * the engine runs, if anything).
     */
    private record UniquenessPlan(List<CheckResult> decided, Set<String> uniqueColumns, List<String> wholeSnapshot,
            Map<String, RowRules.Uniqueness> againstBase, Optional<String> engineSuite) {
        static UniquenessPlan of(Subject subject, String suiteName) {
            List<CheckResult> decided = new ArrayList<>();
            Set<String> uniqueColumns = new TreeSet<>();
            List<String> wholeSnapshot = new ArrayList<>();
            Map<String, RowRules.Uniqueness> againstBase = new LinkedHashMap<>();
            for (RowRules.Uniqueness unique : subject.uniqueness()) {
                String column = unique.rule().column();
                if (!unique.distinct() || (subject.baseSnapshotId() != null && !subject.baseUniqueColumns().contains(column))) {
                    wholeSnapshot.add(unique.rule().text());
                }
                else if (subject.baseSnapshotId() == null) {
                    decided.add(new CheckResult(suiteName, unique.rule().text(), CheckResult.Outcome.PASSED,
                            "the batch's " + unique.values() + " values are distinct (hashed by Kiln while writing); the table had no rows before",
                            Map.of("values", (double) unique.values())));
                    uniqueColumns.add(column);
                }
                else if (subject.baseIndex().containsKey(column) && subject.baseIndex().get(column).sharedHashes() == 0) {
                    IndexOverlap index = subject.baseIndex().get(column);
                    decided.add(new CheckResult(suiteName, unique.rule().text(), CheckResult.Outcome.PASSED,
                            "the batch's " + unique.values() + " values are distinct (hashed by Kiln while writing) and none is among the "
                                    + index.values() + " of base snapshot " + subject.baseSnapshotId() + " (Kiln's id index, " + index.segments() + (index.segments() == 1 ? " segment)" : " segments)"),
                            Map.of("values", (double) unique.values(), "tableValues", (double) index.values(), "sharedHashes", 0.0)));
                    uniqueColumns.add(column);
                }
                else {
                    againstBase.put(column, unique);
                }
            }
            if (RowRules.withRules(subject.suite(), wholeSnapshot).isEmpty() && !againstBase.isEmpty()) {
                // nothing else for the engine: one pass over the snapshot checks the rules whole
                againstBase.values().forEach(unique -> wholeSnapshot.add(unique.rule().text()));
                againstBase.clear();
            }
            return new UniquenessPlan(decided, uniqueColumns, wholeSnapshot, againstBase, RowRules.withRules(subject.suite(), wholeSnapshot));
        }

        /**
         * The engine's results with each {@code DistinctFromBase} merged into its {@code IsUnique} rule;
         * adds the columns proved unique at the snapshot to {@code uniqueColumns}.
         */
        List<CheckResult> merge(List<CheckResult> engineResults, String suiteName, Long base, Set<String> uniqueColumns) {
            Map<String, RowRules.Uniqueness> pending = new LinkedHashMap<>(againstBase);
            List<CheckResult> results = new ArrayList<>();
            for (CheckResult result : engineResults) {
                RowRules.Uniqueness unique = pending.remove(distinctFromBaseColumn(result.rule()));
                CheckResult merged = unique == null ? result : mergeDistinctFromBase(unique, result, base);
                results.add(merged);
                if (merged.passed() && (unique != null || wholeSnapshot.contains(merged.rule()))) {
                    uniqueColumns.add(RowRules.parse(merged.rule()).map(RowRules.Rule::column).orElseThrow());
                }
            }
            for (RowRules.Uniqueness unique : pending.values()) {
                results.add(new CheckResult(suiteName, unique.rule().text(), CheckResult.Outcome.FAILED,
                        "the check engine returned no result for the batch against base snapshot " + base, Map.of()));
            }
            return results;
        }
    }

    /** The column of the engine's {@code DistinctFromBase "c"} result, or null for any other rule. */
    private static String distinctFromBaseColumn(String rule) {
        String prefix = "DistinctFromBase \"";
        return rule.startsWith(prefix) && rule.endsWith("\"") && rule.length() > prefix.length() ? rule.substring(prefix.length(), rule.length() - 1) : null;
    }

    /** The {@code IsUnique} rule's result: Kiln's distinct batch and the engine's batch against the base. */
    private static CheckResult mergeDistinctFromBase(RowRules.Uniqueness unique, CheckResult engine, long base) {
        Map<String, Double> metrics = new LinkedHashMap<>(engine.metrics());
        metrics.put("values", (double) unique.values());
        String message = engine.passed()
                ? "the batch's " + unique.values() + " values are distinct (hashed by Kiln while writing) and none is in base snapshot " + base
                        + ", which an audit proved unique (the check engine read " + Math.round(metrics.getOrDefault("baseFilesRead", 0.0)) + " of its files)"
                : engine.message();
        return new CheckResult(engine.source(), unique.rule().text(), engine.outcome(), message, metrics);
    }

    private static CheckResult rule(String rule, boolean passed, String message, Map<String, Double> metrics) {
        return new CheckResult(KILN, rule, passed ? CheckResult.Outcome.PASSED : CheckResult.Outcome.FAILED, message, metrics);
    }
}
