package io.kiln.transform.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.dedup.ContentKey;
import io.kiln.dedup.DedupDecisions;
import io.kiln.dedup.DocumentRank;
import io.kiln.dedup.ExactDedupIndex;
import io.kiln.dedup.ExactHistory;
import io.kiln.transform.DuplicateFilter;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;

/**
 * {@code dedup-exact}: drops rows whose normalized content (NFKC, case folded, invisible
 * characters removed, white space folded; {@link io.kiln.dedup.TextNormalizer}) equals another
 * row's of the job or of the table's published history. History survives; in the job, the least
 * row id (then the first in the sorted input). The cluster id is the content key's hex.
 */
public final class DedupExactStep implements StepDefinition {
    public static final String NAME = "dedup-exact";
    private static final StepId ID = new StepId(NAME, 1);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of());
        return new Filter(id());
    }

    private record Filter(StepId id) implements DuplicateFilter {
        @Override
        public String indexName() {
            return "exact-v1";
        }

        @Override
        public Object signature(Row row) {
            return ContentKey.of(row.text());
        }

        @Override
        public Index newIndex() {
            return new ExactIndex();
        }
    }

    private static final class ExactIndex implements DuplicateFilter.Index {
        private ExactDedupIndex index = new ExactDedupIndex(ExactHistory.empty());
        private ExactHistory history = ExactHistory.empty();
        private DedupDecisions decisions;

        @Override
        public void loadHistory(InputStream segments) throws IOException {
            history = ExactHistory.read(segments);
            index = new ExactDedupIndex(history);
        }

        @Override
        public void add(long occurrence, String id, Object signature) {
            index.add(rank(occurrence, id), (ContentKey) signature);
        }

        @Override
        public void decide() {
            decisions = index.decide();
        }

        @Override
        public Optional<DuplicateFilter.Duplicate> duplicate(long occurrence, String id) {
            return Duplicates.of(decisions, rank(occurrence, id));
        }

        @Override
        public void writeSegment(OutputStream out) throws IOException {
            index.newSegment(rank -> true).writeTo(out);
        }

        @Override
        public long estimatedBytes() {
            return history.heapBytes() + 48L * index.size();
        }
    }

    static DocumentRank rank(long occurrence, String id) {
        return new DocumentRank("", occurrence, 0, id);
    }
}
