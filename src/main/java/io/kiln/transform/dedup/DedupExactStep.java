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
import io.kiln.transform.Values;

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
        StepParameters.requireOnly(parameters, Set.of("column"));
        return new Filter(id(), StepParameters.column(parameters, "column"));
    }

    private record Filter(StepId id, String column) implements DuplicateFilter {
        @Override
        public String indexName() {
            return column.equals(Row.TEXT) ? "exact-v1" : "exact-v1-" + column;
        }

        /** Text is normalized before it is compared; a value of another type is compared as its canonical JSON. */
        @Override
        public Object signature(Row row) {
            return row.value(column).map(value -> ContentKey.of(value instanceof String text ? text : Values.json(value))).orElse(null);
        }

        @Override
        public Set<String> readsAnyType() {
            return Set.of(column);
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
