package io.kiln.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Audits one staged snapshot: Kiln's own rules, always (every record read is written or
 * rejected, counting the extra rows of split records; the rejected rate is within the spec's bound; the staged snapshot adds exactly the
 * rows written), then the job's suite: its row rules as Kiln checked them on the batch while
 * writing ({@link RowRules}), the rest on the check engine. Fails closed: an engine that crashes,
 * times out or answers nonsense is a failed rule, never a pass.
 */
public final class Auditor {
    public static final String KILN = "kiln";
    private final Optional<CheckEngine> engine;

    public Auditor(Optional<CheckEngine> engine) {
        this.engine = requireNonNull(engine, "engine is null");
    }

    /** What the audit needs to know about the job and its staged snapshot. */
    public record Subject(String jobId, String table, long snapshotId, Long baseSnapshotId, long rowsAdded,
            long read, long split, long written, long rejected, double maxRejectedRate,
            Optional<String> suiteName, Optional<String> suite, List<CheckResult> rowRuleResults, String catalogName, Map<String, String> catalogProperties) {
        public Subject {
            rowRuleResults = List.copyOf(rowRuleResults);
        }
    }

    /** {@code engineFailure}: the suite could not be evaluated at all; never a pass. */
    public record Report(List<CheckResult> results, Optional<String> engineFailure) {
        public Report {
            results = List.copyOf(results);
            requireNonNull(engineFailure, "engineFailure is null");
        }

        public boolean passed() {
            return engineFailure.isEmpty() && results.stream().allMatch(CheckResult::passed);
        }
    }

    public Report audit(Subject subject) {
        List<CheckResult> results = new ArrayList<>();
        Optional<String> engineFailure = Optional.empty();
        results.add(rule("read = written + rejected", subject.read() + subject.split() == subject.written() + subject.rejected(),
                "read " + subject.read() + (subject.split() == 0 ? "" : " + split " + subject.split()) + ", written " + subject.written() + ", rejected " + subject.rejected(),
                Map.of("read", (double) subject.read(), "split", (double) subject.split(), "written", (double) subject.written(), "rejected", (double) subject.rejected())));
        long rows = subject.read() + subject.split();
        double rate = rows == 0 ? 0.0 : (double) subject.rejected() / rows;
        results.add(rule("rejected rate <= " + subject.maxRejectedRate(), rate <= subject.maxRejectedRate(),
                String.format("%d of %d records rejected (%.4f)", subject.rejected(), rows, rate),
                Map.of("rejectedRate", rate)));
        results.add(rule("staged snapshot adds the rows written", subject.rowsAdded() == subject.written(),
                "snapshot " + subject.snapshotId() + " adds " + subject.rowsAdded() + " rows; the job wrote " + subject.written(),
                Map.of("rowsAdded", (double) subject.rowsAdded())));
        results.addAll(subject.rowRuleResults());
        if (subject.suite().isPresent()) {
            String suiteName = subject.suiteName().orElse("suite");
            if (engine.isEmpty()) {
                engineFailure = Optional.of("the check engine is off (kiln.checks.engine.mode=off)");
                results.add(new CheckResult(suiteName, "suite " + suiteName, CheckResult.Outcome.FAILED, engineFailure.get(), Map.of()));
            }
            else {
                try {
                    List<CheckResult> suiteResults = engine.get().verify(new CheckEngine.Verification(suiteName, subject.suite().get(),
                            subject.catalogName(), subject.catalogProperties(), subject.table(), subject.snapshotId(), subject.baseSnapshotId(), subject.jobId()));
                    if (suiteResults.isEmpty()) {
                        engineFailure = Optional.of("the check engine returned no results");
                        results.add(new CheckResult(suiteName, "suite " + suiteName, CheckResult.Outcome.FAILED, engineFailure.get(), Map.of()));
                    }
                    results.addAll(suiteResults);
                }
                catch (CheckEngineException | IllegalStateException e) {
                    engineFailure = Optional.of("check engine failed: " + e.getMessage());
                    results.add(new CheckResult(suiteName, "suite " + suiteName, CheckResult.Outcome.FAILED, engineFailure.get(), Map.of()));
                }
            }
        }
        return new Report(results, engineFailure);
    }

    private static CheckResult rule(String rule, boolean passed, String message, Map<String, Double> metrics) {
        return new CheckResult(KILN, rule, passed ? CheckResult.Outcome.PASSED : CheckResult.Outcome.FAILED, message, metrics);
    }
}
