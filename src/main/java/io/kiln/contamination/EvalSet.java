package io.kiln.contamination;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An eval set as the contamination checks use it: a published snapshot of a Kiln table, its items'
 * ids in the snapshot's stable row order (an item's ordinal is its place in that order), the
 * n-gram index of its text column and, when asked for, its normalized vectors.
 *
 * <p>Immutable and thread-safe; built by {@link EvalSets}, which keeps it for the next job that
 * names the same snapshot.
 */
public final class EvalSet {
    private final String table;
    private final long snapshotId;
    private final Map<String, String> summary;
    private final List<String> ids;
    private final NgramIndex ngrams;
    private final Optional<ExactCosine> vectors;
    private final Optional<long[]> perceptualHashes;
    private final Optional<boolean[]> hashed;
    private final Optional<long[][]> landmarks;

    EvalSet(String table, long snapshotId, Map<String, String> summary, List<String> ids, NgramIndex ngrams, Optional<ExactCosine> vectors,
            Optional<long[]> perceptualHashes, Optional<boolean[]> hashed, Optional<long[][]> landmarks) {
        this.table = requireNonNull(table, "table is null");
        this.snapshotId = snapshotId;
        this.summary = Map.copyOf(summary);
        this.ids = List.copyOf(ids);
        this.ngrams = requireNonNull(ngrams, "ngrams is null");
        this.vectors = requireNonNull(vectors, "vectors is null");
        this.perceptualHashes = requireNonNull(perceptualHashes, "perceptualHashes is null");
        this.hashed = requireNonNull(hashed, "hashed is null");
        this.landmarks = requireNonNull(landmarks, "landmarks is null");
    }

    /** An audio match: the eval item and the Jaccard similarity of the two sounds' landmark sets. */
    public record AudioHit(int item, double similarity) {}

    /**
     * The eval items whose sound's landmarks ({@link AudioLandmarks}) have a Jaccard similarity of at
     * least {@code threshold} with {@code landmarks}, most similar first (then by ordinal); every item is
     * compared. Empty when the eval set was loaded without sounds.
     */
    public List<AudioHit> audioMatches(long[] landmarks, double threshold) {
        if (this.landmarks.isEmpty()) {
            return List.of();
        }
        List<AudioHit> hits = new java.util.ArrayList<>();
        long[][] items = this.landmarks.get();
        for (int item = 0; item < items.length; item++) {
            if (items[item] != null) {
                double similarity = io.kiln.dedup.MinHasher.jaccard(items[item], landmarks);
                if (similarity >= threshold) {
                    hits.add(new AudioHit(item, similarity));
                }
            }
        }
        hits.sort(java.util.Comparator.comparingDouble(AudioHit::similarity).reversed().thenComparingInt(AudioHit::item));
        return hits;
    }

    /** A perceptual-hash match: the eval item and how many of the 64 bits differ. */
    public record HashHit(int item, int distance) {}

    /**
     * The eval items whose 64-bit perceptual hash (an image's {@code phash}) is within {@code radius} bits
     * of {@code hash}, nearest first (then by ordinal); every item is compared, so the answer is exact.
     * Empty when the eval set was loaded without hashes.
     */
    public List<HashHit> perceptualMatches(long hash, int radius) {
        if (perceptualHashes.isEmpty()) {
            return List.of();
        }
        long[] hashes = perceptualHashes.get();
        boolean[] present = hashed.orElseThrow();
        List<HashHit> hits = new java.util.ArrayList<>();
        for (int item = 0; item < hashes.length; item++) {
            int distance = Long.bitCount(hashes[item] ^ hash);
            if (present[item] && distance <= radius) {
                hits.add(new HashHit(item, distance));
            }
        }
        hits.sort(java.util.Comparator.comparingInt(HashHit::distance).thenComparingInt(HashHit::item));
        return hits;
    }

    public String table() {
        return table;
    }

    public long snapshotId() {
        return snapshotId;
    }

    /** The eval snapshot's summary: its recipe and embedding model. */
    public Map<String, String> summary() {
        return summary;
    }

    public int items() {
        return ids.size();
    }

    /** The id of the item at {@code ordinal}. */
    public String id(int ordinal) {
        return ids.get(ordinal);
    }

    public List<String> ids() {
        return ids;
    }

    public NgramIndex ngrams() {
        return ngrams;
    }

    public Optional<ExactCosine> vectors() {
        return vectors;
    }

    /** How a training row names an eval item: {@code <table>/<id>}. */
    public String reference(int ordinal) {
        return table + "/" + ids.get(ordinal);
    }
}
