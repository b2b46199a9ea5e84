package io.kiln.read;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.lake.Pins;

/** Turns a training config into the exact snapshot it means, or says clearly why it cannot. */
public final class Resolver {
    private final TableBrowser tables;

    public Resolver(TableBrowser tables) {
        this.tables = tables;
    }

    public record Resolution(String table, long snapshotId, String pin, String jobId, String recipe, String recipeSpec, long rows,
            String contentDigest, String batchContentDigest, List<String> columns, String filter, TrainingConfig.Split split,
            String trinoSql, String rowsPath) {}

    public Resolution resolve(TrainingConfig config) {
        List<Violation> violations = new ArrayList<>();
        if (config.table() == null || config.table().isBlank()) {
            violations.add(new Violation("table", "is required"));
        }
        if ((config.snapshot() == null) == (config.pin() == null || config.pin().isBlank())) {
            violations.add(new Violation("snapshot", "give exactly one of snapshot (an id) and pin (a name)"));
        }
        if (config.split() != null) {
            if (config.split().fraction() == null || config.split().fraction() <= 0 || config.split().fraction() > 1) {
                violations.add(new Violation("split.fraction", "must be more than 0 and at most 1"));
            }
            if (config.split().name() == null || config.split().name().isBlank()) {
                violations.add(new Violation("split.name", "is required"));
            }
        }
        if (!violations.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_TRAINING_CONFIG, "The training config is invalid", violations);
        }
        Table table = tables.table(config.table());
        long snapshotId;
        if (config.pin() != null && !config.pin().isBlank()) {
            SnapshotRef ref = table.refs().get(config.pin());
            if (ref == null || !ref.isTag()) {
                throw new KilnException(ErrorCode.PIN_NOT_FOUND, "Table " + config.table() + " has no pin '" + config.pin()
                        + "' (it was never created, was deleted, or its retention ran out)");
            }
            snapshotId = ref.snapshotId();
        }
        else {
            snapshotId = config.snapshot();
        }
        Snapshot snapshot = Pins.requirePublished(table, snapshotId);
        for (String column : config.columns()) {
            Types.NestedField field = table.schemas().get(snapshot.schemaId() == null ? table.schema().schemaId() : snapshot.schemaId()).findField(column);
            if (field == null) {
                violations.add(new Violation("columns", "snapshot " + snapshotId + " of " + config.table() + " has no column '" + column + "'"));
            }
        }
        if (!violations.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_TRAINING_CONFIG, "The training config does not match the snapshot", violations);
        }
        Map<String, String> summary = snapshot.summary();
        String ref = config.pin() != null && !config.pin().isBlank() ? "'" + config.pin() + "'" : Long.toString(snapshotId);
        String columns = config.columns().isEmpty() ? "*" : String.join(", ", config.columns());
        String where = "";
        List<String> query = new ArrayList<>();
        if (!config.columns().isEmpty()) {
            query.add("columns=" + encode(String.join(",", config.columns())));
        }
        if (config.filter() != null && !config.filter().isBlank()) {
            query.add("filter=" + encode(config.filter()));
        }
        if (config.split() != null) {
            SplitRule split = new SplitRule(config.split().name(), config.split().fraction(), config.split().seed() == null ? 0 : config.split().seed());
            where = " WHERE " + split.trinoPredicate(SnapshotScan.SPLIT_COLUMN);
            query.add("split.fraction=" + split.fraction());
            query.add("split.seed=" + split.seed());
        }
        return new Resolution(config.table(), snapshotId, config.pin(), summary.get("kiln.job-id"), summary.get("kiln.recipe"), summary.get("kiln.recipe-spec"),
                Long.parseLong(summary.getOrDefault("total-records", "0")),
                Optional.ofNullable(summary.get("kiln.table-content-digest")).orElse(null), summary.get("kiln.content-digest"),
                config.columns(), config.filter(), config.split(),
                "SELECT " + columns + " FROM kiln." + config.table() + " FOR VERSION AS OF " + ref + where,
                "/v1/tables/" + config.table() + "/snapshots/" + snapshotId + "/rows" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
