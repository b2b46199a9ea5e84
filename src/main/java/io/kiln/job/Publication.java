package io.kiln.job;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;

import io.kiln.catalog.CatalogSettings;
import io.kiln.check.Auditor;
import io.kiln.check.CheckResult;
import io.kiln.check.RowRules;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.ContentDigest;
import io.kiln.lake.DedupSegments;
import io.kiln.lake.IdSegments;
import io.kiln.lake.Publisher;
import io.kiln.lake.SummaryJson;

/**
 * Audit, then publish: the staged snapshot is audited; if it passed and main has not moved, main
 * is fast-forwarded to it. If main moved (another job published first) the files are re-staged
 * on the new head and audited again, so rows are neither lost nor duplicated and what reaches
 * main is always what was audited. An audit the check engine could not run (it crashed or timed
 * out) is run again, a bounded number of times, once the engine has restarted. The audit of a first staging runs without the table lock (so
 * jobs audit in parallel); re-staging, re-auditing and publishing hold it. Across processes,
 * Iceberg's optimistic commit catches the race and the loop re-stages. A batch whose duplicates
 * were decided against an index that has grown since cannot be re-staged as it is: the job runs
 * again ({@link StaleIndexException}). The job's rejects join main with its rows.
 */
final class Publication {
    static final int MAX_RESTAGES = 50;
    /** How long to wait before each new audit of a batch whose audit the check engine failed (it restarts meanwhile). */
    static final List<Duration> ENGINE_RETRY_DELAYS = List.of(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(15));
    static final String TABLE_CONTENT_STATE = "kiln.table-content-state";
    static final String TABLE_CONTENT_DIGEST = "kiln.table-content-digest";
    /**
     * On a published snapshot: the columns its audit proved unique over the whole table, as a JSON
     * object of column name to field id (a column dropped and added again under the same name is
     * another column). The next batch's audit then checks only its own values against this snapshot.
     */
    static final String UNIQUE_COLUMNS = "kiln.unique-columns";
    private static final Logger LOG = Logger.getLogger(Publication.class);

    private final Publisher publisher;
    private final Auditor auditor;
    private final CatalogSettings catalog;
    private final Duration rejectedBranchRetention;

    Publication(Publisher publisher, Auditor auditor, CatalogSettings catalog, Duration rejectedBranchRetention) {
        this.publisher = publisher;
        this.auditor = auditor;
        this.catalog = catalog;
        this.rejectedBranchRetention = rejectedBranchRetention;
    }

    /**
     * Another job published rows to the table's deduplication index while this one decided its
     * duplicates against the older index: this job's staging (rows and rejects) is discarded, and
     * the job must run again to decide against the index as it is now.
     */
    static final class StaleIndexException extends RuntimeException {
        StaleIndexException(String index) {
            super("the deduplication index of " + index + " gained rows while the job ran", null, false, false);
        }
    }

    /**
     * {@code snapshotId}: published (main's new head) or the rejected branch's audit record; {@code restages}: times
     * main moved before the publish, so that the batch was staged and audited again on the new main.
     */
    record Outcome(boolean published, long snapshotId, long auditedSnapshotId, String branch, List<CheckResult> checks, int restages) {}

    Outcome run(String jobId, BoundJob job, IngestPipeline.Result result) {
        Table table = result.table();
        Publisher.Staged staged = result.staged().orElseThrow();
        Auditor.Report report = auditRetryingTheEngine(jobId, job, result, staged);
        return publisher.locked(table, () -> publishOrRestage(jobId, job, result, table, staged, report));
    }

