package io.kiln.transform;

import java.util.Map;
import java.util.Optional;

/**
 * What a step may need from the service when it is bound, besides its parameters: secret keys, which
 * come from configuration and never from the JobSpec, and the summaries of the job's table's
 * published snapshots, for a step that reuses what an earlier snapshot chose. Neither goes into the
 * recipe: a step puts what identifies them (a key's id and check value, the values it reused) in its
 * {@link Transform#fingerprint()}.
 */
public interface StepContext {
    /** The secret key configured under {@code keyId}, or empty when there is none; never to be logged or returned. */
    Optional<byte[]> secretKey(String keyId);

    /**
     * The summary of the job table's published snapshot that {@code reference} names: a pin's name, or
     * a snapshot id in decimal. Empty when the table has no such pin or published snapshot.
     */
    Optional<Map<String, String>> publishedSummary(String reference);

    /** Human labels: each row id's label, read from a table at a snapshot. */
    record Labels(long snapshotId, Map<String, String> byId) {
        public Labels {
            byId = Map.copyOf(byId);
        }
    }

    /**
     * The values of {@code column} by row id in {@code table} at the published snapshot that
     * {@code reference} names (a pin or a snapshot id): a gold set of human labels. Empty when there is
     * no such table, snapshot or column.
     *
     * @throws InvalidStepParameterException when the table has more than {@code maxRows} rows
     */
    default Optional<Labels> labels(String table, String reference, String column, int maxRows) {
        return Optional.empty();
    }

    /** Vectors by row id, read from a table at a snapshot, with that snapshot's summary (its embedding model). */
    record Vectors(long snapshotId, Map<String, float[]> byId, Map<String, String> summary) {
        public Vectors {
            byId = Map.copyOf(byId);
            summary = Map.copyOf(summary);
        }
    }

    /**
     * The float vectors of {@code column} by row id in {@code table} at the published snapshot that
     * {@code reference} names: seed examples. Empty when there is no such table, snapshot or column.
     *
     * @throws InvalidStepParameterException when the table has more than {@code maxRows} rows
     */
    default Optional<Vectors> vectors(String table, String reference, String column, int maxRows) {
        return Optional.empty();
    }

    /**
     * The rows of a published snapshot, read column by column in the snapshot's stable order (the
     * order of the rows endpoint): an eval set a step checks against.
     *
     * @param table the table's name
     * @param tableUuid the table's UUID: with the snapshot id, what names the rows for any cache
     * @param summary the snapshot's summary (its recipe, its embedding model)
     * @param columns the columns read, {@code id} first, as the snapshot has them
     */
    record TableRows(String table, String tableUuid, long snapshotId, Map<String, String> summary, java.util.List<String> columns, RowSource source) {
        public TableRows {
            summary = Map.copyOf(summary);
            columns = java.util.List.copyOf(columns);
        }
    }

    /** Reads the rows of a {@link TableRows}, each as its values in the order of its columns; may be called more than once. */
    @FunctionalInterface
    interface RowSource {
        void forEach(java.util.function.Consumer<Object[]> row);
    }

    /**
     * The rows of {@code table} at the published snapshot {@code reference} names (a pin or a snapshot
     * id), with {@code id} and {@code columns}. Empty when there is no such table or snapshot, or it
     * lacks one of the columns.
     */
    default Optional<TableRows> rows(String table, String reference, java.util.List<String> columns) {
        return Optional.empty();
    }

    /** A fitted step's state as an earlier publish of the job's table wrote it: its JSON and the snapshot it is read from. */
    record PublishedState(long snapshotId, String json, String sha256) {}

    /**
     * The state named {@code stateName} that the published snapshot {@code reference} (a pin or a snapshot
     * id) of the job's table holds, or its nearest ancestor; empty when there is none.
     */
    default Optional<PublishedState> publishedState(String reference, String stateName) {
        return Optional.empty();
    }

    /** The columns of the rows that reach this step (the source's, then those the steps before it set), {@code id} first. */
    default java.util.List<Column> columnsBefore() {
        return java.util.List.of();
    }

    /** The fingerprints of the job's steps bound before this one, merged: what produced the columns this step reads (their embedding model). */
    default Map<String, String> earlierFingerprints() {
        return Map.of();
    }

    /** A context with no keys and no table, for steps bound outside a service (tests, tools). */
    static StepContext none() {
        return new StepContext() {
            @Override
            public Optional<byte[]> secretKey(String keyId) {
                return Optional.empty();
            }

            @Override
            public Optional<Map<String, String>> publishedSummary(String reference) {
                return Optional.empty();
            }
        };
    }
}
