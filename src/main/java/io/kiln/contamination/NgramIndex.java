package io.kiln.contamination;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The word n-grams of an eval set, for finding its text in training data (the decontamination of GPT-3, Brown et
 * al. 2020, appendix C): the hash ({@link NgramText#ngramHash}) of every n-gram of every eval item, and for each
 * hash the items that have it. A hash that more than {@link #frequencyCap()} items share (boilerplate such as
 * "which of the following is correct") is dropped, so it matches nothing.
 *
 * <p>Built once per eval snapshot with a {@link #builder}, then {@link #write written} and {@link #read} back.
 * Immutable and thread-safe: any number of threads may {@link #match} at once.
 *
 * <p>Memory: 12 bytes per n-gram of every item while building, twice that during {@link Builder#build};
 * then about 21 bytes per kept n-gram (a table of twice as many 8-byte slots, and an offset) plus 4 per (n-gram,
 * item) pair.
 *
 * <p>File format, version 1, little-endian: the magic {@code "KILNNGRM"}, the version (int), n (int), the frequency
 * cap (int), the items (int), the kept n-grams K (long), the capped n-grams (long), the (n-gram, item) pairs P
 * (long), the CRC32C of the header so far (int); then the K hashes in ascending unsigned order (long each), K + 1
 * offsets into the pairs (int each), the P item ordinals (int each; those of hash {@code i} are
 * {@code [offsets[i], offsets[i + 1])}, ascending); last the CRC32C of everything before it (int). The same index
 * always gives the same bytes.
 */
public final class NgramIndex {
    static final long MAGIC = 0x4D52474E4E4C494BL; // "KILNNGRM" read as a little-endian long
    static final int VERSION = 1;
    static final int HEADER_BYTES = 8 + 4 * 4 + 3 * 8;
    /** The most distinct n-grams one index keeps: its table has twice as many slots, and Java arrays end at 2^31. */
    static final int MAX_NGRAMS = 1 << 29;
    private static final int[] NO_ITEMS = new int[0];
    private static final Match NO_NGRAMS = new Match(0, 0, NO_ITEMS, NO_ITEMS, NO_ITEMS);

    private final int n;
    private final int frequencyCap;
    private final int items;
    private final long cappedNgrams;
    private final int ngrams;
    private final boolean hasZeroHash;
    /** The ordered hash table: see {@link #slotsOf}. */
    private final long[] slots;
    private final int homes;
    /** Bit {@code s} is set when slot {@code s} holds a hash. */
    private final long[] occupied;
    /** The occupied slots before each block of 64 slots. */
    private final int[] occupiedBefore;
    /** By rank (the hash's place in ascending unsigned order): where its items start in {@link #itemOrdinals}. */
    private final int[] offsets;
    private final int[] itemOrdinals;
    private final long removeMultiplier;

    private NgramIndex(int n, int frequencyCap, int items, long cappedNgrams, long[] sortedHashes, int[] offsets, int[] itemOrdinals) {
        this.n = n;
        this.frequencyCap = frequencyCap;
        this.items = items;
        this.cappedNgrams = cappedNgrams;
        this.ngrams = sortedHashes.length;
        this.offsets = offsets;
        this.itemOrdinals = itemOrdinals;
        this.hasZeroHash = ngrams > 0 && sortedHashes[0] == 0;
        if (ngrams > MAX_NGRAMS) {
            throw new IllegalArgumentException("Cannot index %d n-grams: more than %d".formatted(ngrams, MAX_NGRAMS));
        }
        this.homes = 2 * Math.max(1, ngrams);
        this.slots = slotsOf(sortedHashes, hasZeroHash ? 1 : 0, homes);
        this.occupied = new long[slots.length >>> 6];
        this.occupiedBefore = new int[occupied.length];
        int before = 0;
        for (int block = 0; block < occupied.length; block++) {
            occupiedBefore[block] = before;
            long bits = 0;
            for (int bit = 0; bit < 64; bit++) {
                if (slots[block << 6 | bit] != 0) {
                    bits |= 1L << bit;
                }
            }
            occupied[block] = bits;
            before += Long.bitCount(bits);
        }
        this.removeMultiplier = NgramText.power(NgramText.NGRAM_MULTIPLIER, n - 1);
    }

    /** An index of these kept hashes (distinct, in ascending unsigned order) and their items; for tests of the table. */
    static NgramIndex of(int n, int frequencyCap, int items, long[] sortedHashes, int[] offsets, int[] itemOrdinals) {
        return new NgramIndex(n, frequencyCap, items, 0, sortedHashes, offsets, itemOrdinals);
    }

    /**
     * An ordered linear-probing table of the non-zero hashes (0 marks an empty slot; the hash 0 is kept aside): hash
     * {@code h}'s home slot is {@link #home}, which grows with {@code h} as unsigned, and the hashes, inserted in
     * ascending order, each take the first free slot from its home on. So the occupied slots hold the hashes in
     * ascending order (a slot's rank is the number of occupied slots before it), a lookup can stop at the first hash
     * above the one it seeks, and the table needs no values. The table never wraps around: it is as long as the last
     * slot used needs, plus at least one empty slot, rounded up to a multiple of 64. With {@code homes} twice the
     * hashes, the load is at most 0.5.
     */
    private static long[] slotsOf(long[] sortedHashes, int from, int homes) {
        int last = -1;
        for (int i = from; i < sortedHashes.length; i++) {
            last = Math.max(home(sortedHashes[i], homes), last + 1);
        }
        long[] slots = new long[(Math.max(homes, last + 2) + 63) & ~63];
        last = -1;
        for (int i = from; i < sortedHashes.length; i++) {
            last = Math.max(home(sortedHashes[i], homes), last + 1);
            slots[last] = sortedHashes[i];
        }
        return slots;
    }

    /** The home slot of a hash in [0, homes): its top 32 bits scaled to the table, so it grows with the hash. */
    private static int home(long hash, int homes) {
        return (int) ((hash >>> 32) * homes >>> 32);
    }

    /**
     * A builder of the index of word {@code n}-grams that drops the n-grams of more than {@code frequencyCap} items.
     * GPT-3 used n = 13 (and shorter n-grams for very short items, which is a choice of the caller).
     *
     * @throws IllegalArgumentException if n is not in [1, 64] or frequencyCap is below 1
     */
    public static Builder builder(int n, int frequencyCap) {
        return new Builder(n, frequencyCap);
    }

    public int n() {
        return n;
    }

    public int frequencyCap() {
        return frequencyCap;
    }

    /** The number of item ordinals: one more than the last item added, 0 when none was. */
    public int items() {
        return items;
    }

    /** The distinct n-gram hashes kept (those of at most {@link #frequencyCap()} items). */
    public long ngrams() {
        return ngrams;
    }

    /** The distinct n-gram hashes dropped because more than {@link #frequencyCap()} items have them. */
    public long cappedNgrams() {
        return cappedNgrams;
    }

    /** The items (ascending) that have the n-gram of this hash; empty if none does or it was capped. */
    public int[] itemsOf(long ngramHash) {
        int rank = rankOf(ngramHash);
        return rank < 0 ? NO_ITEMS : Arrays.copyOfRange(itemOrdinals, offsets[rank], offsets[rank + 1]);
    }

    /**
     * The n-grams of {@code text} that are in the index: how many, which items have them, and where they are in
     * the text. Allocates a few small buffers and the result (which is shared by texts without any match).
     */
    public Match match(String text) {
        requireNonNull(text, "text is null");
        NgramText.Cursor cursor = new NgramText.Cursor(text);
        int n = this.n;
        long[] ring = new long[n];
        int[] ringStarts = new int[n];
        Lookups lookups = new Lookups();
        int words = 0;
        long rolling = 0;
        int oldest = 0;
        while (cursor.next()) {
            rolling = (rolling - ring[oldest] * removeMultiplier) * NgramText.NGRAM_MULTIPLIER + cursor.hash;
            ring[oldest] = cursor.hash;
            ringStarts[oldest] = cursor.start;
            if (++oldest == n) {
                oldest = 0;
            }
            if (++words >= n && lookups.add(NgramText.fmix64(rolling), ringStarts[oldest], cursor.end)) {
                resolve(lookups);
            }
        }
        resolve(lookups);
        return lookups.toMatch(Math.max(0, words - n + 1));
    }

    /**
     * Looks the pending n-grams up in two passes: the first only reads each one's home slot, so that the reads, which
     * miss the caches on a large index, overlap instead of waiting for each other; the second finishes each lookup.
     */
    private void resolve(Lookups lookups) {
        long[] slots = this.slots;
        long[] hashes = lookups.hashes;
        long[] first = lookups.firstSlots;
        int[] homeSlots = lookups.homeSlots;
        int count = lookups.pending;
        for (int i = 0; i < count; i++) {
            int home = home(hashes[i], homes);
            homeSlots[i] = home;
            first[i] = slots[home];
        }
        for (int i = 0; i < count; i++) {
            long hash = hashes[i];
            long slotted = first[i];
            int rank;
            if (slotted == hash && hash != 0) {
                rank = rankOfSlot(homeSlots[i]);
            }
            else if (hash == 0 || slotted != 0 && Long.compareUnsigned(slotted, hash) < 0) {
                rank = rankOf(hash);
            }
            else {
                continue;
            }
            if (rank >= 0) {
                lookups.hit(i, offsets, rank, itemOrdinals);
            }
        }
        lookups.pending = 0;
    }

    /** The rank of a hash (its place among the kept hashes in ascending unsigned order), or -1 if it is not kept. */
    private int rankOf(long ngramHash) {
        if (ngramHash == 0) {
            return hasZeroHash ? 0 : -1;
        }
        long[] slots = this.slots;
        for (int slot = home(ngramHash, homes); ; slot++) {
            long slotted = slots[slot];
            if (slotted == ngramHash) {
                return rankOfSlot(slot);
            }
            if (slotted == 0 || Long.compareUnsigned(slotted, ngramHash) > 0) {
                return -1;
            }
        }
    }

    private int rankOfSlot(int slot) {
        int block = slot >>> 6;
        return (hasZeroHash ? 1 : 0) + occupiedBefore[block] + Long.bitCount(occupied[block] & (1L << slot) - 1);
    }

    /** The n-grams of one text waiting to be looked up, and what the lookups found so far. */
    private static final class Lookups {
        private static final int BATCH = 64;

        final long[] hashes = new long[BATCH];
        final long[] firstSlots = new long[BATCH];
        final int[] homeSlots = new int[BATCH];
        final int[] starts = new int[BATCH];
        final int[] ends = new int[BATCH];
        int pending;
        int matched;
        int[] hitItems = NO_ITEMS;
        int hitCount;
        int[] spanStarts = NO_ITEMS;
        int[] spanEnds = NO_ITEMS;
        int spans;

        /** Adds an n-gram and its char range; true when the batch is full. */
        boolean add(long hash, int start, int end) {
            hashes[pending] = hash;
            starts[pending] = start;
            ends[pending] = end;
            return ++pending == BATCH;
        }

        void hit(int pendingIndex, int[] offsets, int rank, int[] itemOrdinals) {
            matched++;
            int start = starts[pendingIndex];
            int end = ends[pendingIndex];
            if (spans > 0 && start <= spanEnds[spans - 1]) {
                spanEnds[spans - 1] = end;
            }
            else {
                if (spans == spanStarts.length) {
                    spanStarts = Arrays.copyOf(spanStarts, spans * 2 + 4);
                    spanEnds = Arrays.copyOf(spanEnds, spans * 2 + 4);
                }
                spanStarts[spans] = start;
                spanEnds[spans] = end;
                spans++;
            }
            int from = offsets[rank];
            int length = offsets[rank + 1] - from;
            if (hitCount + length > hitItems.length) {
                hitItems = Arrays.copyOf(hitItems, Math.max(hitItems.length * 2, hitCount + length + 8));
            }
            System.arraycopy(itemOrdinals, from, hitItems, hitCount, length);
            hitCount += length;
        }

        Match toMatch(int ngrams) {
            if (matched == 0) {
                return ngrams == 0 ? NO_NGRAMS : new Match(ngrams, 0, NO_ITEMS, NO_ITEMS, NO_ITEMS);
            }
            Arrays.sort(hitItems, 0, hitCount);
            int distinct = 0;
            for (int i = 0; i < hitCount; i++) {
                if (distinct == 0 || hitItems[distinct - 1] != hitItems[i]) {
                    hitItems[distinct++] = hitItems[i];
                }
            }
            return new Match(ngrams, matched, Arrays.copyOf(hitItems, distinct), Arrays.copyOf(spanStarts, spans), Arrays.copyOf(spanEnds, spans));
        }
    }

    /**
     * Writes the index to {@code file} atomically: to a temporary file in the same directory, forced to the disk,
     * then moved over {@code file}.
     *
     * @throws UncheckedIOException if it cannot be written
     */
    public void write(Path file) {
        requireNonNull(file, "file is null");
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = null;
        try {
            temporary = directory.resolve(".%s.%s.tmp".formatted(file.getFileName(), UUID.randomUUID()));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ChecksummedWriter out = new ChecksummedWriter(channel);
                out.putLong(MAGIC);
                out.putInt(VERSION);
                out.putInt(n);
                out.putInt(frequencyCap);
                out.putInt(items);
                out.putLong(ngrams);
                out.putLong(cappedNgrams);
                out.putLong(itemOrdinals.length);
                out.putChecksum();
                if (hasZeroHash) {
                    out.putLong(0);
                }
                for (long hash : slots) {
                    if (hash != 0) {
                        out.putLong(hash);
                    }
                }
                out.putInts(offsets);
                out.putInts(itemOrdinals);
                out.finish();
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write the n-gram index %s: %s".formatted(file, e.getMessage()), e);
        }
        finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                }
                catch (IOException ignored) {
                    // the write already failed; that is the error to report
                }
            }
        }
    }

    /**
     * Reads an index that {@link #write} wrote, checking its size, checksum and structure.
     *
     * @throws UncheckedIOException if the file cannot be read, is not an n-gram index of a known version, is
     *         truncated or corrupt; the message says which
     */
    public static NgramIndex read(Path file) {
        requireNonNull(file, "file is null");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_BYTES + 8) {
                throw corrupt("truncated: %d bytes, less than a header".formatted(size));
            }
            ChecksummedReader in = new ChecksummedReader(channel);
            long magic = in.getLong();
            if (magic != MAGIC) {
                throw corrupt("not an n-gram index (magic %016x)".formatted(magic));
            }
            int version = in.getInt();
            if (version != VERSION) {
                throw corrupt("unsupported format version %d (this build reads version %d): a newer Kiln wrote it, or it is corrupt".formatted(version, VERSION));
            }
            int n = in.getInt();
            int frequencyCap = in.getInt();
            int items = in.getInt();
            long kept = in.getLong();
            long capped = in.getLong();
            long pairs = in.getLong();
            int headerComputed = in.checksum();
            int headerStored = in.getInt();
            if (headerComputed != headerStored) {
                throw corrupt("corrupt header: CRC32C %08x, the file says %08x".formatted(headerComputed, headerStored));
            }
            if (n < 1 || n > 64 || frequencyCap < 1 || items < 0 || kept < 0 || kept > MAX_NGRAMS || capped < 0
                    || pairs < kept || pairs > Integer.MAX_VALUE - 8) {
                throw corrupt("corrupt header (n %d, frequency cap %d, items %d, n-grams %d, capped %d, pairs %d)"
                        .formatted(n, frequencyCap, items, kept, capped, pairs));
            }
            long expected = HEADER_BYTES + 4 + kept * 8 + (kept + 1) * 4 + pairs * 4 + 4;
            if (size != expected) {
                throw corrupt("%s: %d bytes, its header says %d".formatted(size < expected ? "truncated" : "trailing bytes", size, expected));
            }
            long[] hashes = in.getLongs((int) kept);
            int[] offsets = in.getInts((int) kept + 1);
            int[] itemOrdinals = in.getInts((int) pairs);
            int computed = in.checksum();
            int stored = in.getInt();
            if (computed != stored) {
                throw corrupt("corrupt: CRC32C %08x, the file says %08x".formatted(computed, stored));
            }
            checkStructure(frequencyCap, items, hashes, offsets, itemOrdinals);
            return new NgramIndex(n, frequencyCap, items, capped, hashes, offsets, itemOrdinals);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the n-gram index %s: %s".formatted(file, e.getMessage()), e);
        }
    }

    private static void checkStructure(int frequencyCap, int items, long[] hashes, int[] offsets, int[] itemOrdinals)
            throws IOException {
        if (offsets[0] != 0 || offsets[hashes.length] != itemOrdinals.length) {
            throw corrupt("corrupt: the offsets do not span the items");
        }
        for (int i = 0; i < hashes.length; i++) {
            if (i > 0 && Long.compareUnsigned(hashes[i - 1], hashes[i]) >= 0) {
                throw corrupt("corrupt: n-gram hashes not ascending at %d".formatted(i));
            }
            int from = offsets[i];
            int to = offsets[i + 1];
            if (to <= from || to - from > frequencyCap) {
                throw corrupt("corrupt: n-gram %d has %d items (frequency cap %d)".formatted(i, to - from, frequencyCap));
            }
            for (int j = from; j < to; j++) {
                if (itemOrdinals[j] < 0 || itemOrdinals[j] >= items || j > from && itemOrdinals[j - 1] >= itemOrdinals[j]) {
                    throw corrupt("corrupt: item ordinals of n-gram %d not ascending in [0, %d)".formatted(i, items));
                }
            }
        }
    }

    private static IOException corrupt(String detail) {
        return new IOException(detail);
    }

    /**
     * The n-grams of a text found in an index. {@code ngrams}: the n-grams of the text (words - n + 1, or 0);
     * {@code matchedNgrams}: how many of them are in the index; {@code items}: the eval items that have any of them,
     * ascending; {@code spanStarts}/{@code spanEnds}: the {@code char} ranges [start, end) of the text that matched
     * n-grams cover (from the first word's start to the last word's end), overlapping ranges merged, ascending. The
     * arrays are not copied: whoever holds them must not change them.
     */
    public record Match(int ngrams, int matchedNgrams, int[] items, int[] spanStarts, int[] spanEnds) {
        public Match {
            requireNonNull(items, "items is null");
            requireNonNull(spanStarts, "spanStarts is null");
            requireNonNull(spanEnds, "spanEnds is null");
            if (spanStarts.length != spanEnds.length) {
                throw new IllegalArgumentException("%d span starts but %d span ends".formatted(spanStarts.length, spanEnds.length));
            }
            if (matchedNgrams < 0 || matchedNgrams > ngrams) {
                throw new IllegalArgumentException("matchedNgrams %d is not in [0, ngrams %d]".formatted(matchedNgrams, ngrams));
            }
        }

        /** The share of the text's n-grams that are in the index; 0 for a text without n-grams. */
        public double score() {
            return ngrams == 0 ? 0 : matchedNgrams / (double) ngrams;
        }

        /** Whether any n-gram of the text is in the index. */
        public boolean matched() {
            return matchedNgrams > 0;
        }
    }

    /**
     * Collects the n-grams of the eval items, in the order of their ordinals. Not thread-safe; builds one index.
     */
    public static final class Builder {
        private final int n;
        private final int frequencyCap;
        private long[] pairHashes = new long[1024];
        private int[] pairItems = new int[1024];
        private int pairs;
        private int lastItem = -1;
        private boolean built;

        private Builder(int n, int frequencyCap) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("n must be in [1, 64], got %d".formatted(n));
            }
            if (frequencyCap < 1) {
                throw new IllegalArgumentException("frequencyCap must be at least 1, got %d".formatted(frequencyCap));
            }
            this.n = n;
            this.frequencyCap = frequencyCap;
        }

        /**
         * Adds the n-grams of eval item {@code item} (one that it has several times counts once). Items come in increasing order of their ordinals, each
         * once; an ordinal may be skipped (that item has no n-grams). A text of fewer than n words adds none.
         *
         * @throws IllegalArgumentException if {@code item} is negative or not above the last item added
         * @throws IllegalStateException if the index was already built
         */
        public Builder add(int item, String text) {
            requireNonNull(text, "text is null");
            if (built) {
                throw new IllegalStateException("Cannot add item %d: the index was already built".formatted(item));
            }
            if (item <= lastItem || item < 0) {
                throw new IllegalArgumentException("Cannot add item %d: items must be added once each, in increasing order (last was %d)"
                        .formatted(item, lastItem));
            }
            lastItem = item;
            NgramText.Words words = NgramText.words(text);
            long[] ngramHashes = NgramText.ngramHashes(words, n);
            int ngrams = ngramHashes.length;
            if (pairs + ngrams > pairHashes.length) {
                long grown = Math.max(pairs + (long) ngrams, pairHashes.length + ((long) pairHashes.length >> 1));
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("Cannot add item %d: more than %d (n-gram, item) pairs".formatted(item, Integer.MAX_VALUE - 8));
                }
                pairHashes = Arrays.copyOf(pairHashes, (int) grown);
                pairItems = Arrays.copyOf(pairItems, (int) grown);
            }
            // an n-gram repeated within the item is added again here and counted once in build()
            System.arraycopy(ngramHashes, 0, pairHashes, pairs, ngrams);
            Arrays.fill(pairItems, pairs, pairs + ngrams, item);
            pairs += ngrams;
            return this;
        }

        /**
         * The index of the items added. The builder cannot be used afterwards.
         *
         * @throws IllegalStateException if the index was already built
         */
        public NgramIndex build() {
            if (built) {
                throw new IllegalStateException("The index was already built");
            }
            built = true;
            long[] sortedHashes = pairHashes;
            int[] sortedItems = pairItems;
            pairHashes = null;
            pairItems = null;
            if (pairs > 0) {
                radixSort(sortedHashes, sortedItems, pairs);
            }
            int kept = 0;
            int keptPairs = 0;
            long capped = 0;
            // Compacted in place: kept hashes and their items never overtake the pair being read. The sort kept each
            // hash's items in the order added, ascending, so an item that has an n-gram twice has it in adjacent pairs.
            int[] offsets = new int[countDistinct(sortedHashes, pairs) + 1];
            for (int from = 0; from < pairs; ) {
                long hash = sortedHashes[from];
                int distinctItems = 1;
                int to = from + 1;
                for (; to < pairs && sortedHashes[to] == hash; to++) {
                    if (sortedItems[to] != sortedItems[to - 1]) {
                        distinctItems++;
                    }
                }
                if (distinctItems > frequencyCap) {
                    capped++;
                }
                else {
                    sortedHashes[kept] = hash;
                    offsets[kept] = keptPairs;
                    for (int pair = from; pair < to; pair++) {
                        if (pair == from || sortedItems[pair] != sortedItems[pair - 1]) {
                            sortedItems[keptPairs++] = sortedItems[pair];
                        }
                    }
                    kept++;
                }
                from = to;
            }
            offsets[kept] = keptPairs;
            return new NgramIndex(n, frequencyCap, lastItem + 1, capped, Arrays.copyOf(sortedHashes, kept), Arrays.copyOf(offsets, kept + 1),
                    Arrays.copyOf(sortedItems, keptPairs));
        }

        private static int countDistinct(long[] sorted, int length) {
            int distinct = 0;
            for (int i = 0; i < length; i++) {
                if (i == 0 || sorted[i] != sorted[i - 1]) {
                    distinct++;
                }
            }
            return distinct;
        }

        /**
         * Sorts the first {@code length} pairs by hash as unsigned, stably (so each hash's items stay in the order added):
         * a radix sort on the top 11 bits into 2,048 buckets, then each bucket, which fits the caches, by a least
         * significant digit first radix sort on the other bits, 11 at a time (an insertion sort when it is small).
         */
        private static void radixSort(long[] hashes, int[] items, int length) {
            if (length < SMALL) {
                insertionSort(hashes, items, 0, length);
                return;
            }
            long[] bufferHashes = new long[length];
            int[] bufferItems = new int[length];
            int[] bucketStarts = new int[DIGITS + 1];
            for (int i = 0; i < length; i++) {
                bucketStarts[(int) (hashes[i] >>> 64 - DIGIT_BITS) + 1]++;
            }
            int largest = 0;
            for (int digit = 0; digit < DIGITS; digit++) {
                largest = Math.max(largest, bucketStarts[digit + 1]);
                bucketStarts[digit + 1] += bucketStarts[digit];
            }
            int[] next = Arrays.copyOf(bucketStarts, DIGITS);
            for (int i = 0; i < length; i++) {
                int at = next[(int) (hashes[i] >>> 64 - DIGIT_BITS)]++;
                bufferHashes[at] = hashes[i];
                bufferItems[at] = items[i];
            }
            long[] scratchHashes = new long[largest];
            int[] scratchItems = new int[largest];
            long[] otherHashes = new long[largest];
            int[] otherItems = new int[largest];
            int[] counts = new int[DIGITS];
            for (int digit = 0; digit < DIGITS; digit++) {
                int from = bucketStarts[digit];
                int size = bucketStarts[digit + 1] - from;
                if (size < SMALL) {
                    System.arraycopy(bufferHashes, from, hashes, from, size);
                    System.arraycopy(bufferItems, from, items, from, size);
                    insertionSort(hashes, items, from, from + size);
                    continue;
                }
                // bits 0 to 54 in five passes; the bucket's hashes share bits 53 to 63
                countingPass(bufferHashes, bufferItems, from, scratchHashes, scratchItems, 0, size, 0, counts);
                countingPass(scratchHashes, scratchItems, 0, otherHashes, otherItems, 0, size, 11, counts);
                countingPass(otherHashes, otherItems, 0, scratchHashes, scratchItems, 0, size, 22, counts);
                countingPass(scratchHashes, scratchItems, 0, otherHashes, otherItems, 0, size, 33, counts);
                countingPass(otherHashes, otherItems, 0, hashes, items, from, size, 44, counts);
            }
        }

        private static final int DIGIT_BITS = 11;
        private static final int DIGITS = 1 << DIGIT_BITS;
        private static final int SMALL = 64;

        /** Moves {@code size} pairs from source to target, stably ordered by the 11-bit digit at {@code shift}. */
        private static void countingPass(long[] sourceHashes, int[] sourceItems, int sourceFrom, long[] targetHashes, int[] targetItems,
                int targetFrom, int size, int shift, int[] counts) {
            Arrays.fill(counts, 0);
            for (int i = sourceFrom; i < sourceFrom + size; i++) {
                counts[(int) (sourceHashes[i] >>> shift) & DIGITS - 1]++;
            }
            int sum = targetFrom;
            for (int digit = 0; digit < DIGITS; digit++) {
                int count = counts[digit];
                counts[digit] = sum;
                sum += count;
            }
            for (int i = sourceFrom; i < sourceFrom + size; i++) {
                int at = counts[(int) (sourceHashes[i] >>> shift) & DIGITS - 1]++;
                targetHashes[at] = sourceHashes[i];
                targetItems[at] = sourceItems[i];
            }
        }

        private static void insertionSort(long[] hashes, int[] items, int from, int to) {
            for (int i = from + 1; i < to; i++) {
                long hash = hashes[i];
                int item = items[i];
                int at = i;
                while (at > from && Long.compareUnsigned(hashes[at - 1], hash) > 0) {
                    hashes[at] = hashes[at - 1];
                    items[at] = items[at - 1];
                    at--;
                }
                hashes[at] = hash;
                items[at] = item;
            }
        }
    }

    /** Writes little-endian values through a buffer, keeping the CRC32C of every byte written. */
    private static final class ChecksummedWriter {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();

        ChecksummedWriter(FileChannel channel) {
            this.channel = channel;
        }

        void putInt(int value) throws IOException {
            ensure(4);
            buffer.putInt(value);
        }

        void putLong(long value) throws IOException {
            ensure(8);
            buffer.putLong(value);
        }

        void putInts(int[] values) throws IOException {
            for (int at = 0; at < values.length; ) {
                ensure(4);
                int count = Math.min(buffer.remaining() / 4, values.length - at);
                buffer.asIntBuffer().put(values, at, count);
                buffer.position(buffer.position() + count * 4);
                at += count;
            }
        }

        /** Writes the CRC32C of every byte before it; it counts in later checksums. */
        void putChecksum() throws IOException {
            flush();
            buffer.putInt((int) crc.getValue());
        }

        /** Writes the CRC32C of every byte before it and flushes. */
        void finish() throws IOException {
            putChecksum();
            flush();
        }

        private void ensure(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        private void flush() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }
    }

    /** Reads little-endian values through a buffer, keeping the CRC32C of every byte read. */
    private static final class ChecksummedReader {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();
        private int checksummedUpTo;

        ChecksummedReader(FileChannel channel) {
            this.channel = channel;
            buffer.limit(0);
        }

        int getInt() throws IOException {
            fill(4);
            return buffer.getInt();
        }

        long getLong() throws IOException {
            fill(8);
            return buffer.getLong();
        }

        long[] getLongs(int length) throws IOException {
            long[] values = new long[length];
            for (int at = 0; at < length; ) {
                fill(8);
                int count = Math.min(buffer.remaining() / 8, length - at);
                buffer.asLongBuffer().get(values, at, count);
                buffer.position(buffer.position() + count * 8);
                at += count;
            }
            return values;
        }

        int[] getInts(int length) throws IOException {
            int[] values = new int[length];
            for (int at = 0; at < length; ) {
                fill(4);
                int count = Math.min(buffer.remaining() / 4, length - at);
                buffer.asIntBuffer().get(values, at, count);
                buffer.position(buffer.position() + count * 4);
                at += count;
            }
            return values;
        }

        /** The CRC32C of every byte read so far. */
        int checksum() {
            int position = buffer.position();
            ByteBuffer consumed = buffer.duplicate();
            consumed.position(checksummedUpTo).limit(position);
            crc.update(consumed);
            checksummedUpTo = position;
            return (int) crc.getValue();
        }

        /** Makes at least {@code bytes} bytes available, checksumming those consumed before they leave the buffer. */
        private void fill(int bytes) throws IOException {
            if (buffer.remaining() >= bytes) {
                return;
            }
            checksum();
            buffer.compact();
            checksummedUpTo = 0;
            while (buffer.position() < bytes) {
                if (channel.read(buffer) < 0) {
                    throw new IOException("truncated: the file ended early");
                }
            }
            // read as much as there is room for, so bulk reads move large chunks
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // keep reading
            }
            buffer.flip();
        }
    }
}
