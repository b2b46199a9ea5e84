package io.kiln.contamination;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An eval set as the contamination checks use it: a published snapshot of a Kiln table, its items'
 * ids in the snapshot's stable row order (an item's ordinal is its place in that order), the
 * n-gram index of its text column and, when asked for, its normalized vectors.
 *
 * <p>Immutable and thread-safe; built by {@link EvalSets}, which keeps it for the next job that
 * names the same snapshot.
 */
public final class EvalSet {
    private final String table;
    private final long snapshotId;
    private final Map<String, String> summary;
    private final List<String> ids;
    private final NgramIndex ngrams;
    private final Optional<ExactCosine> vectors;

    EvalSet(String table, long snapshotId, Map<String, String> summary, List<String> ids, NgramIndex ngrams, Optional<ExactCosine> vectors) {
        this.table = requireNonNull(table, "table is null");
        this.snapshotId = snapshotId;
        this.summary = Map.copyOf(summary);
        this.ids = List.copyOf(ids);
        this.ngrams = requireNonNull(ngrams, "ngrams is null");
        this.vectors = requireNonNull(vectors, "vectors is null");
    }

    public String table() {
        return table;
    }

    public long snapshotId() {
        return snapshotId;
    }

    /** The eval snapshot's summary: its recipe and embedding model. */
    public Map<String, String> summary() {
        return summary;
    }

    public int items() {
        return ids.size();
    }

    /** The id of the item at {@code ordinal}. */
    public String id(int ordinal) {
        return ids.get(ordinal);
    }

    public List<String> ids() {
        return ids;
    }

    public NgramIndex ngrams() {
        return ngrams;
    }

    public Optional<ExactCosine> vectors() {
        return vectors;
    }

    /** How a training row names an eval item: {@code <table>/<id>}. */
    public String reference(int ordinal) {
        return table + "/" + ids.get(ordinal);
    }
}
