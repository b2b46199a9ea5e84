package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Near-duplicate deduplication of 64-bit perceptual hashes by Hamming distance, for one job against
 * itself and the table's history.
 *
 * <p>The rule: first occurrence wins, and no chain of resemblances drops a row. The job's rows are
 * taken in {@link DocumentRank} order; a row within {@code radius} bits of a published row (history)
 * is a {@link Decision.Verdict#DUPLICATE_OF_HISTORY} of the nearest one; otherwise a row within
 * {@code radius} of a row this job keeps is a {@link Decision.Verdict#DUPLICATE_IN_JOB} of the
 * nearest such; otherwise it is kept and later rows are compared with it. A dropped row is therefore
 * always near the row named as its survivor, and equal hashes (the same pixels) always count. Ties
 * go to the smaller row id (history) or rank (the job). The decisions depend only on the set of
 * (rank, hash) pairs added, never on order, threads or batches.
 *
 * <p>The search is multi-index hashing: the 64 bits are four 16-bit chunks, and two hashes within
 * {@code radius} agree within {@code radius / 4} bits on at least one chunk (pigeonhole), so a
 * query probes, in each chunk's table of 65,536 buckets, the buckets within that distance of its
 * own chunk, and compares only the hashes found there. Memory: 24 bytes per hash plus its row id,
 * and 1 MiB of bucket heads.
 */
public final class HammingIndex {
    public static final int MAX_RADIUS = 15;
    private static final int CHUNKS = 4;

    private final int radius;
    private final int[] probes;
    private final int[][] heads = new int[CHUNKS][1 << 16];
    private int[][] next = new int[CHUNKS][1024];
    private long[] hashes = new long[1024];
    private int size;
    private RowIds historyIds = RowIds.of();
    private int historySize;
    private final List<DocumentRank> kept = new ArrayList<>();
    private final List<DocumentRank> ranks = new ArrayList<>();
    private long[] jobHashes = new long[1024];
    private DedupDecisions decisions;

    public HammingIndex(int radius) {
        if (radius < 0 || radius > MAX_RADIUS) {
            throw new IllegalArgumentException("radius must be between 0 and " + MAX_RADIUS + ", was " + radius);
        }
        this.radius = radius;
        this.probes = masksWithin(radius / CHUNKS);
        for (int[] head : heads) {
            Arrays.fill(head, -1);
        }
    }

    /** Every 16-bit mask with at most {@code bits} bits set. */
    private static int[] masksWithin(int bits) {
        return java.util.stream.IntStream.range(0, 1 << 16).filter(mask -> Integer.bitCount(mask) <= bits).toArray();
    }

    /** Loads the published hashes: every segment in {@code segments}, to its end. Call once, before any {@link #add}. */
    public synchronized void loadHistory(InputStream segments) throws IOException {
        requireNonNull(segments, "segments is null");
        if (size > 0 || !ranks.isEmpty()) {
            throw new IllegalStateException("Cannot load history after hashes were added");
        }
        List<Segment> parts = SegmentFormat.readAll(segments, SegmentFormat.HAMMING, HammingIndex::readBody);
        RowIds[] ids = new RowIds[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            ids[i] = parts.get(i).ids();
            for (long hash : parts.get(i).hashes()) {
                insert(hash);
            }
        }
        historyIds = RowIds.concat(ids);
        historySize = size;
    }

    /** Adds a row of this job. Thread-safe. */
    public synchronized void add(DocumentRank rank, long hash) {
        requireNonNull(rank, "rank is null");
        if (decisions != null) {
            throw new IllegalStateException("Cannot add " + rank + ": decisions were already made");
        }
        if (ranks.size() == jobHashes.length) {
            jobHashes = Arrays.copyOf(jobHashes, jobHashes.length * 2);
        }
        jobHashes[ranks.size()] = hash;
        ranks.add(rank);
    }

    public synchronized int size() {
        return ranks.size();
    }

    public synchronized long heapBytes() {
        return (1L << 16) * 4 * CHUNKS + (long) hashes.length * (8 + 4 * CHUNKS) + historyIds.heapBytes() + 100L * ranks.size();
    }

    /** Decides for every row added, once; later calls return the same decisions. @throws IllegalArgumentException if two rows have the same rank */
    public synchronized DedupDecisions decide() {
        if (decisions != null) {
            return decisions;
        }
        Integer[] order = new Integer[ranks.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> ranks.get(a).compareTo(ranks.get(b)));
        List<Decision> result = new ArrayList<>(order.length);
        for (int k = 0; k < order.length; k++) {
            DocumentRank rank = ranks.get(order[k]);
            if (k > 0 && rank.compareTo(ranks.get(order[k - 1])) == 0) {
                throw new IllegalArgumentException("Two rows have the rank " + rank);
            }
            long hash = jobHashes[order[k]];
            Match match = nearest(hash);
            if (match == null) {
                insert(hash);
                kept.add(rank);
                result.add(Decision.keep(rank, Optional.empty()));
                continue;
            }
            boolean history = match.slot < historySize;
            String survivor = history ? historyIds.get(match.slot) : kept.get(match.slot - historySize).rowId();
            result.add(new Decision(rank, history ? Decision.Verdict.DUPLICATE_OF_HISTORY : Decision.Verdict.DUPLICATE_IN_JOB, Optional.of(survivor),
                    Optional.of("%016x".formatted(hashes[match.slot])), 1.0 - match.distance / 64.0));
        }
        decisions = new DedupDecisions(result);
        return decisions;
    }

    private record Match(int slot, int distance) {
    }

    /** The nearest indexed hash within the radius: history before the job's, then the smaller distance, then the earlier slot. */
    private Match nearest(long hash) {
        Match best = null;
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            int key = chunk(hash, chunk);
            for (int mask : probes) {
                for (int slot = heads[chunk][key ^ mask]; slot >= 0; slot = next[chunk][slot]) {
                    int distance = Long.bitCount(hash ^ hashes[slot]);
                    if (distance <= radius && (best == null || better(slot, distance, best))) {
                        best = new Match(slot, distance);
                    }
                }
            }
        }
        return best;
    }

    private boolean better(int slot, int distance, Match best) {
        boolean history = slot < historySize;
        boolean bestHistory = best.slot < historySize;
        if (history != bestHistory) {
            return history;
        }
        if (distance != best.distance) {
            return distance < best.distance;
        }
        if (history) {
            return historyIds.get(slot).compareTo(historyIds.get(best.slot)) < 0;
        }
        return slot < best.slot;
    }

    private void insert(long hash) {
        if (size == hashes.length) {
            hashes = Arrays.copyOf(hashes, size * 2);
            for (int chunk = 0; chunk < CHUNKS; chunk++) {
                next[chunk] = Arrays.copyOf(next[chunk], size * 2);
            }
        }
        hashes[size] = hash;
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            int key = chunk(hash, chunk);
            next[chunk][size] = heads[chunk][key];
            heads[chunk][key] = size;
        }
        size++;
    }

    private static int chunk(long hash, int chunk) {
        return (int) (hash >>> (16 * chunk)) & 0xffff;
    }

    /** Writes the rows this job keeps, with their hashes, as one segment for later jobs. Call after {@link #decide()}. */
    public synchronized void writeSegment(OutputStream out) throws IOException {
        requireNonNull(out, "out is null");
        decide();
        RowIds.Builder ids = new RowIds.Builder();
        kept.forEach(rank -> ids.add(rank.rowId()));
        RowIds keptIds = ids.build();
        SegmentFormat.write(out, SegmentFormat.HAMMING, data -> {
            keptIds.write(data);
            for (int i = 0; i < kept.size(); i++) {
                data.writeLong(hashes[historySize + i]);
            }
        });
    }

    private record Segment(RowIds ids, long[] hashes) {
    }

    private static Segment readBody(DataInputStream in) throws IOException {
        RowIds ids = RowIds.read(in);
        long[] hashes = new long[ids.size()];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = in.readLong();
        }
        return new Segment(ids, hashes);
    }
}
