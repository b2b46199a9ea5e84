package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The exact-dedup keys of rows already published in a table: row id and {@link ContentKey} per row,
 * sorted by key. Immutable and thread-safe once built.
 *
 * <p>Persistent form ({@link #writeTo}, {@link #read}): one segment per publish, the segments of a
 * table appended to one file (or kept as files read one after the other) and loaded together.
 * Segment body: row ids (count, a varint length per id, the UTF-8 bytes), then per row the key
 * (two longs), in key order: 16 bytes plus the id's length plus one per row. In memory the same
 * arrays: 16 bytes per row plus the id's UTF-8 bytes and a 4-byte offset.
 */
public final class ExactHistory {
    private static final ExactHistory EMPTY = new ExactHistory(RowIds.of(), new long[0], new long[0]);
    private final RowIds rowIds;
    private final long[] high;
    private final long[] low;

    private ExactHistory(RowIds rowIds, long[] high, long[] low) {
        this.rowIds = rowIds;
        this.high = high;
        this.low = low;
    }

    public static ExactHistory empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return high.length;
    }

    /** Heap bytes of the arrays (object headers included, this object's own few fields not). */
    public long heapBytes() {
        return rowIds.heapBytes() + 32L + 16L * high.length;
    }

    /** The row id of the published row with {@code key} (the least, if several have it). */
    public Optional<String> rowWith(ContentKey key) {
        int at = firstWith(key);
        return at < 0 ? Optional.empty() : Optional.of(survivorFrom(at, key));
    }

    int firstWith(ContentKey key) {
        int lowIndex = 0;
        int highIndex = high.length;
        while (lowIndex < highIndex) {
            int middle = (lowIndex + highIndex) >>> 1;
            if (compare(high[middle], low[middle], key.high(), key.low()) < 0) {
                lowIndex = middle + 1;
            }
            else {
                highIndex = middle;
            }
        }
        return lowIndex < high.length && high[lowIndex] == key.high() && low[lowIndex] == key.low() ? lowIndex : -1;
    }

    private String survivorFrom(int first, ContentKey key) {
        String least = rowIds.get(first);
        for (int i = first + 1; i < high.length && high[i] == key.high() && low[i] == key.low(); i++) {
            String candidate = rowIds.get(i);
            if (candidate.compareTo(least) < 0) {
                least = candidate;
            }
        }
        return least;
    }

    /** The histories as one, in key order (for segments loaded one by one). */
    public static ExactHistory merge(List<ExactHistory> parts) {
        ExactHistory merged = EMPTY;
        for (ExactHistory part : parts) {
            merged = merged.size() == 0 ? part : merge(merged, part);
        }
        return merged;
    }

    private static ExactHistory merge(ExactHistory a, ExactHistory b) {
        int total = a.size() + b.size();
        long[] high = new long[total];
        long[] low = new long[total];
        RowIds.Builder ids = new RowIds.Builder();
        int i = 0;
        int j = 0;
        for (int k = 0; k < total; k++) {
            boolean fromA = j >= b.size() || i < a.size() && compare(a.high[i], a.low[i], b.high[j], b.low[j]) <= 0;
            ExactHistory source = fromA ? a : b;
            int at = fromA ? i++ : j++;
            high[k] = source.high[at];
            low[k] = source.low[at];
            source.rowIds.appendTo(ids, at);
        }
        return new ExactHistory(ids.build(), high, low);
    }

    /** Writes this history as one segment. */
    public void writeTo(OutputStream out) throws IOException {
        requireNonNull(out, "out is null");
        SegmentFormat.write(out, SegmentFormat.EXACT, data -> {
            rowIds.write(data);
            for (int i = 0; i < high.length; i++) {
                data.writeLong(high[i]);
                data.writeLong(low[i]);
            }
        });
    }

    /** Reads every segment in {@code in} (up to its end) and merges them. */
    public static ExactHistory read(InputStream in) throws IOException {
        requireNonNull(in, "in is null");
        return merge(SegmentFormat.readAll(in, SegmentFormat.EXACT, ExactHistory::readBody));
    }

    private static ExactHistory readBody(DataInputStream in) throws IOException {
        RowIds rowIds = RowIds.read(in);
        long[] high = new long[rowIds.size()];
        long[] low = new long[rowIds.size()];
        for (int i = 0; i < high.length; i++) {
            high[i] = in.readLong();
            low[i] = in.readLong();
            if (i > 0 && compare(high[i - 1], low[i - 1], high[i], low[i]) > 0) {
                throw new IOException("Corrupt dedup segment: keys out of order at row " + i);
            }
        }
        return new ExactHistory(rowIds, high, low);
    }

    private static int compare(long highA, long lowA, long highB, long lowB) {
        int byHigh = Long.compare(highA, highB);
        return byHigh != 0 ? byHigh : Long.compare(lowA, lowB);
    }

    /** Collects (row id, key) pairs, in any order. Not thread-safe. */
    public static final class Builder {
        private record Entry(ContentKey key, String rowId) {
        }

        private final List<Entry> entries = new ArrayList<>();

        public Builder add(String rowId, ContentKey key) {
            entries.add(new Entry(requireNonNull(key, "key is null"), requireNonNull(rowId, "rowId is null")));
            return this;
        }

        public ExactHistory build() {
            Entry[] sorted = entries.toArray(new Entry[0]);
            Arrays.sort(sorted, Comparator.comparing(Entry::key).thenComparing(Entry::rowId));
            long[] high = new long[sorted.length];
            long[] low = new long[sorted.length];
            RowIds.Builder ids = new RowIds.Builder();
            for (int i = 0; i < sorted.length; i++) {
                high[i] = sorted[i].key().high();
                low[i] = sorted[i].key().low();
                ids.add(sorted[i].rowId());
            }
            return new ExactHistory(ids.build(), high, low);
        }
    }
}
