package io.kiln.transform.dedup;

import java.util.Optional;

import io.kiln.dedup.DedupDecisions;
import io.kiln.dedup.Decision;
import io.kiln.dedup.DocumentRank;
import io.kiln.transform.DuplicateFilter;

final class Duplicates {
    private Duplicates() {}

    static Optional<DuplicateFilter.Duplicate> of(DedupDecisions decisions, DocumentRank rank) {
        if (decisions == null) {
            throw new IllegalStateException("decide() was not called");
        }
        Decision decision = decisions.decision(rank).orElseThrow(() -> new IllegalStateException("no decision for " + rank));
        if (!decision.isDuplicate()) {
            return Optional.empty();
        }
        return Optional.of(new DuplicateFilter.Duplicate(decision.duplicateOf().orElseThrow(), decision.verdict() == Decision.Verdict.DUPLICATE_OF_HISTORY,
                decision.clusterId().orElse(""), decision.similarity()));
    }
}
