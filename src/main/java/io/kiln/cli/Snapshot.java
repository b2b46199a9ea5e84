package io.kiln.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** One snapshot of a table, as listed by {@code GET /v1/tables/{table}/snapshots}. */
record Snapshot(long snapshotId, Long parentId, long timestampMillis, String operation, boolean onMain, List<String> refs, Map<String, String> summary)
{
    Snapshot
    {
        summary = summary == null ? Map.of() : Map.copyOf(summary);
    }

    Optional<String> summaryValue(String key)
    {
        return Optional.ofNullable(summary.get(key));
    }

    record Listing(String table, List<Snapshot> snapshots)
    {
        Listing
        {
            requireNonNull(table, "table is null");
            snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
        }
    }
}