    private Outcome publishOrRestage(String jobId, BoundJob job, IngestPipeline.Result result, Table table, Publisher.Staged firstStaged, Auditor.Report firstReport) {
        Publisher.Staged staged = firstStaged;
        Auditor.Report report = firstReport;
        for (int attempt = 0; attempt <= MAX_RESTAGES; attempt++) {
            if (!report.passed()) {
                long record = publisher.keepRejected(table, jobId, staged, auditSummary(job, report), rejectedBranchRetention.toMillis());
                publisher.keepStaged(result.rejectsTable(), jobId, rejectedBranchRetention.toMillis());
                if (report.engineFailure().isPresent()) {
                    // not the data's fault: the job fails (retry it), and the batch waits on its branch
                    throw new KilnException(ErrorCode.CHECK_ENGINE_FAILED, "The audit could not run (" + report.engineFailure().get()
                            + "); nothing was published and the batch is kept on branch " + staged.branch());
                }
                return new Outcome(false, record, staged.snapshotId(), staged.branch(), report.results(), attempt);
            }
            table.refresh();
            if (job.tag().isPresent() && table.refs().containsKey(job.tag().get())) {
                throw new KilnException(ErrorCode.TAG_EXISTS, "Tag '" + job.tag().get() + "' was created on " + job.table() + " after this job was accepted");
            }
            Map<String, String> summary = auditSummary(job, report);
            summary.putAll(tableDigest(table, staged));
            if (!report.uniqueColumns().isEmpty()) {
                summary.put(UNIQUE_COLUMNS, SummaryJson.write(fieldIds(table, staged.snapshotId(), report.uniqueColumns())));
            }
            Optional<Map<String, String>> base = staged.baseSnapshotId().map(id -> table.snapshot(id).summary());
            Optional<String> staleIndex = DedupSegments.staleIndex(base, staged.summary());
            if (staleIndex.isPresent()) {
                publisher.discardStaged(table, jobId);
                publisher.discardStaged(result.rejectsTable(), jobId);
                throw new StaleIndexException(job.table() + " (" + staleIndex.get() + ")");
            }
            summary.putAll(DedupSegments.carryForward(base, staged.summary()));
            summary.putAll(IdSegments.carryForward(base, staged.summary(), report.uniqueColumns(), baseUniqueColumns(table, staged)));
            Optional<Long> published = publisher.publish(table, jobId, staged, summary, job.tag());
            if (published.isPresent()) {
                mergeRejects(jobId, result.rejectsTable());
                return new Outcome(true, published.get(), staged.snapshotId(), staged.branch(), report.results(), attempt);
            }
            staged = publisher.stage(table, jobId, staged.files(), staged.summary());
            report = auditRetryingTheEngine(jobId, job, result, staged);
        }
        throw new KilnException(ErrorCode.COMMIT_FAILED, "Main of " + job.table() + " kept moving; gave up after " + MAX_RESTAGES + " re-stages");
    }

    /** The rows are on main: their rejects join it. A failure now must not fail a published job: the rejects wait on their branch. */
    private void mergeRejects(String jobId, Table rejectsTable) {
        try {
            publisher.mergeStaged(rejectsTable, jobId);
        }
        catch (RuntimeException e) {
            LOG.errorf("Job %s published, but its rejects could not join %s (%s): they wait on branch %s until the table's next job merges them",
                    jobId, rejectsTable.name(), e.getMessage(), Publisher.branchOf(jobId));
        }
    }

    /**
     * The digest of the whole table once this batch is on main: the base's table digest plus the
     * batch. Unknown (left out) when the base was not written by Kiln.
     */
    private static Map<String, String> tableDigest(Table table, Publisher.Staged staged) {
        String batchState = staged.summary().get("kiln.content-state");
        if (batchState == null) {
            return Map.of();
        }
        ContentDigest total = ContentDigest.fromState(batchState);
        if (staged.baseSnapshotId().isPresent()) {
            String baseState = table.snapshot(staged.baseSnapshotId().get()).summary().get(TABLE_CONTENT_STATE);
            if (baseState == null) {
                return Map.of();
            }
            total.merge(ContentDigest.fromState(baseState));
        }
        return Map.of(TABLE_CONTENT_STATE, total.state(), TABLE_CONTENT_DIGEST, total.value(), "kiln.table-rows", Long.toString(total.rows()));
    }

