package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Near-duplicate deduplication (MinHash + LSH) of one job against itself and the table's history.
 * Pass 1 {@link #add}s the MinHash signature of every document of the job (from any number of
 * threads, in any order); {@link #decide()} then decides for each.
 *
 * <p>The rule. Two documents are near-duplicates when they share at least one LSH band key
 * (candidates) and at least {@code threshold} of their signature entries agree (the estimated
 * Jaccard similarity; compared on 16 bits per entry, see {@link NearHistory}). A duplicate
 * cluster is a connected component of that relation over the job's documents (union-find), so
 * near-duplication is made transitive: if A~B and B~C, then A, B and C are one cluster even if A and C
 * are below the threshold, and {@link Decision#similarity()} of C to the survivor can be below it.
 * This is the usual choice (datatrove, NeMo Curator); it removes chains of slowly drifting copies.
 * A cluster that has a near-duplicate among the published rows (history) keeps none of its job
 * documents: each is a {@link Decision.Verdict#DUPLICATE_OF_HISTORY} of the published row (the
 * least row id among those matched by any member); history rows always survive. Otherwise the member
 * with the smallest {@link DocumentRank} is kept and the others are
 * {@link Decision.Verdict#DUPLICATE_IN_JOB}s of it. A text without any shingle is never a near-duplicate.
 *
 * <p>Determinism: the relation is symmetric and depends only on the signatures, the components only
 * on the relation, and the survivor only on the ranks, so the decisions depend only on the set of
 * (rank, signature) pairs added: not on the order, the thread count or the batch size. The cluster id
 * is 16 hex digits of a hash of the survivor's (16-bit) signature, so a cluster that survives in one
 * job keeps its id when a later job matches its survivor in the history.
 *
 * <p>Cost: one pass per band over the sorted band keys. Within a bucket of equal band keys each
 * document is compared with the earlier ones that are not already in its component; documents
 * with identical signatures are joined beforehand, so mass copies cost linear time. Memory per job
 * document with the defaults: about 400 bytes plus the rank's strings.
 */
public final class NearDedupIndex {
    private record Entry(DocumentRank rank, short[] signature, int[] bandKeys, boolean empty) {
    }

    private final NearDuplicateParameters parameters;
    private final NearHistory history;
    private final LshBands lshBands;
    private final List<Entry> entries = new ArrayList<>();
    private DedupDecisions decisions;

    /**
     * @throws IllegalArgumentException if {@code history} was made with incompatible parameters
     */
    public NearDedupIndex(NearDuplicateParameters parameters, NearHistory history) {
        this.parameters = requireNonNull(parameters, "parameters is null");
        this.history = requireNonNull(history, "history is null");
        if (!history.parameters().isCompatibleWith(parameters)) {
            throw new IllegalArgumentException("Cannot use near-dedup history made with %s for %s".formatted(history.parameters(), parameters));
        }
        this.lshBands = parameters.lshBands();
    }

    public NearDuplicateParameters parameters() {
        return parameters;
    }

    /** Adds a document of the job with its signature ({@link NearDuplicateParameters#minHasher()}). Thread-safe. */
    public void add(DocumentRank rank, long[] signature) {
        requireNonNull(rank, "rank is null");
        requireNonNull(signature, "signature is null");
        if (signature.length != parameters.hashCount()) {
            throw new IllegalArgumentException("Cannot add document %s: signature has %d hashes, expected %d".formatted(rank, signature.length, parameters.hashCount()));
        }
        Entry entry = new Entry(rank, NearHistory.compact(signature), lshBands.bandKeys(signature), MinHasher.isEmpty(signature));
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

    /**
     * Decides for every document added (once; later calls return the same decisions).
     *
     * @throws IllegalArgumentException if two documents have the same rank
     */
    public synchronized DedupDecisions decide() {
        if (decisions != null) {
            return decisions;
        }
        Entry[] sorted = DocumentRank.sorted(entries.toArray(new Entry[0]), Entry::rank);
        int count = sorted.length;
        int[] parent = new int[count];
        for (int i = 0; i < count; i++) {
            parent[i] = i;
        }
        // identical signatures are one cluster: join them first and band only one of each
        int[] representatives = new int[count];
        int representativeCount = 0;
        Map<SignatureKey, Integer> firstBySignature = new HashMap<>();
        for (int i = 0; i < count; i++) {
            if (sorted[i].empty()) {
                continue;
            }
            Integer first = firstBySignature.putIfAbsent(new SignatureKey(sorted[i].signature()), i);
            if (first == null) {
                representatives[representativeCount++] = i;
            }
            else {
                union(parent, first, i);
            }
        }
        int required = parameters.requiredMatches();
        long[] bucketed = new long[representativeCount];
        for (int band = 0; band < parameters.bands(); band++) {
            bucket(bucketed, sorted, representatives, representativeCount, band);
            int start = 0;
            while (start < representativeCount) {
                int end = start + 1;
                while (end < representativeCount && bucketed[end] >>> 32 == bucketed[start] >>> 32) {
                    end++;
                }
                for (int p = start + 1; p < end; p++) {
                    int member = (int) bucketed[p];
                    for (int q = start; q < p; q++) {
                        int earlier = (int) bucketed[q];
                        if (find(parent, member) != find(parent, earlier)
                                && matches(sorted[member].signature(), 0, sorted[earlier].signature(), 0) >= required) {
                            union(parent, member, earlier);
                        }
                    }
                }
                start = end;
            }
        }
        int[] historyMatch = matchHistory(sorted, representatives, representativeCount, required);
        // per component: its least member (the survivor in the job) and its best history row
        int[] componentSize = new int[count];
        int[] componentHistory = new int[count];
        Arrays.fill(componentHistory, -1);
        for (int i = 0; i < count; i++) {
            int root = find(parent, i);
            componentSize[root]++;
            int match = historyMatch[i];
            if (match >= 0 && (componentHistory[root] < 0 || historyBefore(match, componentHistory[root]))) {
                componentHistory[root] = match;
            }
        }
        List<Decision> result = new ArrayList<>(count);
        int hashCount = parameters.hashCount();
        for (int i = 0; i < count; i++) {
            Entry entry = sorted[i];
            int root = find(parent, i);
            int historyRow = componentHistory[root];
            if (historyRow >= 0) {
                short[] survivor = history.signatures();
                result.add(new Decision(entry.rank(), Decision.Verdict.DUPLICATE_OF_HISTORY, Optional.of(history.rowId(historyRow)),
                        Optional.of(clusterId(survivor, historyRow * hashCount, hashCount)),
                        (double) matches(entry.signature(), 0, survivor, historyRow * hashCount) / hashCount));
            }
            else if (root == i) {
                Optional<String> clusterId = componentSize[root] > 1 ? Optional.of(clusterId(entry.signature(), 0, hashCount)) : Optional.empty();
                result.add(Decision.keep(entry.rank(), clusterId));
            }
            else {
                Entry survivor = sorted[root];
                result.add(new Decision(entry.rank(), Decision.Verdict.DUPLICATE_IN_JOB, Optional.of(survivor.rank().rowId()),
                        Optional.of(clusterId(survivor.signature(), 0, hashCount)),
                        (double) matches(entry.signature(), 0, survivor.signature(), 0) / hashCount));
            }
        }
        decisions = new DedupDecisions(result);
        return decisions;
    }

    /** Fills {@code bucketed} with each representative's key of {@code band} (high 32 bits) and index, sorted: equal keys adjacent. */
    private static void bucket(long[] bucketed, Entry[] sorted, int[] representatives, int representativeCount, int band) {
        for (int r = 0; r < representativeCount; r++) {
            int i = representatives[r];
            bucketed[r] = (long) sorted[i].bandKeys()[band] << 32 | i;
        }
        Arrays.sort(bucketed, 0, representativeCount);
    }

    /**
     * Per job document, its best near-duplicate history row (the least row id), or -1. Candidates come from a
     * merge join, per band, of the job's sorted band keys with the history's sorted band table: sequential
     * reads instead of a binary search per document and band.
     */
    private int[] matchHistory(Entry[] sorted, int[] representatives, int representativeCount, int required) {
        int[] match = new int[sorted.length];
        Arrays.fill(match, -1);
        if (history.size() == 0 || representativeCount == 0) {
            return match;
        }
        long[] pairs = new long[Math.max(16, representativeCount)];
        int pairCount = 0;
        long[] bucketed = new long[representativeCount];
        for (int band = 0; band < parameters.bands(); band++) {
            bucket(bucketed, sorted, representatives, representativeCount, band);
            long[] table = history.bandTable(band);
            int j = 0;
            int t = 0;
            while (j < representativeCount && t < table.length) {
                int jobKey = (int) (bucketed[j] >> 32);
                int historyKey = (int) (table[t] >> 32);
                if (jobKey < historyKey) {
                    j++;
                }
                else if (historyKey < jobKey) {
                    t = NearHistory.firstWithKey(table, jobKey, t);
                }
                else {
                    int tableEnd = t;
                    while (tableEnd < table.length && (int) (table[tableEnd] >> 32) == jobKey) {
                        tableEnd++;
                    }
                    for (; j < representativeCount && (int) (bucketed[j] >> 32) == jobKey; j++) {
                        for (int at = t; at < tableEnd; at++) {
                            if (pairCount == pairs.length) {
                                pairs = Arrays.copyOf(pairs, pairCount * 2);
                            }
                            pairs[pairCount++] = (bucketed[j] & 0xFFFFFFFFL) << 32 | (table[at] & 0xFFFFFFFFL);
                        }
                    }
                    t = tableEnd;
                }
            }
        }
        Arrays.sort(pairs, 0, pairCount);
        short[] historySignatures = history.signatures();
        int hashCount = parameters.hashCount();
        for (int p = 0; p < pairCount; p++) {
            if (p > 0 && pairs[p] == pairs[p - 1]) {
                continue;
            }
            int i = (int) (pairs[p] >>> 32);
            int row = (int) pairs[p];
            if ((match[i] < 0 || historyBefore(row, match[i]))
                    && matches(sorted[i].signature(), 0, historySignatures, row * hashCount) >= required) {
                match[i] = row;
            }
        }
        // documents with the same signature as a representative are in its component: they share its match
        return match;
    }

    private boolean historyBefore(int row, int other) {
        int order = history.rowId(row).compareTo(history.rowId(other));
        return order < 0 || order == 0 && row < other;
    }

    /**
     * The history segment of this job's publish: the kept documents for which {@code published} is
     * true (the rows actually written; a later step may have dropped some).
     */
    public synchronized NearHistory newSegment(Predicate<DocumentRank> published) {
        requireNonNull(published, "published is null");
        DedupDecisions decided = decide();
        Map<DocumentRank, Entry> byRank = new HashMap<>();
        entries.forEach(entry -> byRank.put(entry.rank(), entry));
        NearHistory.Builder builder = NearHistory.builder(parameters);
        for (Decision decision : decided.decisions()) {
            Entry entry = byRank.get(decision.rank());
            if (!decision.isDuplicate() && !entry.empty() && published.test(decision.rank())) {
                builder.add(decision.rank().rowId(), entry.signature(), entry.bandKeys());
            }
        }
        return builder.build();
    }

    static int matches(short[] first, int firstOffset, short[] second, int secondOffset, int length) {
        int equal = 0;
        for (int i = 0; i < length; i++) {
            if (first[firstOffset + i] == second[secondOffset + i]) {
                equal++;
            }
        }
        return equal;
    }

    private int matches(short[] first, int firstOffset, short[] second, int secondOffset) {
        return matches(first, firstOffset, second, secondOffset, parameters.hashCount());
    }

    static String clusterId(short[] signature, int offset, int length) {
        long hash = 0x636c7573746572L;
        for (int i = 0; i < length; i++) {
            hash = Long.rotateLeft((hash ^ (signature[offset + i] & 0xFFFF)) * 0x9E3779B97F4A7C15L, 27);
        }
        return HexFormat.of().toHexDigits(Murmur3.fmix64(hash));
    }

    private static int find(int[] parent, int node) {
        while (parent[node] != node) {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        return node;
    }

    /** Joins the components of {@code a} and {@code b}; the root is the smaller index (the smaller rank). */
    private static void union(int[] parent, int a, int b) {
        int rootA = find(parent, a);
        int rootB = find(parent, b);
        if (rootA < rootB) {
            parent[rootB] = rootA;
        }
        else if (rootB < rootA) {
            parent[rootA] = rootB;
        }
    }

    private record SignatureKey(short[] values) {
        @Override
        public boolean equals(Object other) {
            return other instanceof SignatureKey that && Arrays.equals(values, that.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }
}
