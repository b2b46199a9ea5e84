package io.kiln.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A step that drops rows duplicating other rows of the same job or rows the table already holds.
 * Unlike other steps it cannot decide row by row, so the runtime runs a job in two passes: the
 * first computes every row's {@link #signature} (on any thread) and feeds them to one
 * {@link Index}, which also loads the table's published segments; the index decides; the second
 * pass drops what it names. Which row of a cluster survives depends only on the rows' ranks
 * (their id, then their place in the sorted inputs), never on thread count, batch size or the
 * order in which rows were added. Rows already published always survive.
 *
 * <p>{@link #apply} sees one row alone, so it always emits it.
 */
public interface DuplicateFilter extends Transform {
    /**
     * The name of this filter's persistent index in a table. Two jobs share history only when
     * their names match: the name covers every parameter that changes the signatures.
     */
    String indexName();

    /** The signature of a row, for {@link Index#add}; null when the row has no value to sign (it is then kept). Pure and thread-safe. */
    Object signature(Row row);

    /** A new, empty index for one job run. */
    Index newIndex();

    @Override
    default Outcome apply(Row row) {
        return Outcome.emit(row);
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
