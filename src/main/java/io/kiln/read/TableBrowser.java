package io.kiln.read;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonFormat;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.job.JobSpec;

/** Read-only views of the catalog's tables, their schemas, refs and snapshots. */
@ApplicationScoped
public class TableBrowser {
    @Inject
    Catalog catalog;

    public List<String> tables() {
        List<String> names = new ArrayList<>();
        if (catalog instanceof SupportsNamespaces namespaces) {
            for (Namespace namespace : namespaces.listNamespaces()) {
                catalog.listTables(namespace).forEach(table -> names.add(table.toString()));
            }
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    public TableDescription describe(String name) {
        Table table = load(name);
        List<Field> schema = table.schema().columns().stream()
                .map(field -> new Field(field.fieldId(), field.name(), field.type().toString(), field.isRequired(), field.doc()))
                .toList();
        Map<String, Ref> refs = new LinkedHashMap<>();
        table.refs().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> refs.put(entry.getKey(), ref(entry.getValue())));
        Long current = table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
        return new TableDescription(name, schema, current, refs, table.properties(), table.location());
    }

    /** Newest first. */
    public List<SnapshotDescription> snapshots(String name) {
        Table table = load(name);
        java.util.Set<Long> onMain = new java.util.HashSet<>();
        if (table.currentSnapshot() != null) {
            org.apache.iceberg.util.SnapshotUtil.ancestorIds(table.currentSnapshot(), table::snapshot).forEach(onMain::add);
        }
        Map<Long, List<String>> refsBySnapshot = new java.util.HashMap<>();
        table.refs().forEach((ref, target) -> refsBySnapshot.computeIfAbsent(target.snapshotId(), id -> new ArrayList<>()).add(ref));
        List<SnapshotDescription> snapshots = new ArrayList<>();
        for (Snapshot snapshot : table.snapshots()) {
            List<String> refs = new ArrayList<>(refsBySnapshot.getOrDefault(snapshot.snapshotId(), List.of()));
            refs.sort(Comparator.naturalOrder());
            snapshots.add(new SnapshotDescription(snapshot.snapshotId(), snapshot.parentId(), snapshot.timestampMillis(),
                    snapshot.operation(), onMain.contains(snapshot.snapshotId()), refs, snapshot.summary()));
        }
        snapshots.sort(Comparator.comparingLong(SnapshotDescription::timestampMillis).thenComparingLong(SnapshotDescription::snapshotId).reversed());
        return snapshots;
    }

    /** One snapshot, with the Trino SQL that reads it by id and by each tag that points at it. */
    public SnapshotDetail snapshot(String name, long snapshotId, String trinoCatalog) {
        Table table = load(name);
        Snapshot snapshot = table.snapshot(snapshotId);
        if (snapshot == null) {
            throw new KilnException(ErrorCode.SNAPSHOT_NOT_FOUND, "Table " + name + " has no snapshot " + snapshotId + " (never published, or expired)");
        }
        String qualified = trinoCatalog + "." + name;
        List<String> tags = table.refs().entrySet().stream()
                .filter(entry -> entry.getValue().isTag() && entry.getValue().snapshotId() == snapshotId)
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        List<String> tagSql = tags.stream()
                .map(tag -> "SELECT * FROM " + qualified + " FOR VERSION AS OF '" + tag.replace("'", "''") + "'")
                .toList();
        boolean current = table.currentSnapshot() != null && table.currentSnapshot().snapshotId() == snapshotId;
        return new SnapshotDetail(snapshot.snapshotId(), snapshot.parentId(), snapshot.timestampMillis(), snapshot.operation(),
                snapshot.summary(), current, tags,
                new TrinoSql("SELECT * FROM " + qualified + " FOR VERSION AS OF " + snapshotId, tagSql));
    }

    /** The table, or 404 TABLE_NOT_FOUND. */
    public Table table(String name) {
        return load(name);
    }

    private Table load(String name) {
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

    private static Ref ref(SnapshotRef ref) {
        return new Ref(ref.isBranch() ? "branch" : "tag", ref.snapshotId(), ref.maxRefAgeMs());
    }

    public record Field(int id, String name, String type, boolean required, String doc) {}

    public record Ref(String type, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId, Long maxRefAgeMs) {}

    public record TableDescription(String name, List<Field> schema, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") Long currentSnapshotId, Map<String, Ref> refs, Map<String, String> properties, String location) {}

    public record TrinoSql(String byId, List<String> byTag) {}

    public record SnapshotDetail(@JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") Long parentId, long timestampMillis, String operation, Map<String, String> summary,
            boolean current, List<String> tags, TrinoSql trino) {}

    /** {@code onMain}: in main's history (published, or the audited snapshot under a publish); {@code refs}: branches and tags that point at it. */
    public record SnapshotDescription(@JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") long snapshotId, @JsonFormat(shape = JsonFormat.Shape.STRING) @Schema(type = SchemaType.STRING, format = "int64") Long parentId, long timestampMillis, String operation, boolean onMain, List<String> refs,
            Map<String, String> summary) {}
}
