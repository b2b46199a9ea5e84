package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/** The decisions for every document of a job, in rank order. Immutable. */
public final class DedupDecisions {
    private final List<Decision> decisions;
    private final long kept;

    DedupDecisions(List<Decision> decisionsInRankOrder) {
        this.decisions = List.copyOf(decisionsInRankOrder);
        this.kept = decisions.stream().filter(decision -> !decision.isDuplicate()).count();
    }

    public List<Decision> decisions() {
        return decisions;
    }

    /** The decision for the job document with {@code rank}; empty if no such document was added. */
    public Optional<Decision> decision(DocumentRank rank) {
        requireNonNull(rank, "rank is null");
        int low = 0;
        int high = decisions.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = decisions.get(middle).rank().compareTo(rank);
            if (order == 0) {
                return Optional.of(decisions.get(middle));
            }
            if (order < 0) {
                low = middle + 1;
            }
            else {
                high = middle - 1;
            }
        }
        return Optional.empty();
    }

    public long kept() {
        return kept;
    }

    public long duplicates() {
        return decisions.size() - kept;
    }

    public long count(Decision.Verdict verdict) {
        return decisions.stream().filter(decision -> decision.verdict() == verdict).count();
    }
}
