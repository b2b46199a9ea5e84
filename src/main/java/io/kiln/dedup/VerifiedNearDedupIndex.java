package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Near-duplicate deduplication without chains (dedup-near version 2): a document is dropped only
 * when a document that is kept, and earlier by the first-occurrence rule, is within the threshold
 * of it by the exact Jaccard similarity of their shingle sets. MinHash + LSH only finds the
 * candidates (documents sharing a band key); the exact similarity decides. So if A~B and B~C
 * but not A~C, and A comes first, A and C are kept and B is dropped as A's duplicate.
 *
 * <p>The rule. Published rows (history) come first and are always kept. The job's documents are
 * taken in {@link DocumentRank} order; each is compared with the history rows and with the job's
 * kept documents that share a band key with it. If a history row is within the threshold, the
 * document is a {@link Decision.Verdict#DUPLICATE_OF_HISTORY} of the most similar one (then the
 * least row id); else, if a kept job document is, a {@link Decision.Verdict#DUPLICATE_IN_JOB} of
 * the most similar one (then the earliest); else it is kept and becomes a representative for the
 * documents after it. A history row written by version 1, which has no shingle set, is compared
 * by its MinHash estimate. A text without any shingle is never a near-duplicate.
 *
 * <p>Determinism: the decisions depend only on the set of (rank, signature, shingle set) triples
 * added and the history, not on the order of the adds, the thread count or the batch size.
 *
 * <p>Memory: the shingle sets stay on disk ({@link ShingleSets}); the heap holds, per job
 * document, its 16-bit signature and band keys (about 300 bytes with the defaults) and, per kept
 * document, its place in a band-key table (about 200 bytes); per history row what
 * {@link NearHistory} holds, and 12 bytes.
 *
 * <p>Persistent form: the near segment of the kept documents ({@link NearHistory}), followed by
 * their shingle sets ({@link ShingleSets}), so version 1 reads the same history (it leaves the
 * sets out) and version 2 reads version 1's (without sets).
 */
public final class VerifiedNearDedupIndex implements Closeable {
    private record Entry(DocumentRank rank, short[] signature, int[] bandKeys, boolean empty, long shinglesAt, int shingleCount) {}

    private final NearDuplicateParameters parameters;
    private final LshBands lshBands;
    private final ShingleSets shingles;
    private final List<Entry> entries = new ArrayList<>();
    private NearHistory history;
    private long[] historyShinglesAt = new long[0];
    private int[] historyShingleCounts = new int[0];
    private Entry[] sorted;
    private DedupDecisions decisions;

    public VerifiedNearDedupIndex(NearDuplicateParameters parameters, ShingleSets shingles) {
        this.parameters = requireNonNull(parameters, "parameters is null");
        this.shingles = requireNonNull(shingles, "shingles is null");
        this.lshBands = parameters.lshBands();
        this.history = NearHistory.empty(parameters);
    }

    /**
     * Loads the published segments, near segments each optionally followed by its shingle sets.
     *
     * @throws IllegalArgumentException if a segment was made with incompatible parameters
     */
    public synchronized void loadHistory(InputStream in) throws IOException {
        requireNonNull(in, "in is null");
        List<NearHistory> parts = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        int[] lastSize = {-1};
        SegmentFormat.readAll(in, (kind, data) -> {
            switch (kind) {
                case SegmentFormat.NEAR -> {
                    NearHistory part = NearHistory.readBody(data, parameters);
                    parts.add(part);
                    for (int row = 0; row < part.size(); row++) {
                        at.add(-1L);
                        counts.add(0);
                    }
                    lastSize[0] = part.size();
                }
                case SegmentFormat.SHINGLES -> {
                    ShingleSets.Stored stored = ShingleSets.readBody(data, shingles);
                    if (stored.sizes().length != lastSize[0]) {
                        throw new IOException("shingle sets of %d rows after a near segment of %d".formatted(stored.sizes().length, lastSize[0]));
                    }
                    int first = at.size() - lastSize[0];
                    for (int row = 0; row < stored.sizes().length; row++) {
                        at.set(first + row, stored.offsets()[row]);
                        counts.set(first + row, stored.sizes()[row]);
                    }
                    lastSize[0] = -1;
                }
                default -> throw new IOException("kind '%c', expected 'N' or 'S'".formatted((char) kind));
            }
            return null;
        });
        history = parts.isEmpty() ? NearHistory.empty(parameters) : NearHistory.merge(parameters, parts);
        historyShinglesAt = at.stream().mapToLong(Long::longValue).toArray();
        historyShingleCounts = counts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Adds a job document: its rank, its shingle set ({@link MinHasher#shingleSet}) and that set's signature. Thread-safe. */
    public void add(DocumentRank rank, long[] signature, long[] shingleSet) {
        requireNonNull(rank, "rank is null");
        requireNonNull(signature, "signature is null");
        requireNonNull(shingleSet, "shingleSet is null");
        if (signature.length != parameters.hashCount()) {
            throw new IllegalArgumentException("Cannot add document %s: signature has %d hashes, expected %d".formatted(rank, signature.length, parameters.hashCount()));
        }
        long at = shingles.append(shingleSet);
        Entry entry = new Entry(rank, NearHistory.compact(signature), lshBands.bandKeys(signature), MinHasher.isEmpty(signature), at, shingleSet.length);
        synchronized (this) {
            if (decisions != null) {
                throw new IllegalStateException("Cannot add document %s: decisions were already made".formatted(rank));
            }
            entries.add(entry);
        }
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized int historySize() {
        return history.size();
    }

    /**
     * Decides for every document added (once; later calls return the same decisions).
     *
     * @throws IllegalArgumentException if two documents have the same rank
     */
    public synchronized DedupDecisions decide() {
        if (decisions != null) {
            return decisions;
        }
        sorted = DocumentRank.sorted(entries.toArray(new Entry[0]), Entry::rank);
        int count = sorted.length;
        int bands = parameters.bands();
        int hashCount = parameters.hashCount();
        double threshold = parameters.threshold();
        BandTable kept = new BandTable(count, bands);
        int[] survivorOf = new int[count];
        int[] historyOf = new int[count];
        double[] similarity = new double[count];
        boolean[] hasDuplicates = new boolean[count];
        Arrays.fill(survivorOf, -1);
        Arrays.fill(historyOf, -1);
        IntSet candidates = new IntSet();
        for (int i = 0; i < count; i++) {
            Entry entry = sorted[i];
            if (entry.empty()) {
                continue;
            }
            long[] own = null;
            candidates.clear();
            for (int band = 0; band < bands; band++) {
                long[] table = history.bandTable(band);
                int key = entry.bandKeys()[band];
                for (int t = NearHistory.firstWithKey(table, key); t < table.length && (int) (table[t] >> 32) == key; t++) {
                    candidates.add((int) table[t]);
                }
            }
            int bestHistory = -1;
            double bestHistorySimilarity = 0;
            for (int c = 0; c < candidates.size(); c++) {
                int row = candidates.get(c);
                double measured;
                if (historyShinglesAt[row] >= 0) {
                    own = own == null ? shingles.read(entry.shinglesAt(), entry.shingleCount()) : own;
                    measured = MinHasher.jaccard(own, shingles.read(historyShinglesAt[row], historyShingleCounts[row]));
                }
                else {
                    measured = (double) NearDedupIndex.matches(entry.signature(), 0, history.signatures(), row * hashCount, hashCount) / hashCount;
                }
                if (measured >= threshold && (bestHistory < 0 || measured > bestHistorySimilarity
                        || measured == bestHistorySimilarity && historyBefore(row, bestHistory))) {
                    bestHistory = row;
                    bestHistorySimilarity = measured;
                }
            }
            if (bestHistory >= 0) {
                historyOf[i] = bestHistory;
                similarity[i] = bestHistorySimilarity;
                continue;
            }
            candidates.clear();
            for (int band = 0; band < bands; band++) {
                kept.collect(band, entry.bandKeys()[band], candidates);
            }
            int best = -1;
            double bestSimilarity = 0;
            for (int c = 0; c < candidates.size(); c++) {
                int earlier = candidates.get(c);
                own = own == null ? shingles.read(entry.shinglesAt(), entry.shingleCount()) : own;
                double measured = MinHasher.jaccard(own, shingles.read(sorted[earlier].shinglesAt(), sorted[earlier].shingleCount()));
                if (measured >= threshold && (best < 0 || measured > bestSimilarity || measured == bestSimilarity && earlier < best)) {
                    best = earlier;
                    bestSimilarity = measured;
                }
            }
            if (best >= 0) {
                survivorOf[i] = best;
                similarity[i] = bestSimilarity;
                hasDuplicates[best] = true;
                continue;
            }
            for (int band = 0; band < bands; band++) {
                kept.put(band, entry.bandKeys()[band], i);
            }
        }
        List<Decision> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Entry entry = sorted[i];
            if (historyOf[i] >= 0) {
                int row = historyOf[i];
                result.add(new Decision(entry.rank(), Decision.Verdict.DUPLICATE_OF_HISTORY, Optional.of(history.rowId(row)),
                        Optional.of(NearDedupIndex.clusterId(history.signatures(), row * hashCount, hashCount)), similarity[i]));
            }
            else if (survivorOf[i] >= 0) {
                Entry survivor = sorted[survivorOf[i]];
                result.add(new Decision(entry.rank(), Decision.Verdict.DUPLICATE_IN_JOB, Optional.of(survivor.rank().rowId()),
                        Optional.of(NearDedupIndex.clusterId(survivor.signature(), 0, hashCount)), similarity[i]));
            }
            else {
                result.add(Decision.keep(entry.rank(), hasDuplicates[i] ? Optional.of(NearDedupIndex.clusterId(entry.signature(), 0, hashCount)) : Optional.empty()));
            }
        }
        decisions = new DedupDecisions(result);
        return decisions;
    }

    private boolean historyBefore(int row, int other) {
        int order = history.rowId(row).compareTo(history.rowId(other));
        return order < 0 || order == 0 && row < other;
    }

    /** Writes the kept documents (those not empty) as a near segment followed by their shingle sets. */
    public synchronized void writeSegment(OutputStream out) throws IOException {
        requireNonNull(out, "out is null");
        DedupDecisions decided = decide();
        NearHistory.Builder builder = NearHistory.builder(parameters);
        List<long[]> sets = new ArrayList<>();
        for (int i = 0; i < sorted.length; i++) {
            Entry entry = sorted[i];
            if (!decided.decisions().get(i).isDuplicate() && !entry.empty()) {
                builder.add(entry.rank().rowId(), entry.signature(), entry.bandKeys());
                sets.add(shingles.read(entry.shinglesAt(), entry.shingleCount()));
            }
        }
        builder.build().writeTo(out);
        ShingleSets.writeSegment(out, sets);
    }

    /** Heap bytes held now, roughly. */
    public synchronized long estimatedBytes() {
        int bands = parameters.bands();
        return history.heapBytes() + 12L * historyShinglesAt.length + entries.size() * (64L + 2L * parameters.hashCount() + 4L * bands + 16L * bands);
    }

    @Override
    public void close() {
        shingles.close();
    }

    /**
     * The kept documents by (band, band key): an open-addressing table of list heads, and per
     * document and band the next document with the same key.
     */
    private static final class BandTable {
        private final int bands;
        private final int[] next;
        private long[] keys;
        private int[] heads;
        private int size;

        BandTable(int documents, int bands) {
            this.bands = bands;
            this.next = new int[Math.multiplyExact(documents, bands)];
            this.keys = new long[64];
            this.heads = new int[64];
            Arrays.fill(heads, -1);
        }

        void put(int band, int key, int document) {
            if (2 * (size + 1) > keys.length) {
                grow();
            }
            long packed = (long) band << 32 | (key & 0xFFFFFFFFL);
            int slot = slot(packed);
            if (heads[slot] < 0) {
                keys[slot] = packed;
                size++;
            }
            next[document * bands + band] = heads[slot];
            heads[slot] = document;
        }

        void collect(int band, int key, IntSet into) {
            long packed = (long) band << 32 | (key & 0xFFFFFFFFL);
            int slot = slot(packed);
            for (int document = heads[slot]; document >= 0; document = next[document * bands + band]) {
                into.add(document);
            }
        }

        private int slot(long packed) {
            int mask = keys.length - 1;
            int slot = (int) Murmur3.fmix64(packed) & mask;
            while (heads[slot] >= 0 && keys[slot] != packed) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldHeads = heads;
            keys = new long[oldKeys.length * 2];
            heads = new int[oldHeads.length * 2];
            Arrays.fill(heads, -1);
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldHeads[i] >= 0) {
                    int slot = slot(oldKeys[i]);
                    keys[slot] = oldKeys[i];
                    heads[slot] = oldHeads[i];
                }
            }
        }
    }

    /** A small set of ints that remembers insertion order; cleared between documents. */
    private static final class IntSet {
        private int[] values = new int[16];
        private int size;
        private final java.util.HashSet<Integer> seen = new java.util.HashSet<>();

        void add(int value) {
            if (seen.add(value)) {
                if (size == values.length) {
                    values = Arrays.copyOf(values, size * 2);
                }
                values[size++] = value;
            }
        }

        int size() {
            return size;
        }

        int get(int index) {
            return values[index];
        }

        void clear() {
            size = 0;
            seen.clear();
        }
    }
}
