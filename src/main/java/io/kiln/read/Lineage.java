package io.kiln.read;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.Publisher;
import io.kiln.lake.TableLayout;

/** Where rows and snapshots came from and how they were made, from the lineage Kiln records. */
public final class Lineage {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_ROWS = 1000;

    public record RowOrigin(String id, String sourceUri, String sourceSha256, String position, String jobId, String recipe,
            @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") Long publishedSnapshotId, Object recipeSpec) {}

    public record RowLineage(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId, List<RowOrigin> rows) {}

    public record Rejects(long count, Object byReason, String table, String trinoSql) {}

    /** {@code inputs}: the input manifest; for more inputs than a summary holds, {@code inputManifestFile} names its JSON-lines file instead. */
    public record SnapshotLineage(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId, boolean onMain, String jobId, String auditedSnapshotId, Object inputs,
            String inputManifestFile, String inputDigest, String recipe, Object recipeSpec, String checksOutcome, String checksSuite, Object checks,
            long rowsWritten, String contentDigest, String tableContentDigest, Rejects rejects) {}

    /** Every row with this id at the snapshot (current if none), with its source and recipe. */
    public RowLineage row(Table table, String tableName, String rowId, Optional<Long> snapshotId) {
        long snapshot = snapshotId.orElseGet(() -> {
            if (table.currentSnapshot() == null) {
                throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + tableName + " has no published snapshot yet");
            }
            return table.currentSnapshot().snapshotId();
        });
        if (table.snapshot(snapshot) == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + tableName + " has no snapshot " + snapshot);
        }
        Map<String, Long> publishedByJob = new HashMap<>();
        List<RowOrigin> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshot)
                .where(Expressions.equal("id", rowId))
                .select("id", TableLayout.SOURCE_URI, TableLayout.SOURCE_SHA256, TableLayout.SOURCE_POSITION, TableLayout.JOB_ID, TableLayout.RECIPE)
                .build()) {
            for (Record record : records) {
                if (rows.size() >= MAX_ROWS) {
                    break;
                }
                String jobId = (String) record.getField(TableLayout.JOB_ID);
                Long published = publishedByJob.computeIfAbsent(jobId, job -> publishedSnapshot(table, job).orElse(null));
                Object recipeSpec = published == null ? null : parse(table.snapshot(published).summary().get("kiln.recipe-spec"));
                rows.add(new RowOrigin((String) record.getField("id"), (String) record.getField(TableLayout.SOURCE_URI),
                        (String) record.getField(TableLayout.SOURCE_SHA256), (String) record.getField(TableLayout.SOURCE_POSITION),
                        jobId, (String) record.getField(TableLayout.RECIPE), published, recipeSpec));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rows.isEmpty()) {
            throw new KilnException(ErrorCode.RESOURCE_NOT_FOUND, "Snapshot " + snapshot + " of " + tableName + " has no row with id '" + rowId + "'");
        }
        return new RowLineage(tableName, snapshot, rows);
    }

    /** The snapshot's job, inputs, recipe, checks and rejects. */
    public SnapshotLineage snapshot(Table table, String tableName, long snapshotId, String trinoCatalog) {
        Snapshot snapshot = table.snapshot(snapshotId);
        if (snapshot == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + tableName + " has no snapshot " + snapshotId + " (never published, or expired)");
        }
        Map<String, String> summary = snapshot.summary();
        String jobId = summary.get(Publisher.JOB_ID);
        boolean onMain = table.currentSnapshot() != null && SnapshotUtil.isAncestorOf(table, table.currentSnapshot().snapshotId(), snapshotId);
        String rejectsTable = tableName + TableLayout.REJECTS_SUFFIX;
        Rejects rejects = new Rejects(Long.parseLong(summary.getOrDefault("kiln.rows-rejected", "0")), parse(summary.get("kiln.rejected-by-reason")),
                rejectsTable, jobId == null ? null : "SELECT * FROM " + trinoCatalog + "." + rejectsTable + " WHERE _kiln_job_id = '" + jobId + "'");
        return new SnapshotLineage(tableName, snapshotId, onMain, jobId, summary.get(Publisher.AUDITED_SNAPSHOT),
                parse(summary.get("kiln.input-manifest")), summary.get("kiln.input-manifest-file"), summary.get("kiln.input-digest"), summary.get("kiln.recipe"), parse(summary.get("kiln.recipe-spec")),
                summary.get(Publisher.CHECKS_OUTCOME), summary.get("kiln.checks.suite"), parse(summary.get("kiln.checks.results")),
                Long.parseLong(summary.getOrDefault("kiln.rows-written", "0")), summary.get("kiln.content-digest"), summary.get("kiln.table-content-digest"),
                rejects);
    }

    private static Optional<Long> publishedSnapshot(Table table, String jobId) {
        if (table.currentSnapshot() == null) {
            return Optional.empty();
        }
        for (Snapshot snapshot : SnapshotUtil.ancestorsOf(table.currentSnapshot().snapshotId(), table::snapshot)) {
            if (jobId.equals(snapshot.summary().get(Publisher.JOB_ID)) && "PASSED".equals(snapshot.summary().get(Publisher.CHECKS_OUTCOME))) {
                return Optional.of(snapshot.snapshotId());
            }
        }
        return Optional.empty();
    }

    private static Object parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readValue(json, new TypeReference<Object>() {});
        }
        catch (IOException e) {
            return json;
        }
    }
}
