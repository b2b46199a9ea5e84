package io.kiln.lake;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Creates Kiln's tables and moves a job's files through write-audit-publish:
 * <ol>
 * <li>{@link #stage}: append the files to branch {@code audit-<jobId>}, created from main's head;
 * <li>the caller audits exactly the staged snapshot;
 * <li>{@link #publish}: if main has not moved, record the audit in an empty snapshot on the
 * branch (snapshot summaries are immutable, so the results need a snapshot of their own: same
 * content as the audited one), fast-forward main to it, tag it and drop the branch, all in one
 * metadata commit; if main moved, nothing happens and the caller re-stages on the new head;
 * <li>or {@link #keepRejected}: main untouched, the branch kept for inspection with a retention.
 * </ol>
 * Every commit carries the job id, so a retried job finds what it already did.
 */
public final class Publisher {
    public static final String MAIN = SnapshotRef.MAIN_BRANCH;
    /** Every branch a job stages on starts so (reproductions too); tags must not. */
    public static final String JOB_BRANCH_PREFIX = "audit-";
    public static final String JOB_ID = "kiln.job-id";
    public static final String CHECKS_OUTCOME = "kiln.checks.outcome";
    public static final String AUDITED_SNAPSHOT = "kiln.audited-snapshot-id";
    public static final String BASE_SNAPSHOT = "kiln.base-snapshot-id";
    /** On a rejects table's snapshot: the table whose job dropped the records. */
    public static final String REJECTS_OF = "kiln.rejects-of";

    private final Catalog catalog;
    private final TableOwnership ownership;
    private final Map<String, ReentrantLock> tableLocks = new ConcurrentHashMap<>();

    public Publisher(Catalog catalog, TableOwnership ownership) {
        this.catalog = java.util.Objects.requireNonNull(catalog, "catalog is null");
        this.ownership = java.util.Objects.requireNonNull(ownership, "ownership is null");
    }

    /** Which locations this catalog owns: where it creates tables and cleans orphan files. */
    public TableOwnership ownership() {
        return ownership;
    }

    /**
     * Runs {@code action} holding this process's lock on the table: Kiln's own commits to one
     * table never race each other; other processes' commits are caught by Iceberg's optimistic
     * concurrency (and the table's commit retries).
     */
    public <T> T locked(Table table, Supplier<T> action) {
        ReentrantLock lock = tableLocks.computeIfAbsent(table.name(), name -> new ReentrantLock());
        lock.lock();
        try {
            return action.get();
        }
        finally {
            lock.unlock();
        }
    }

    /** A job's files staged on its audit branch: {@code snapshotId} on top of main's {@code baseSnapshotId}. */
    public record Staged(String branch, long snapshotId, Optional<Long> baseSnapshotId, List<DataFile> files, Map<String, String> summary) {
        public Staged {
            files = List.copyOf(files);
            summary = Map.copyOf(summary);
        }
    }

    /**
     * Loads the table, creating it (and its namespace) on first use; safe when jobs race to create it.
     * A table is created only where no other catalog's table lies ({@link TableOwnership#claimNewTable}).
     */
    public Table loadOrCreate(TableIdentifier identifier, org.apache.iceberg.Schema schema, Map<String, String> properties) {
        try {
            Table table = catalog.loadTable(identifier);
            ownership.claim(table);
            return table;
        }
        catch (NoSuchTableException e) {
            if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(identifier.namespace())) {
                try {
                    namespaces.createNamespace(identifier.namespace());
                }
                catch (RuntimeException raced) {
                    // JdbcCatalog reports a concurrent creation as a constraint violation, not AlreadyExists
                    if (!namespaces.namespaceExists(identifier.namespace())) {
                        throw raced;
                    }
                }
            }
            try {
                org.apache.iceberg.Transaction creation = catalog.buildTable(identifier, schema).withProperties(properties).createTransaction();
                ownership.claimNewTable(identifier, creation.table().location());
                creation.commitTransaction();
                return catalog.loadTable(identifier);
            }
            catch (RuntimeException raced) {
                try {
                    return catalog.loadTable(identifier);
                }
                catch (NoSuchTableException missing) {
                    raced.addSuppressed(missing);
                    throw raced;
                }
            }
        }
    }

    /**
     * Brings the table's schema to what a job writes ({@link TableSchemas#plan}: new optional
     * columns, widened types) and sets the table properties the job's columns need. A conflict
     * found now (another job changed the table since this one was accepted) is a
     * {@link io.kiln.error.ErrorCode#SCHEMA_CONFLICT}. Returns the table as refreshed.
     */
    public Table ensureSchema(Table table, List<io.kiln.transform.Column> columns, Map<String, String> properties) {
        return locked(table, () -> {
            table.refresh();
            TableSchemas.Plan plan = TableSchemas.plan(table.schema(), columns, table.name());
            if (!plan.conflicts().isEmpty()) {
                throw new io.kiln.error.KilnException(io.kiln.error.ErrorCode.SCHEMA_CONFLICT, "The job cannot write into table " + table.name() + ": "
                        + String.join("; ", plan.conflicts().stream().map(TableSchemas.Conflict::message).toList()));
            }
            if (plan.changes()) {
                TableSchemas.apply(table, plan);
            }
            Map<String, String> current = table.properties();
            Map<String, String> missing = new java.util.TreeMap<>();
            properties.forEach((key, value) -> {
                if (!value.equals(current.get(key))) {
                    missing.put(key, value);
                }
            });
            if (!missing.isEmpty()) {
                org.apache.iceberg.UpdateProperties updateProperties = table.updateProperties();
                missing.forEach(updateProperties::set);
                updateProperties.commit();
            }
            table.refresh();
            return table;
        });
    }

    public static String branchOf(String jobId) {
        return JOB_BRANCH_PREFIX + jobId;
    }

    /** The job's published snapshot: an audit record that passed, in main's history. */
    public Optional<Long> findPublished(Table table, String jobId) {
        table.refresh();
        return onMain(table, jobId, true);
    }

    /** The newest snapshot in main's history that carries the job's id; {@code passedAudit}: only its passed audit record. */
    private static Optional<Long> onMain(Table table, String jobId, boolean passedAudit) {
        for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
            Map<String, String> summary = snapshot.summary();
            if (jobId.equals(summary.get(JOB_ID)) && (!passedAudit || "PASSED".equals(summary.get(CHECKS_OUTCOME)))) {
                return Optional.of(snapshot.snapshotId());
            }
        }
        return Optional.empty();
    }

    /**
     * Appends what the job staged on its branch to main, once per job, and drops the branch: for a
     * table that is not audited itself (rejects) and becomes visible with its job's publish. Main
     * may have moved since the staging (other jobs' rejects): the files are appended, not
     * fast-forwarded. Idempotent: a job already in main's history only has its branch dropped; a
     * job with nothing staged changes nothing. Returns the snapshot on main that holds the job, if any.
     */
    public Optional<Long> mergeStaged(Table table, String jobId) {
        return locked(table, () -> {
            table.refresh();
            String branch = branchOf(jobId);
            Optional<Long> merged = onMain(table, jobId, false);
            SnapshotRef ref = table.refs().get(branch);
            if (merged.isEmpty() && ref != null) {
                Snapshot staged = table.snapshot(ref.snapshotId());
                AppendFiles append = table.newAppend();
                staged.addedDataFiles(table.io()).forEach(append::appendFile);
                staged.summary().forEach((key, value) -> {
                    if (key.startsWith("kiln.") && !key.equals(BASE_SNAPSHOT)) {
                        append.set(key, value);
                    }
                });
                append.set(JOB_ID, jobId);
                append.commit();
                table.refresh();
                merged = Optional.of(table.currentSnapshot().snapshotId());
            }
            if (table.refs().containsKey(branch)) {
                table.manageSnapshots().removeBranch(branch).commit();
            }
            return merged;
        });
    }

    /**
     * Brings to main the rejects that jobs staged on {@code rejectsTable} and whose rows are on main of
     * {@code table}, but that never joined main themselves (the merge after their publish failed).
     * Returns how many jobs' rejects it merged.
     */
    public int mergeRejectsOfPublished(Table table, Table rejectsTable) {
        rejectsTable.refresh();
        List<String> staged = rejectsTable.refs().keySet().stream().filter(name -> name.startsWith(JOB_BRANCH_PREFIX))
                .map(name -> name.substring(JOB_BRANCH_PREFIX.length())).toList();
        if (staged.isEmpty()) {
            return 0;
        }
        table.refresh();
        java.util.Set<String> published = new java.util.HashSet<>();
        for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
            if ("PASSED".equals(snapshot.summary().get(CHECKS_OUTCOME)) && snapshot.summary().get(JOB_ID) != null) {
                published.add(snapshot.summary().get(JOB_ID));
            }
        }
        int merged = 0;
        for (String jobId : staged) {
            if (published.contains(jobId)) {
                mergeStaged(rejectsTable, jobId);
                merged++;
            }
        }
        return merged;
    }

    /** Keeps what the job staged on its branch (if anything) for {@code retentionMillis}, off main: the job did not publish. */
    public void keepStaged(Table table, String jobId, long retentionMillis) {
        locked(table, () -> {
            table.refresh();
            if (table.refs().containsKey(branchOf(jobId))) {
                table.manageSnapshots().setMaxRefAgeMs(branchOf(jobId), retentionMillis).commit();
            }
            return null;
        });
    }

    /**
     * Drops the job's branch and deletes the files it staged there, which nothing else references:
     * for a staging that will be done again from the start. A job already on main keeps everything.
     */
    public void discardStaged(Table table, String jobId) {
        locked(table, () -> {
            table.refresh();
            SnapshotRef ref = table.refs().get(branchOf(jobId));
            if (ref == null || onMain(table, jobId, false).isPresent()) {
                return null;
            }
            List<String> files = new java.util.ArrayList<>();
            Long base = Optional.ofNullable(table.snapshot(ref.snapshotId()).summary().get(BASE_SNAPSHOT)).map(Long::valueOf).orElse(null);
            for (Snapshot snapshot : SnapshotUtil.ancestorsOf(ref.snapshotId(), table::snapshot)) {
                if (base != null && snapshot.snapshotId() == base) {
                    break;
                }
                snapshot.addedDataFiles(table.io()).forEach(file -> files.add(file.location()));
            }
            table.manageSnapshots().removeBranch(branchOf(jobId)).commit();
            files.forEach(table.io()::deleteFile);
            return null;
        });
    }

    /** Stages the files on the job's audit branch, (re)created from main's current head. */
    public Staged stage(Table table, String jobId, List<DataFile> files, Map<String, String> summary) {
        return locked(table, () -> stageLocked(table, jobId, files, summary));
    }

    private Staged stageLocked(Table table, String jobId, List<DataFile> files, Map<String, String> summary) {
        table.refresh();
        String branch = branchOf(jobId);
        Optional<Long> base = Optional.ofNullable(table.currentSnapshot()).map(Snapshot::snapshotId);
        if (table.refs().containsKey(branch)) {
            table.manageSnapshots().removeBranch(branch).commit();
        }
        if (base.isPresent()) {
            table.manageSnapshots().createBranch(branch, base.get()).commit();
        }
        AppendFiles append = table.newAppend().toBranch(branch);
        files.forEach(append::appendFile);
        summary.forEach(append::set);
        append.set(JOB_ID, jobId);
        base.ifPresent(id -> append.set(BASE_SNAPSHOT, Long.toString(id)));
        append.commit();
        table.refresh();
        return new Staged(branch, table.refs().get(branch).snapshotId(), base, files, summary);
    }

    /**
     * Publishes the audited staged snapshot if main is still where it was staged from; returns
     * empty, having changed nothing, if main moved (the caller re-stages and re-audits).
     */
    public Optional<Long> publish(Table table, String jobId, Staged staged, Map<String, String> auditSummary, Optional<String> tag) {
        return locked(table, () -> publishLocked(table, jobId, staged, auditSummary, tag));
    }

    private Optional<Long> publishLocked(Table table, String jobId, Staged staged, Map<String, String> auditSummary, Optional<String> tag) {
        table.refresh();
        Optional<Long> main = Optional.ofNullable(table.currentSnapshot()).map(Snapshot::snapshotId);
        if (!main.equals(staged.baseSnapshotId())) {
            return Optional.empty();
        }
        long record = recordAudit(table, jobId, staged, auditSummary);
        try {
            ManageSnapshots update = table.manageSnapshots();
            update = main.isPresent() ? update.fastForwardBranch(MAIN, staged.branch()) : update.createBranch(MAIN, record);
            if (tag.isPresent()) {
                update = update.createTag(tag.get(), record);
            }
            update.removeBranch(staged.branch()).commit();
        }
        catch (CommitFailedException | IllegalArgumentException | org.apache.iceberg.exceptions.ValidationException raced) {
            // main moved between the check and the commit (another process published)
            return Optional.empty();
        }
        return Optional.of(record);
    }

    /** Leaves main alone and keeps the branch, with the failed audit recorded on it, for {@code retentionMillis}. */
    public long keepRejected(Table table, String jobId, Staged staged, Map<String, String> auditSummary, long retentionMillis) {
        return locked(table, () -> {
            long record = recordAudit(table, jobId, staged, auditSummary);
            table.manageSnapshots().setMaxRefAgeMs(staged.branch(), retentionMillis).commit();
            return record;
        });
    }

    private static long recordAudit(Table table, String jobId, Staged staged, Map<String, String> auditSummary) {
        AppendFiles record = table.newAppend().toBranch(staged.branch());
        staged.summary().forEach(record::set);
        auditSummary.forEach(record::set);
        record.set(JOB_ID, jobId);
        record.set(AUDITED_SNAPSHOT, Long.toString(staged.snapshotId()));
        record.commit();
        table.refresh();
        return table.refs().get(staged.branch()).snapshotId();
    }
}
