package io.kiln.lake;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * Creates Kiln's tables and commits a job's files, one commit per table, each carrying the job's
 * lineage in its snapshot summary. Commits are idempotent per job: a job whose snapshot is
 * already in a table (a retry after a crash) is not committed twice.
 */
public final class Publisher {
    public static final String JOB_ID = "kiln.job-id";

    private final Catalog catalog;

    public Publisher(Catalog catalog) {
        this.catalog = catalog;
    }

    public Table loadOrCreate(TableIdentifier identifier, org.apache.iceberg.Schema schema, Map<String, String> properties) {
        try {
            return catalog.loadTable(identifier);
        }
        catch (NoSuchTableException e) {
            if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(identifier.namespace())) {
                try {
                    namespaces.createNamespace(identifier.namespace());
                }
                catch (AlreadyExistsException raced) {
                    // another job created it
                }
            }
            try {
                return catalog.buildTable(identifier, schema).withProperties(properties).create();
            }
            catch (AlreadyExistsException raced) {
                return catalog.loadTable(identifier);
            }
        }
    }

    public Optional<Long> findPublished(Table table, String jobId) {
        table.refresh();
        for (Snapshot snapshot : table.snapshots()) {
            if (jobId.equals(snapshot.summary().get(JOB_ID))) {
                return Optional.of(snapshot.snapshotId());
            }
        }
        return Optional.empty();
    }

    /**
     * Appends the files to {@code main} in one commit with the summary, and creates the tag on
     * the new snapshot in the same transaction. Returns the new snapshot's id, or the id of the
     * job's earlier snapshot if it was committed already.
     *
     * @throws org.apache.iceberg.exceptions.CommitFailedException nothing was committed
     * @throws org.apache.iceberg.exceptions.CommitStateUnknownException the commit may or may not have happened
     */
    public long commit(Table table, String jobId, List<DataFile> files, Map<String, String> summary, Optional<String> tag) {
        Optional<Long> earlier = findPublished(table, jobId);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Transaction transaction = table.newTransaction();
        AppendFiles append = transaction.newAppend();
        files.forEach(append::appendFile);
        summary.forEach(append::set);
        append.set(JOB_ID, jobId);
        append.commit();
        long snapshotId = transaction.table().currentSnapshot().snapshotId();
        tag.ifPresent(name -> transaction.manageSnapshots().createTag(name, snapshotId).commit());
        transaction.commitTransaction();
        return snapshotId;
    }
}
