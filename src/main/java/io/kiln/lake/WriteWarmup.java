package io.kiln.lake;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.jboss.logging.Logger;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;
import io.quarkus.runtime.StartupEvent;

/**
 * Writes, commits and scans one row of a throwaway table in memory while the service starts. That
 * loads the classes of the write path (Iceberg's commits and manifests, Parquet and zstd) while the
 * fast-jar class loader still holds every jar open. Loaded later, in a first job, they made it
 * re-open Iceberg's jars (the 69 MB AWS bundle among them) for one class after another: about
 * 0.5 GB of reads. Nothing is written to disk; a failure is logged and changes nothing else.
 */
@ApplicationScoped
public class WriteWarmup {
    private static final Logger LOG = Logger.getLogger(WriteWarmup.class);

    void onStart(@Observes StartupEvent event) {
        long start = System.nanoTime();
        try (InMemoryCatalog catalog = new InMemoryCatalog()) {
            catalog.initialize("kiln-warmup", Map.of());
            catalog.createNamespace(Namespace.of("warmup"));
            List<Column> columns = TableLayout.columns(List.of(new Column(Row.TEXT, DataType.STRING, false, "text")), List.of());
            Table table = catalog.createTable(TableIdentifier.of("warmup", "rows"), IcebergTypes.schema(columns), org.apache.iceberg.PartitionSpec.unpartitioned(),
                    TableLayout.properties(1L << 20));
            Table rejects = catalog.createTable(TableIdentifier.of("warmup", "rows" + TableLayout.REJECTS_SUFFIX), TableLayout.REJECTS,
                    org.apache.iceberg.PartitionSpec.unpartitioned(), TableLayout.properties(1L << 20, TableLayout.REJECTS_KIND));
            LakeWriter writer = new LakeWriter(table, rejects, "warmup", "warmup", 1L << 20);
            Row row = Row.text("1", "warm");
            writer.writeRow(row, writer.prepare(row), "file:///warmup.jsonl", "0".repeat(64), "line:1");
            writer.writeReject("extract", "malformed-json", "", null, "{", "file:///warmup.jsonl", "0".repeat(64), "line:2");
            LakeWriter.WrittenFiles files = writer.finish();
            org.apache.iceberg.AppendFiles append = table.newAppend();
            files.rows().forEach(append::appendFile);
            append.set("kiln.warmup", "true").commit();
            // as a job publishes: staged on a branch, audited there, then main fast-forwarded to it
            org.apache.iceberg.AppendFiles staged = table.newAppend().toBranch("audit");
            files.rows().forEach(staged::appendFile);
            staged.commit();
            org.apache.iceberg.AppendFiles rejected = rejects.newAppend();
            files.rejects().forEach(rejected::appendFile);
            rejected.commit();
            table.manageSnapshots().fastForwardBranch(org.apache.iceberg.SnapshotRef.MAIN_BRANCH, "audit").commit();
            table.manageSnapshots().createTag("pinned", table.currentSnapshot().snapshotId()).removeBranch("audit").commit();
            try (CloseableIterable<org.apache.iceberg.FileScanTask> tasks = table.newScan().useRef("pinned").planFiles()) {
                tasks.forEach(task -> task.file().recordCount());
            }
            try (CloseableIterable<org.apache.iceberg.data.Record> read = org.apache.iceberg.data.IcebergGenerics.read(table).build()) {
                read.forEach(record -> record.getField("id"));
            }
            LOG.debugf("Write path warmed up in %d ms", (System.nanoTime() - start) / 1_000_000);
        }
        catch (Exception | LinkageError e) {
            LOG.debugf(e, "Warming up the write path failed; the first job loads its classes itself");
        }
    }
}
