package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What deduplication decided for one document of a job.
 *
 * @param duplicateOf the row id of the cluster's survivor (a published row for
 *     {@link Verdict#DUPLICATE_OF_HISTORY}), empty for {@link Verdict#KEEP}
 * @param clusterId the duplicate cluster's id, empty for a document without duplicates: for exact
 *     dedup the hex {@link ContentKey}; for near dedup 16 hex digits derived from the survivor's
 *     signature only, so a cluster keeps its id when its survivor is later matched as history
 * @param similarity the estimated Jaccard similarity to the survivor (1 for exact duplicates and
 *     for survivors); with transitive clusters it may be below the threshold, see {@link NearDedupIndex}
 */
public record Decision(DocumentRank rank, Verdict verdict, Optional<String> duplicateOf, Optional<String> clusterId, double similarity) {
    public enum Verdict {
        KEEP,
        /** Another document of the same job, with a smaller rank, survives. */
        DUPLICATE_IN_JOB,
        /** A row already published in the table (history) survives. */
        DUPLICATE_OF_HISTORY
    }

    public Decision {
        requireNonNull(rank, "rank is null");
        requireNonNull(verdict, "verdict is null");
        requireNonNull(duplicateOf, "duplicateOf is null");
        requireNonNull(clusterId, "clusterId is null");
        if (duplicateOf.isPresent() == (verdict == Verdict.KEEP)) {
            throw new IllegalArgumentException("duplicateOf must be present exactly for duplicates, verdict " + verdict);
        }
    }

    public boolean isDuplicate() {
        return verdict != Verdict.KEEP;
    }

    static Decision keep(DocumentRank rank, Optional<String> clusterId) {
        return new Decision(rank, Verdict.KEEP, Optional.empty(), clusterId, 1.0);
    }
}
