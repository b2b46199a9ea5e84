package io.kiln.transform.dedup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.dedup.DedupDecisions;
import io.kiln.dedup.MinHasher;
import io.kiln.dedup.NearDedupIndex;
import io.kiln.dedup.NearDuplicateParameters;
import io.kiln.dedup.NearHistory;
import io.kiln.dedup.ShingleSets;
import io.kiln.dedup.Shingling;
import io.kiln.dedup.VerifiedNearDedupIndex;
import io.kiln.transform.DuplicateFilter;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;

/**
 * {@code dedup-near}: MinHash over word (or character) shingles with LSH banding. Parameters:
 * {@code shingling} (words | characters, default words), {@code shingleSize} (5), {@code hashCount}
 * (112), {@code bands} (14, must divide hashCount), {@code threshold} (0.8) and {@code seed} (a
 * 32-bit integer; a fixed 64-bit one by default). History is shared with jobs of the same shingling,
 * size, hashes, bands and seed, of either version; the threshold may change between jobs.
 *
 * <p>Version 1 ({@link NearDedupIndex}): candidates whose estimated Jaccard similarity reaches the
 * threshold are near-duplicates, and clusters are the connected components of such pairs, so a
 * chain A~B~C drops C even when A and C are not alike. History survives; in the job, the least
 * row id (then the first in the sorted input).
 *
 * <p>Version 2 ({@link VerifiedNearDedupIndex}): no chains. A row is dropped only when a row that
 * is kept, and earlier by the same first-occurrence rule (published rows first), is within the
 * threshold by the exact Jaccard similarity of their shingle sets; the MinHash estimate only finds
 * the candidates. Its history segments also hold the kept rows' shingle sets.
 *
 * <p>{@code clusterColumn}: keep every row and write the id of its cluster's surviving row into that
 * column (its own id for a survivor) instead of dropping duplicates; a group key for splits.
 */
public final class DedupNearStep implements StepDefinition {
    public static final String NAME = "dedup-near";
    /** The versions a JobSpec can name; the last is the current one. */
    public static final List<Integer> VERSIONS = List.of(1, 2);
    /**
     * The seed version 1 uses when none is given: the library's default as a double holds it (the
     * first binding read every number as a double). Its signatures and history segments depend on it.
     */
    static final long SEED = (long) (double) NearDuplicateParameters.DEFAULT_SEED;

    private final StepId id;

    /** The current version. */
    public DedupNearStep() {
        this(VERSIONS.get(VERSIONS.size() - 1));
    }

    /** @param version one of {@link #VERSIONS} */
    public DedupNearStep(int version) {
        if (!VERSIONS.contains(version)) {
            throw new IllegalArgumentException("dedup-near has no version " + version);
        }
        this.id = new StepId(NAME, version);
    }

    @Override
    public StepId id() {
        return id;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("shingling", "shingleSize", "hashCount", "bands", "threshold", "seed", "column", "clusterColumn"));
        NearDuplicateParameters defaults = NearDuplicateParameters.defaults();
        Shingling shingling = Shingling.valueOf(StepParameters.oneOf(parameters, "shingling", "words", Set.of("words", "characters")).toUpperCase(Locale.ROOT));
        int shingleSize = StepParameters.integer(parameters, "shingleSize", defaults.shingleSize(), 1, 64);
        int hashCount = StepParameters.integer(parameters, "hashCount", defaults.hashCount(), 1, 4096);
        int bands = StepParameters.integer(parameters, "bands", defaults.bands(), 1, hashCount);
        if (hashCount % bands != 0) {
            throw new InvalidStepParameterException("bands", "must divide hashCount (" + hashCount + "), was " + bands);
        }
        double threshold = StepParameters.number(parameters, "threshold", defaults.threshold(), 0.0, 1.0);
        if (threshold == 0) {
            throw new InvalidStepParameterException("threshold", "must be above 0, was 0");
        }
        long seed = parameters.containsKey("seed") ? StepParameters.integer(parameters, "seed", 0, Integer.MIN_VALUE, Integer.MAX_VALUE) : SEED;
        NearDuplicateParameters near = new NearDuplicateParameters(shingling, shingleSize, hashCount, bands, threshold, seed);
        String column = StepParameters.column(parameters, "column");
        Optional<String> cluster = parameters.containsKey("clusterColumn") ? Optional.of(StepParameters.column(parameters, "clusterColumn")) : Optional.empty();
        return id.version() == 1 ? new Filter(id(), near, near.minHasher(), column, cluster) : new VerifiedFilter(id(), near, near.minHasher(), column, cluster);
    }

    private record Filter(StepId id, NearDuplicateParameters parameters, MinHasher hasher, String column, Optional<String> clusterColumn) implements DuplicateFilter {
        @Override
        public String indexName() {
            return indexName(parameters, column);
        }

        /** The history both versions share: "v1" names the segment format, whose version 2 adds shingle sets that version 1 reads past. */
        static String indexName(NearDuplicateParameters parameters, String column) {
            return String.format(Locale.ROOT, "near-v1-%s-%d-%dx%d-%016x", parameters.shingling().name().toLowerCase(Locale.ROOT), parameters.shingleSize(),
                    parameters.bands(), parameters.rowsPerBand(), parameters.seed()) + (column.equals(Row.TEXT) ? "" : "-" + column);
        }

        @Override
        public Object signature(Row row) {
            return row.string(column).map(hasher::signature).orElse(null);
        }

        @Override
        public java.util.List<io.kiln.transform.Column> reads() {
            return java.util.List.of(io.kiln.transform.Column.string(column, ""));
        }

        @Override
        public Index newIndex() {
            return new NearIndex(parameters);
        }
    }

    private record VerifiedFilter(StepId id, NearDuplicateParameters parameters, MinHasher hasher, String column, Optional<String> clusterColumn)
            implements DuplicateFilter {
        @Override
        public String indexName() {
            return Filter.indexName(parameters, column);
        }

        @Override
        public Object signature(Row row) {
            return row.string(column).map(text -> {
                long[] shingles = hasher.shingleSet(text);
                return new VerifiedIndex.Sketch(hasher.signatureOfShingles(shingles), shingles);
            }).orElse(null);
        }

        @Override
        public java.util.List<io.kiln.transform.Column> reads() {
            return java.util.List.of(io.kiln.transform.Column.string(column, ""));
        }

        @Override
        public Index newIndex() {
            return new VerifiedIndex(new VerifiedNearDedupIndex(parameters, ShingleSets.inTemporaryDirectory()));
        }
    }

    private static final class NearIndex implements DuplicateFilter.Index {
        private final NearDuplicateParameters parameters;
        private NearHistory history;
        private NearDedupIndex index;
        private DedupDecisions decisions;

        NearIndex(NearDuplicateParameters parameters) {
            this.parameters = parameters;
            this.history = NearHistory.empty(parameters);
            this.index = new NearDedupIndex(parameters, history);
        }

        @Override
        public void loadHistory(InputStream segments) throws IOException {
            history = NearHistory.read(segments, parameters);
            index = new NearDedupIndex(parameters, history);
        }

        @Override
        public void add(long occurrence, String id, Object signature) {
            index.add(DedupExactStep.rank(occurrence, id), (long[]) signature);
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
            index.newSegment(rank -> true).writeTo(out);
        }

        @Override
        public long estimatedBytes() {
            return history.heapBytes() + 500L * index.size();
        }
    }
}
