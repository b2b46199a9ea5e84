package io.kiln.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A {@link FittedStep} that drops rows duplicating other rows of the same job or rows the table
 * already holds. Its first pass computes every row's {@link #signature} (on any thread) and feeds them
 * to one {@link Index}, which also loads the table's published segments; the index decides; the
 * second pass drops what it names. Which row of a cluster survives depends only on the rows' ranks
 * (their id, then their place in the sorted inputs), never on thread count, batch size or the
 * order in which rows were added. Rows already published always survive.
 */
public interface DuplicateFilter extends FittedStep {
    /** The reason of every drop. */
    String DUPLICATE = "duplicate";

    /**
     * The name of this filter's persistent index in a table. Two jobs share history only when
     * their names match: the name covers every parameter that changes the signatures.
     */
    String indexName();

    /** The signature of a row, for {@link Index#add}; null when the row has no value to sign (it is then kept). Pure and thread-safe. */
    Object signature(Row row);

    /** A new, empty index for one job run. */
    Index newIndex();

    /**
     * Empty (the default): duplicates are dropped. Else every row is kept, and this column gets the id of
     * the row that survives in its cluster (a survivor's own id): a group key that keeps near-duplicates
     * together, for a split by cluster and its leakage check.
     */
    default Optional<String> clusterColumn() {
        return Optional.empty();
    }

    @Override
    default java.util.List<Column> columns() {
        return clusterColumn().map(name -> java.util.List.of(Column.string(name, "the id of the row that survives in this row's duplicate cluster")))
                .orElse(java.util.List.of());
    }

    @Override
    default String stateName() {
        return indexName();
    }

    @Override
    default Object observe(Row row) {
        return signature(row);
    }

    /** The index as a fit: a row it names is dropped as {@value #DUPLICATE}, saying which row survives. */
    @Override
    default Fit newFit() {
        Index index = newIndex();
        StepId by = id();
        return new Fit() {
            @Override
            public void loadHistory(InputStream states) throws IOException {
                index.loadHistory(states);
            }

            @Override
            public void add(long occurrence, String id, Object observation) {
                index.add(occurrence, id, observation);
            }

            @Override
            public void fit() {
                index.decide();
            }

            @Override
            public Outcome apply(long occurrence, Row row) {
                Optional<Duplicate> duplicate = index.duplicate(occurrence, row.id());
                Optional<String> cluster = clusterColumn();
                if (cluster.isPresent()) {
                    return Outcome.emit(row.with(cluster.get(), duplicate.map(Duplicate::survivorId).orElse(row.id())));
                }
                if (duplicate.isEmpty()) {
                    return Outcome.emit(row);
                }
                Duplicate of = duplicate.get();
                return Outcome.drop(by, DUPLICATE, String.format(java.util.Locale.ROOT, "duplicate of row '%s' (%s), cluster %s, similarity %.3f",
                        of.survivorId(), of.survivorPublished() ? "already in the table" : "kept from this job", of.clusterId(), of.similarity()));
            }

            @Override
            public void writeState(OutputStream out) throws IOException {
                index.writeSegment(out);
            }

            @Override
            public long estimatedBytes() {
                return index.estimatedBytes();
            }
        };
    }

    /** The rows of one job and the table's history. {@link #add} is thread-safe; the rest is called from one thread. */
    interface Index {
        /** Loads the published segments (previous jobs' survivors), one after another in {@code segments}; called once, first. */
        void loadHistory(InputStream segments) throws IOException;

        /** Adds a row of this job, from any thread: {@code occurrence} identifies it in the job; its rank is (id, occurrence). */
        void add(long occurrence, String id, Object signature);

        /** Makes the decisions; call once, after the last add. */
        void decide();

        /** The decision for the row added as {@code occurrence} with {@code id}: empty to keep it. */
        Optional<Duplicate> duplicate(long occurrence, String id);

        /** Writes this job's survivors as a segment, for later jobs to load. */
        void writeSegment(OutputStream out) throws IOException;

        /** Heap bytes the index holds now, roughly, for the job's report. */
        long estimatedBytes();
    }

    /**
     * Why a row is dropped: the row id that survives (a row of this job or one already
     * published), the cluster's stable id, and the similarity measured (1.0 for exact copies).
     */
    record Duplicate(String survivorId, boolean survivorPublished, String clusterId, double similarity) {
        public Duplicate {
            java.util.Objects.requireNonNull(survivorId, "survivorId is null");
            java.util.Objects.requireNonNull(clusterId, "clusterId is null");
        }
    }
}
