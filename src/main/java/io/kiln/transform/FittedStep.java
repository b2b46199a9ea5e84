package io.kiln.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A step that decides over the whole job, not row by row: a duplicate filter, a normalizer that
 * needs a column's mean, an imputer that needs its median. The runtime runs it in two passes. In the
 * first it gives {@link #observe} every row that reaches the step (on any thread) and hands what it
 * returns to one {@link Fit}, then calls {@link Fit#fit()}; in the second, {@link Fit#apply} decides
 * each row (on any thread). Consecutive fitted steps share their first pass; a fitted step after
 * another's group is observed in a later pass, after the earlier fits are done.
 *
 * <p>A fit must be exact and order-independent: the same rows give the same state, whatever the
 * thread count, the batch size or the order in which they were added. Rows are known by their
 * occurrence (their place in the sorted inputs) and id, the same in both passes. The state it
 * writes ({@link Fit#writeState}) is kept with the snapshot, under {@link #stateName()}, so that
 * later jobs (and reproductions of this one) can load it ({@link Fit#loadHistory}).
 *
 * <p>{@link #apply} sees one row alone, so it emits it unchanged; the runtime never calls it.
 */
public interface FittedStep extends Transform {
    /** The name of this step's state in a table; two jobs share state only when their names match, so the name covers every parameter that changes it. */
    String stateName();

    /** What the fit needs of a row, or null when the row gives it nothing; pure and thread-safe. */
    Object observe(Row row);

    /** A new, empty fit for one job run. */
    Fit newFit();

    @Override
    default Outcome apply(Row row) {
        return Outcome.emit(row);
    }

    /** The state of one job run. {@link #apply} is thread-safe once fitted; the rest is called from one thread. */
    interface Fit {
        /** Loads the states of earlier jobs, one after another in {@code states}; called once, first. */
        void loadHistory(InputStream states) throws IOException;

        /** Adds what {@link FittedStep#observe} gave for the row {@code occurrence} with {@code id}. */
        void add(long occurrence, String id, Object observation);

        /** Fits; called once, after the last add. */
        void fit();

        /** What becomes of the row {@code occurrence} (a row observed, or one that gave nothing). */
        Outcome apply(long occurrence, Row row);

        /** Writes this job's state, for later jobs to load. */
        void writeState(OutputStream out) throws IOException;

        /** Heap bytes the fit holds now, roughly, for the job's report. */
        long estimatedBytes();

        /** What the snapshot summary records of the fitted state (keys start with {@code kiln.}), such as fitted statistics; called after {@link #fit()}. */
        default java.util.Map<String, String> summary() {
            return java.util.Map.of();
        }
    }
}
