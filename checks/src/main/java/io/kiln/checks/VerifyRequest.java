package io.kiln.checks;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Body of {@code POST /verify}.
 *
 * @param table namespace-qualified table name, e.g. {@code demo.docs}
 * @param snapshotId the exact Iceberg snapshot to verify
 * @param rules suite text
 * @param resultKey key under which this run's metrics join the table's history; defaults to now, with
 *        table and snapshot tags
 * @param saveMetricsOnPass append the metrics to the history when, and only when, every rule passed
 * @param baseSnapshotId the snapshot {@code snapshotId} was staged on (main's head then), or null for a
 *        table's first batch: anomaly rules and the metric history then measure the batch, the rows
 *        {@code snapshotId} appends over its base, while the DQDL rules see the whole table at {@code snapshotId}
 * @param distinctFromBase columns whose values in the batch (the rows {@code snapshotId} appends over
 *        {@code baseSnapshotId}) must not occur in the base snapshot; each gives a result
 *        {@code DistinctFromBase "column"}. With a batch that is unique in itself and a base that is, this
 *        proves the column unique at {@code snapshotId} without reading the whole table. Needs a base snapshot.
 * @param catalogId the catalog's identity (Kiln's, which stays the same however the catalog is reached):
 *        the metric history is the table's in that catalog, never another catalog's table of the same
 *        name; null for a history keyed by table name alone
 */
public record VerifyRequest(CatalogSpec catalog, String table, Long snapshotId, String rules,
                            ResultKeySpec resultKey, boolean saveMetricsOnPass, Long baseSnapshotId,
                            List<String> distinctFromBase, String catalogId) {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)+");

    public VerifyRequest {
        if (catalog == null) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "catalog is missing");
        }
        table = checkTableName(table);
        if (snapshotId == null) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "snapshotId is missing");
        }
        if (rules == null) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "rules is missing");
        }
        if (distinctFromBase == null) {
            distinctFromBase = List.of();
        }
        if (distinctFromBase.stream().anyMatch(column -> column == null || column.isBlank())) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "distinctFromBase has a blank column name");
        }
        distinctFromBase = List.copyOf(distinctFromBase);
        if (!distinctFromBase.isEmpty() && baseSnapshotId == null) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "distinctFromBase needs a baseSnapshotId");
        }
        if (catalogId != null) {
            MetricsHistory.checkCatalogId(catalogId);
        }
    }

    public VerifyRequest(CatalogSpec catalog, String table, Long snapshotId, String rules,
                         ResultKeySpec resultKey, boolean saveMetricsOnPass, Long baseSnapshotId) {
        this(catalog, table, snapshotId, rules, resultKey, saveMetricsOnPass, baseSnapshotId, List.of(), null);
    }

    /** Whose metric history this run reads and joins. */
    MetricsHistory.Key history() {
        return new MetricsHistory.Key(Optional.ofNullable(catalogId), table);
    }

    /** Table names double as metric file names, so they are restricted to letters, digits, '_' and '-'. */
    static String checkTableName(String table) {
        if (table == null || table.isBlank()) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "table is missing");
        }
        if (!TABLE.matcher(table).matches()) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, String.format(
                    "Invalid table name '%s': expected <namespace>.<table> of letters, digits, '_' and '-'", table));
        }
        return table;
    }
}
