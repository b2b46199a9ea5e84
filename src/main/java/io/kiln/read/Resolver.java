package io.kiln.read;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.iceberg.Schema;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;

import com.fasterxml.jackson.annotation.JsonFormat;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.lake.Pins;

/** Turns a training config into the exact snapshot it means, or says clearly why it cannot. */
public final class Resolver {
    private final TableBrowser tables;
    private final String trinoCatalog;
    private final BufferAllocator allocator;

    /** {@code trinoCatalog}: the catalog name the handed-out SQL uses; {@code allocator}: for the scan that counts the selected rows. */
    public Resolver(TableBrowser tables, String trinoCatalog, BufferAllocator allocator) {
        this.tables = tables;
        this.trinoCatalog = trinoCatalog;
        this.allocator = allocator;
    }

    /**
     * {@code rows}: the rows the config selects (columns, filter and split applied), which the
     * {@code trinoSql} and the {@code rowsPath} both return; {@code rowsSha256}: the SHA-256 of the
     * JSON lines the {@code rowsPath} returns; {@code snapshotRows}: every row of the snapshot.
     */
    public record Resolution(String table, @JsonFormat(shape = JsonFormat.Shape.STRING) @org.eclipse.microprofile.openapi.annotations.media.Schema(type = SchemaType.STRING, format = "int64") long snapshotId, String pin, String jobId, String recipe, String recipeSpec, long rows, String rowsSha256,
            long snapshotRows, String contentDigest, String batchContentDigest, List<String> columns, String filter, TrainingConfig.Split split,
            String trinoSql, String rowsPath) {}

    public Resolution resolve(TrainingConfig config) {
        List<Violation> violations = new ArrayList<>();
        if (config.table() == null || config.table().isBlank()) {
            violations.add(new Violation("table", "is required"));
        }
        if ((config.snapshot() == null) == (config.pin() == null || config.pin().isBlank())) {
            violations.add(new Violation("snapshot", "give exactly one of snapshot (an id) and pin (a name)"));
        }
        Optional<SplitRule> split = Optional.empty();
        if (config.split() != null) {
            TrainingConfig.Split spec = config.split();
            if (spec.fraction() != null && (spec.name() == null || spec.name().isBlank())) {
                violations.add(new Violation("split.name", "is required"));
            }
            split = SplitRule.of("split.", Optional.ofNullable(spec.name()), Optional.ofNullable(spec.fraction()), Optional.ofNullable(spec.fractions()),
                    spec.seed() == null ? 0 : spec.seed(), Optional.ofNullable(spec.by()), violations);
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
        Schema schema = table.schemas().get(snapshot.schemaId() == null ? table.schema().schemaId() : snapshot.schemaId());
        Optional<String> filterText = Optional.ofNullable(config.filter()).filter(text -> !text.isBlank());
        // a filter the rows endpoint would refuse is refused here, with the same message
        Optional<RowFilter> filter = filterText.map(text -> RowFilter.parse(text, schema));
        Map<String, String> summary = snapshot.summary();
        String columns = config.columns().isEmpty() ? "*" : String.join(", ", config.columns().stream().map(TrinoPredicates::identifier).toList());
        List<String> where = new ArrayList<>();
        List<String> query = new ArrayList<>();
        if (!config.columns().isEmpty()) {
            query.add("columns=" + encode(String.join(",", config.columns())));
        }
        filter.ifPresent(rowFilter -> {
            where.add(rowFilter.trinoPredicate(schema));
            query.add("filter=" + encode(rowFilter.text()));
        });
        split.ifPresent(rule -> {
            where.add(rule.trinoPredicate(SnapshotScan.SPLIT_COLUMN));
            if (rule.fractions().isEmpty()) {
                query.add("split.fraction=" + rule.upper());
            }
            else {
                query.add("split.fractions=" + encode(String.join(",", rule.fractions().entrySet().stream().map(entry -> entry.getKey() + ":" + entry.getValue()).toList())));
                query.add("split.name=" + encode(rule.name()));
            }
            rule.by().ifPresent(column -> query.add("split.by=" + encode(column)));
            query.add("split.seed=" + rule.seed());
        });
        Selected selected = select(SnapshotScan.builder(config.table(), table, snapshotId)
                .columns(config.columns().isEmpty() ? Optional.empty() : Optional.of(config.columns()))
                .filter(filterText)
                .split(split)
                .build());
        return new Resolution(config.table(), snapshotId, config.pin(), summary.get("kiln.job-id"), summary.get("kiln.recipe"), summary.get("kiln.recipe-spec"),
                selected.rows(), selected.sha256(), Long.parseLong(summary.getOrDefault("total-records", "0")),
                Optional.ofNullable(summary.get("kiln.table-content-digest")).orElse(null), summary.get("kiln.content-digest"),
                config.columns(), config.filter(), config.split(),
                "SELECT " + columns + " FROM " + trinoCatalog + "." + config.table() + " FOR VERSION AS OF " + snapshotId
                        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)),
                "/v1/tables/" + config.table() + "/snapshots/" + snapshotId + "/rows" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
    }

    private record Selected(long rows, String sha256) {}

    /** Reads the selected rows as the rows endpoint streams them (JSON lines), counting them and hashing the bytes. */
    private Selected select(SnapshotScan scan) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long rows = 0;
        try (SnapshotScan.Batches batches = scan.open(allocator, OptionalLong.empty());
                DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha256)) {
            RowWriter writer = RowFormats.streamWriter(RowFormat.JSONL, batches.root(), out);
            while (batches.next()) {
                rows += batches.root().getRowCount();
                writer.write(batches.root());
            }
            writer.finish();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Selected(rows, HexFormat.of().formatHex(sha256.digest()));
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
