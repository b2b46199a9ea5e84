package io.kiln.transform.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

import io.kiln.dedup.DedupDecisions;
import io.kiln.dedup.VerifiedNearDedupIndex;
import io.kiln.transform.DuplicateFilter;

/** A {@link VerifiedNearDedupIndex} as a duplicate filter's index: rows signed by a {@link Sketch}. */
final class VerifiedIndex implements DuplicateFilter.Index {
    /** What a row gives the index: its set (text shingles, audio landmarks) and that set's MinHash signature. */
    record Sketch(long[] signature, long[] shingles) {}

    private final VerifiedNearDedupIndex index;
    private DedupDecisions decisions;

    VerifiedIndex(VerifiedNearDedupIndex index) {
        this.index = index;
    }

    @Override
    public void loadHistory(InputStream segments) throws IOException {
        index.loadHistory(segments);
    }

    @Override
    public void add(long occurrence, String id, Object signature) {
        Sketch sketch = (Sketch) signature;
        index.add(DedupExactStep.rank(occurrence, id), sketch.signature(), sketch.shingles());
    }

    @Override
    public void decide() {
        decisions = index.decide();
    }

    @Override
    public Optional<DuplicateFilter.Duplicate> duplicate(long occurrence, String id) {
        return Duplicates.of(decisions, DedupExactStep.rank(occurrence, id));
    }

    @Override
    public void writeSegment(OutputStream out) throws IOException {
        try {
            index.writeSegment(out);
        }
        finally {
            index.close();
        }
    }

    @Override
    public long estimatedBytes() {
        return index.estimatedBytes();
    }
}
