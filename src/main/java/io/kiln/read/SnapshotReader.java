package io.kiln.read;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.jboss.logging.Logger;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.job.JobSpec;

/**
 * Where the readers start: finds a table and one of its snapshots, by id or by pin (an Iceberg
 * tag), and owns the service's one Arrow allocator. Every scan takes its vectors from a child of it,
 * so all reads together never hold more than {@link #MEMORY_LIMIT} bytes of Arrow memory.
 */
@ApplicationScoped
public class SnapshotReader {
    /** Arrow memory of all reads at once; one scan holds about two batches ({@link SnapshotScan#DEFAULT_BATCH_BYTES} each). */
    public static final long MEMORY_LIMIT = 1L << 30;
    private static final Logger LOG = Logger.getLogger(SnapshotReader.class);
    private static final Pattern SNAPSHOT_ID = Pattern.compile("-?[0-9]{1,19}");

    @Inject
    Catalog catalog;

    private RootAllocator allocator;

    /** A snapshot to read; {@code pin} is the tag it was named by, if it was. */
    public record ResolvedSnapshot(String name, Table table, long snapshotId, Optional<String> pin) {
        public ResolvedSnapshot {
            requireNonNull(name, "name is null");
            requireNonNull(table, "table is null");
            requireNonNull(pin, "pin is null");
        }

        public SnapshotScan.Builder scan() {
            return SnapshotScan.builder(name, table, snapshotId);
        }
    }

    /** {@code snapshotOrPin}: a snapshot id, or the name of a tag (a pin). */
    public ResolvedSnapshot resolve(String tableName, String snapshotOrPin) {
        if (SNAPSHOT_ID.matcher(snapshotOrPin).matches()) {
            return bySnapshotId(tableName, Long.parseLong(snapshotOrPin));
        }
        return byPin(tableName, snapshotOrPin);
    }

    public ResolvedSnapshot bySnapshotId(String tableName, long snapshotId) {
        Table table = table(tableName);
        if (table.snapshot(snapshotId) == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + tableName + " has no snapshot " + snapshotId + " (never published, or expired)");
        }
        return new ResolvedSnapshot(tableName, table, snapshotId, Optional.empty());
    }

    public ResolvedSnapshot byPin(String tableName, String pin) {
        Table table = table(tableName);
        SnapshotRef ref = table.refs().get(pin);
        if (ref == null) {
            throw new KilnException(ErrorCode.PIN_NOT_FOUND, "Table " + tableName + " has no snapshot or pin '" + pin + "'");
        }
        if (!ref.isTag()) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "'" + pin + "' is a branch of " + tableName
                    + ", which moves; read a snapshot id or a pin (a tag) instead");
        }
        return new ResolvedSnapshot(tableName, table, ref.snapshotId(), Optional.of(pin));
    }

    public Table table(String name) {
        if (!name.matches(JobSpec.TABLE_PATTERN.replace("{0,127}", "{0,160}"))) {
            throw new KilnException(ErrorCode.TABLE_NOT_FOUND, "No table " + name + ": table names are <namespace>.<name>");
        }
        try {
            return catalog.loadTable(TableIdentifier.parse(name));
        }
        catch (NoSuchTableException e) {
            throw new KilnException(ErrorCode.TABLE_NOT_FOUND, "No table " + name);
        }
    }

    /** The allocator scans take their memory from. */
    public synchronized BufferAllocator allocator() {
        if (allocator == null) {
            ArrowAccess.ensureOpen();
            allocator = new RootAllocator(RootAllocator.configBuilder()
                    .allocationManagerFactory(UnsafeAllocationManager.FACTORY)
                    .maxAllocation(MEMORY_LIMIT)
                    .build());
        }
        return allocator;
    }

    @PreDestroy
    synchronized void close() {
        if (allocator != null) {
            try {
                allocator.close();
            }
            catch (IllegalStateException e) {
                LOG.warnf("Arrow memory still in use at shutdown: %s", e.getMessage());
            }
        }
    }
}
