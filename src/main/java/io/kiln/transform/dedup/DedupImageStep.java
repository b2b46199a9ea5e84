package io.kiln.transform.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.dedup.DedupDecisions;
import io.kiln.dedup.HammingIndex;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.DuplicateFilter;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;

/**
 * {@code dedup-image}: drops an image whose 64-bit perceptual hash (the {@code phash} column that
 * {@code image-normalize} sets, or {@code column}) is within {@code radius} bits (default 6, at most
 * {@value HammingIndex#MAX_RADIUS}) of an image already published in the table or of one this job
 * keeps; first occurrence wins, and a dropped image is always within the radius of the one named as
 * its survivor ({@link HammingIndex}). Identical pixels give identical hashes, so exact copies
 * always count. History is shared with every job that hashes the same column; the radius may change
 * between jobs. A row without a hash is kept.
 */
public final class DedupImageStep implements StepDefinition {
    public static final String NAME = "dedup-image";
    private static final StepId ID = new StepId(NAME, 1);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("radius", "column"));
        int radius = StepParameters.integer(parameters, "radius", 6, 0, HammingIndex.MAX_RADIUS);
        return new Filter(radius, StepParameters.column(parameters, "column", "phash"));
    }

    private record Filter(int radius, String column) implements DuplicateFilter {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String indexName() {
            return "hamming-v1-" + column;
        }

        @Override
        public Object signature(Row row) {
            return row.value(column).map(hash -> ((Number) hash).longValue()).orElse(null);
        }

        @Override
        public List<Column> reads() {
            return List.of(Column.optional(column, DataType.LONG, ""));
        }

        @Override
        public Index newIndex() {
            return new Index() {
                private final HammingIndex index = new HammingIndex(radius);
                private DedupDecisions decisions;

                @Override
                public void loadHistory(InputStream segments) throws IOException {
                    index.loadHistory(segments);
                }

                @Override
                public void add(long occurrence, String id, Object signature) {
                    index.add(DedupExactStep.rank(occurrence, id), (Long) signature);
                }

                @Override
                public void decide() {
                    decisions = index.decide();
                }

                @Override
                public Optional<Duplicate> duplicate(long occurrence, String id) {
                    return Duplicates.of(decisions, DedupExactStep.rank(occurrence, id));
                }

                @Override
                public void writeSegment(OutputStream out) throws IOException {
                    index.writeSegment(out);
                }

                @Override
                public long estimatedBytes() {
                    return index.heapBytes();
                }
            };
        }
    }
}