    /**
     * The audit, run again (after {@link #ENGINE_RETRY_DELAYS}) while the check engine fails it: a
     * crashed engine is restarted by its supervisor, and the batch waiting on its branch is audited
     * then, instead of failing the job for good. Without an engine, or after the last try, the failure stands.
     */
    private Auditor.Report auditRetryingTheEngine(String jobId, BoundJob job, IngestPipeline.Result result, Publisher.Staged staged) {
        Auditor.Report report = audit(jobId, job, result, staged);
        for (int retry = 0; retry < ENGINE_RETRY_DELAYS.size() && report.engineFailure().isPresent() && auditor.hasEngine(); retry++) {
            LOG.warnf("Job %s: the audit of snapshot %d could not run (%s); auditing it again in %d s", jobId, staged.snapshotId(),
                    report.engineFailure().get(), ENGINE_RETRY_DELAYS.get(retry).toSeconds());
            try {
                Thread.sleep(ENGINE_RETRY_DELAYS.get(retry).toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return report;
            }
            report = audit(jobId, job, result, staged);
        }
        return report;
    }

    /** The suite's rules that Kiln decided while writing (row rules) and from what its steps measured (label rules). */
    private static List<io.kiln.check.CheckResult> kilnRuleResults(BoundJob job, IngestPipeline.Result result, Table table, long stagedSnapshotId) {
        String suiteName = job.suiteName().orElse("suite");
        List<io.kiln.check.CheckResult> results = new java.util.ArrayList<>(result.rowRules().map(profile -> profile.results(suiteName)).orElse(List.of()));
        results.addAll(io.kiln.check.LabelRules.evaluate(job.checks().labelRules(), table.snapshot(stagedSnapshotId).summary(), suiteName));
        results.addAll(io.kiln.check.ContaminationRules.evaluate(job.checks().contaminationRules(), job.evalSets(), job.table().toString(), table, stagedSnapshotId, suiteName));
        results.addAll(io.kiln.check.LeakageRules.evaluate(job.checks().leakageRules(), job.table().toString(), table, stagedSnapshotId, suiteName));
        results.addAll(io.kiln.check.DriftRules.evaluate(job.checks().driftRules(), table, stagedSnapshotId, suiteName));
        return results;
    }

    private Auditor.Report audit(String jobId, BoundJob job, IngestPipeline.Result result, Publisher.Staged staged) {
        Table table = result.table();
        long rowsAdded = Long.parseLong(table.snapshot(staged.snapshotId()).summary().getOrDefault("added-records", "0"));
        List<RowRules.Uniqueness> uniqueness = result.rowRules().map(RowRules.Profile::uniqueness).orElse(List.of());
        Set<String> baseUnique = baseUniqueColumns(table, staged);
        return auditor.audit(new Auditor.Subject(jobId, job.table().toString(), staged.snapshotId(), staged.baseSnapshotId().orElse(null), rowsAdded,
                result.read(), result.split(), result.written(), result.rejected(), result.merged(), job.maxRejectedRate(),
                job.suiteName(), job.checks().engineSuite(), kilnRuleResults(job, result, table, staged.snapshotId()),
                uniqueness, baseUnique, baseIndex(table, staged, result, uniqueness, baseUnique),
                catalog.name(), catalog.icebergProperties()));
    }

    /**
     * For each distinct {@code IsUnique} column whose base is proved unique and has a complete id
     * index: how the batch's hashes meet the index. A column whose index cannot be read is left out
     * (the engine checks it).
     */
    private static Map<String, Auditor.IndexOverlap> baseIndex(Table table, Publisher.Staged staged, IngestPipeline.Result result,
            List<RowRules.Uniqueness> uniqueness, Set<String> baseUnique) {
        if (staged.baseSnapshotId().isEmpty() || result.rowRules().isEmpty()) {
            return Map.of();
        }
        Map<String, String> base = table.snapshot(staged.baseSnapshotId().get()).summary();
        Map<String, Auditor.IndexOverlap> overlaps = new TreeMap<>();
        for (RowRules.Uniqueness unique : uniqueness) {
            String column = unique.rule().column();
            Optional<java.nio.LongBuffer> hashes = result.rowRules().get().sortedHashes(unique.rule());
            if (!baseUnique.contains(column) || hashes.isEmpty()) {
                continue;
            }
            try {
                Optional<List<String>> segments = IdSegments.index(base, column);
                if (segments.isEmpty()) {
                    continue;
                }
                IdSegments.Overlap overlap = IdSegments.overlap(table, segments.get(), hashes.get());
                overlaps.put(column, new Auditor.IndexOverlap(overlap.segments(), overlap.tableValues(), overlap.sharedHashes()));
            }
            catch (java.io.UncheckedIOException | IllegalStateException e) {
                LOG.warnf("Cannot read the id index of %s.%s (%s): the check engine checks the batch against the table", table.name(), column, e.getMessage());
            }
        }
        return overlaps;
    }

    /** The columns an audit proved unique at the staged snapshot's base, that are still the same columns. */
    private static Set<String> baseUniqueColumns(Table table, Publisher.Staged staged) {
        if (staged.baseSnapshotId().isEmpty()) {
            return Set.of();
        }
        String marker = table.snapshot(staged.baseSnapshotId().get()).summary().get(UNIQUE_COLUMNS);
        if (marker == null) {
            return Set.of();
        }
        Optional<Map<String, Integer>> read = SummaryJson.read(marker, new TypeReference<Map<String, Integer>>() {});
        if (read.isEmpty()) {
            return Set.of(); // not Kiln's marker: the engine checks the whole snapshot
        }
        Map<String, Integer> proven = read.get();
        Map<String, Integer> now = fieldIds(table, staged.snapshotId(), proven.keySet());
        Set<String> columns = new TreeSet<>();
        proven.forEach((column, fieldId) -> {
            if (fieldId != null && fieldId.equals(now.get(column))) {
                columns.add(column);
            }
        });
        return columns;
    }

    /** The field ids of {@code columns} in the schema of {@code snapshotId}; a column it lacks is left out. */
    private static Map<String, Integer> fieldIds(Table table, long snapshotId, Collection<String> columns) {
        Integer schemaId = table.snapshot(snapshotId).schemaId();
        Schema schema = schemaId == null ? table.schema() : table.schemas().getOrDefault(schemaId, table.schema());
        Map<String, Integer> ids = new TreeMap<>();
        for (String column : columns) {
            Types.NestedField field = schema.findField(column);
            if (field != null) {
                ids.put(column, field.fieldId());
            }
        }
        return ids;
    }

    /** What the publish of a job recorded in its snapshot: the audited (staged) snapshot and the check results. */
    record RecordedAudit(Optional<Long> auditedSnapshotId, List<CheckResult> checks) {}

    /**
     * The audit a published snapshot records in its summary, for a job whose publish happened but whose
     * job record was not updated (a crash between the two): the checks carry no metrics (the summary
     * keeps source, rule, outcome and message).
     */
    static RecordedAudit recordedAudit(Table table, long snapshotId) {
        org.apache.iceberg.Snapshot snapshot = table.snapshot(snapshotId);
        if (snapshot == null) {
            return new RecordedAudit(Optional.empty(), List.of());
        }
        Map<String, String> summary = snapshot.summary();
        Optional<Long> audited = Optional.ofNullable(summary.get(Publisher.AUDITED_SNAPSHOT)).flatMap(value -> {
            try {
                return Optional.of(Long.parseLong(value));
            }
            catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
        List<CheckResult> checks = Optional.ofNullable(summary.get("kiln.checks.results"))
                .flatMap(json -> SummaryJson.read(json, new TypeReference<List<Map<String, String>>>() {}))
                .map(results -> results.stream()
                        .filter(result -> result.get("rule") != null && result.get("source") != null && ("PASSED".equals(result.get("outcome"))
                                || "FAILED".equals(result.get("outcome"))))
                        .map(result -> new CheckResult(result.get("source"), result.get("rule"), CheckResult.Outcome.valueOf(result.get("outcome")),
                                result.get("message"), Map.of()))
                        .toList())
                .orElse(List.of());
        return new RecordedAudit(audited, checks);
    }

    private static Map<String, String> auditSummary(BoundJob job, Auditor.Report report) {
        Map<String, String> summary = new TreeMap<>();
        summary.put(Publisher.CHECKS_OUTCOME, report.passed() ? "PASSED" : "FAILED");
        summary.put("kiln.checks.suite", job.suiteName().orElse("(kiln rules only)"));
        summary.put("kiln.checks.passed", Long.toString(report.results().stream().filter(CheckResult::passed).count()));
        summary.put("kiln.checks.failed", Long.toString(report.results().stream().filter(result -> !result.passed()).count()));
        summary.put("kiln.checks.results", SummaryJson.write(report.results().stream()
                .map(result -> Map.of("source", result.source(), "rule", result.rule(), "outcome", result.outcome().name(), "message", result.message()))
                .toList()));
        return summary;
    }
}
