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
        // a row without a value to sign was never added: it duplicates nothing
        Optional<Decision> decided = decisions.decision(rank);
        if (decided.isEmpty() || !decided.get().isDuplicate()) {
            return Optional.empty();
        }
        Decision decision = decided.get();
        return Optional.of(new DuplicateFilter.Duplicate(decision.duplicateOf().orElseThrow(), decision.verdict() == Decision.Verdict.DUPLICATE_OF_HISTORY,
                decision.clusterId().orElse(""), decision.similarity()));
    }
}
