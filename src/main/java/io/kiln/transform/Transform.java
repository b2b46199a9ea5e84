package io.kiln.transform;

/**
 * One step of the transform chain, configured once and then applied to every row of a job.
 *
 * <p>Implementations must be deterministic (the same row gives the same outcome, whatever the
 * thread, the batch or the order of rows), thread-safe, and must never mutate their input. A step
 * whose output may change for the same input must get a new version in {@link #id()}, with its
 * own golden files.
 *
 * <p>A drop is not an error: it says why the row does not belong in the table, and the runtime
 * writes it to the rejects table. Exceptions are for bugs; the runtime turns one into a drop with
 * reason {@code step-error} so that one bad row never kills a job.
 */
public interface Transform {
    StepId id();

    Outcome apply(Row row);

    /**
     * The columns this step reads, each with the type it needs; the job is refused when the rows
     * that reach the step lack one or hold another type. A row that lacks a value of an optional
     * column the step reads is the step's to handle (text steps pass it on unchanged).
     */
    default java.util.List<Column> reads() {
        return java.util.List.of();
    }

    /** Columns this step reads whatever their type (an exact duplicate filter compares any values); the job is refused when the rows lack one. */
    default java.util.Set<String> readsAnyType() {
        return java.util.Set.of();
    }

    /** The columns this step sets on the rows it emits; the table gains them when it lacks them. */
    default java.util.List<Column> columns() {
        return java.util.List.of();
    }

    /**
     * Columns this step removes from the rows it emits (an identifier it drops): the table does not
     * get them, and later steps cannot read them. A step that keeps a column but changes its type
     * declares it in {@link #columns()} with the new type.
     */
    default java.util.Set<String> removes() {
        return java.util.Set.of();
    }

    /** Table properties this step's columns need, for example a vector's dimension; set when the table lacks them. */
    default java.util.Map<String, String> tableProperties() {
        return java.util.Map.of();
    }

    /**
     * What goes into the recipe besides the step's name, version and parameters: hashes of the
     * models or vocabularies it loads. Keys that start with {@code kiln.} (such as
     * {@code kiln.tokenizer}, {@code kiln.embedding-model}) also go into every snapshot summary.
     */
    default java.util.Map<String, String> fingerprint() {
        return java.util.Map.of();
    }

    /** What a snapshot summary records about how this step ran but that does not change rows, such as the execution provider. */
    default java.util.Map<String, String> runtime() {
        return java.util.Map.of();
    }
}
