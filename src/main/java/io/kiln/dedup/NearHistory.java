package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The near-dedup entries of rows already published in a table: per row its id, its signature
 * (16 bits kept per MinHash value, see below) and its LSH band keys, with one table per band of
 * (band key, row index) pairs sorted by key, for lookups by band key. Immutable and thread-safe.
 *
 * <p>Why 16 bits per MinHash value: two different values agree on their top 16 bits with
 * probability 2⁻¹⁶, so the estimated similarity is biased up by at most {@code (1-J)/65536}, far
 * below the estimate's own resolution ({@code 1/hashCount}); band keys are computed from the full
 * 64-bit values before truncation.
 *
 * <p>Memory: {@code 2 * hashCount} bytes of signature plus {@code 8 * bands} bytes of band tables
 * per row, plus the row id's UTF-8 bytes and a 4-byte offset (defaults: 224 + 112 = 336 bytes + id).
 * Persistent form, one segment per publish (see {@link ExactHistory}): the parameters, the row ids,
 * the signatures and the band keys per row ({@code 2 * hashCount + 4 * bands} = 280 bytes + id with
 * the defaults); the sorted band tables are rebuilt when segments are loaded.
 *
 * <p>Limit: one history holds at most {@code (2^31 - 16) / hashCount} rows (19 M with the defaults).
 */
public final class NearHistory {
    private final NearDuplicateParameters parameters;
    private final RowIds rowIds;
    private final short[] signatures;
    private final long[][] bandTables;

    private NearHistory(NearDuplicateParameters parameters, RowIds rowIds, short[] signatures, long[][] bandTables) {
        this.parameters = parameters;
        this.rowIds = rowIds;
        this.signatures = signatures;
        this.bandTables = bandTables;
    }

    public static NearHistory empty(NearDuplicateParameters parameters) {
        return new Builder(parameters).build();
    }

    public static Builder builder(NearDuplicateParameters parameters) {
        return new Builder(parameters);
    }

    public NearDuplicateParameters parameters() {
        return parameters;
    }

    public int size() {
        return rowIds.size();
    }

    /** Heap bytes of the arrays (object headers included). */
    public long heapBytes() {
        long bytes = rowIds.heapBytes() + 16L + 2L * signatures.length + 16L + 16L * bandTables.length;
        for (long[] table : bandTables) {
            bytes += 8L * table.length;
        }
        return bytes;
    }

    String rowId(int index) {
        return rowIds.get(index);
    }

    short[] signatures() {
        return signatures;
    }

    int hashCount() {
        return parameters.hashCount();
    }

    /** The sorted table of band {@code band}: {@code key << 32 | row index}. */
    long[] bandTable(int band) {
        return bandTables[band];
    }

    /** Index of the first entry of {@code table} with band key {@code key}, or the table's length. */
    static int firstWithKey(long[] table, int key) {
        return firstWithKey(table, key, 0);
    }

    /** Like {@link #firstWithKey(long[], int)}, searching from {@code from} on: galloping, then binary search. */
    static int firstWithKey(long[] table, int key, int from) {
        long target = (long) key << 32;
        int step = 1;
        int low = from;
        while (low + step < table.length && table[low + step] < target) {
            low += step;
            step <<= 1;
        }
        int high = Math.min(table.length, low + step);
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (table[middle] < target) {
                low = middle + 1;
            }
            else {
                high = middle;
            }
        }
        return low;
    }

    /** The histories as one (for segments loaded one by one); all must have compatible parameters. */
    public static NearHistory merge(NearDuplicateParameters parameters, List<NearHistory> parts) {
        requireNonNull(parameters, "parameters is null");
        int total = 0;
        for (NearHistory part : parts) {
            if (!part.parameters.isCompatibleWith(parameters)) {
                throw new IllegalArgumentException("Cannot merge near-dedup history made with %s into one made with %s".formatted(part.parameters, parameters));
            }
            total += part.size();
        }
        if (parts.size() == 1) {
            return parts.get(0).withParameters(parameters);
        }
        int hashCount = parameters.hashCount();
        checkCapacity(total, hashCount);
        short[] signatures = new short[total * hashCount];
        long[][] tables = new long[parameters.bands()][total];
        List<RowIds> ids = new ArrayList<>();
        int offset = 0;
        for (NearHistory part : parts) {
            System.arraycopy(part.signatures, 0, signatures, offset * hashCount, part.signatures.length);
            for (int band = 0; band < tables.length; band++) {
                long[] source = part.bandTables[band];
                for (int i = 0; i < source.length; i++) {
                    tables[band][offset + i] = source[i] + offset;
                }
            }
            ids.add(part.rowIds);
            offset += part.size();
        }
        for (long[] table : tables) {
            Arrays.sort(table);
        }
        return new NearHistory(parameters, RowIds.concat(ids.toArray(new RowIds[0])), signatures, tables);
    }

    private NearHistory withParameters(NearDuplicateParameters newParameters) {
        return new NearHistory(newParameters, rowIds, signatures, bandTables);
    }

    /** Writes this history as one segment. */
    public void writeTo(OutputStream out) throws IOException {
        requireNonNull(out, "out is null");
        int bands = parameters.bands();
        int[] bandKeys = new int[size() * bands];
        for (int band = 0; band < bands; band++) {
            for (long entry : bandTables[band]) {
                bandKeys[(int) entry * bands + band] = (int) (entry >> 32);
            }
        }
        SegmentFormat.write(out, SegmentFormat.NEAR, data -> {
            data.writeByte(parameters.shingling().ordinal());
            data.writeInt(parameters.shingleSize());
            data.writeInt(parameters.hashCount());
            data.writeInt(parameters.bands());
            data.writeLong(parameters.seed());
            rowIds.write(data);
            for (short value : signatures) {
                data.writeShort(value);
            }
            for (int key : bandKeys) {
                data.writeInt(key);
            }
        });
    }

    /**
     * Reads every segment in {@code in} (up to its end) and merges them.
     *
     * @throws IllegalArgumentException if a segment was made with parameters incompatible with
     *     {@code parameters} (another shingling, shingle size, hash count, bands or seed)
     */
    public static NearHistory read(InputStream in, NearDuplicateParameters parameters) throws IOException {
        requireNonNull(in, "in is null");
        requireNonNull(parameters, "parameters is null");
        // version 2 of dedup-near follows each segment with its rows' shingle sets, which this reading leaves out
        List<NearHistory> segments = SegmentFormat.readAll(in, (kind, data) -> switch (kind) {
            case SegmentFormat.NEAR -> readBody(data, parameters);
            case SegmentFormat.SHINGLES -> ShingleSets.skip(data);
            default -> throw new IOException("kind '%c', expected '%c'".formatted((char) kind, (char) SegmentFormat.NEAR));
        });
        return segments.isEmpty() ? empty(parameters) : merge(parameters, segments);
    }

    static NearHistory readBody(DataInputStream in, NearDuplicateParameters expected) throws IOException {
        int shingling = in.readUnsignedByte();
        if (shingling >= Shingling.values().length) {
            throw new IOException("Corrupt dedup segment: shingling " + shingling);
        }
        NearDuplicateParameters stored = new NearDuplicateParameters(Shingling.values()[shingling], in.readInt(), in.readInt(), in.readInt(), expected.threshold(), in.readLong());
        if (!stored.isCompatibleWith(expected)) {
            throw new IllegalArgumentException("Cannot use near-dedup history made with %s for %s: rebuild the history".formatted(stored, expected));
        }
        RowIds rowIds = RowIds.read(in);
        int count = rowIds.size();
        short[] signatures = new short[count * stored.hashCount()];
        for (int i = 0; i < signatures.length; i++) {
            signatures[i] = in.readShort();
        }
        int bands = stored.bands();
        long[][] tables = new long[bands][count];
        for (int row = 0; row < count; row++) {
            for (int band = 0; band < bands; band++) {
                tables[band][row] = (long) in.readInt() << 32 | row;
            }
        }
        for (long[] table : tables) {
            Arrays.sort(table);
        }
        return new NearHistory(stored, rowIds, signatures, tables);
    }

    /** Collects (row id, signature) pairs, in any order; empty signatures are left out. Not thread-safe. */
    public static final class Builder {
        private final NearDuplicateParameters parameters;
        private final LshBands lshBands;
        private final RowIds.Builder rowIds = new RowIds.Builder();
        private short[] signatures;
        private long[][] tables;
        private int count;

        private Builder(NearDuplicateParameters parameters) {
            this.parameters = requireNonNull(parameters, "parameters is null");
            this.lshBands = parameters.lshBands();
            this.signatures = new short[16 * parameters.hashCount()];
            this.tables = new long[parameters.bands()][16];
        }

        public Builder add(String rowId, long[] signature) {
            requireNonNull(rowId, "rowId is null");
            requireNonNull(signature, "signature is null");
            if (MinHasher.isEmpty(signature)) {
                return this;
            }
            return add(rowId, compact(signature), lshBands.bandKeys(signature));
        }

        Builder add(String rowId, short[] compactSignature, int[] bandKeys) {
            int hashCount = parameters.hashCount();
            if (compactSignature.length != hashCount) {
                throw new IllegalArgumentException("Cannot add a signature of %d hashes to a history of %d".formatted(compactSignature.length, hashCount));
            }
            if ((long) (count + 1) * hashCount > signatures.length) {
                checkCapacity(count + 1L, hashCount);
                int rows = (int) Math.min(2L * count, (Integer.MAX_VALUE - 16) / hashCount);
                signatures = Arrays.copyOf(signatures, rows * hashCount);
                for (int band = 0; band < tables.length; band++) {
                    tables[band] = Arrays.copyOf(tables[band], rows);
                }
            }
            System.arraycopy(compactSignature, 0, signatures, count * hashCount, hashCount);
            for (int band = 0; band < tables.length; band++) {
                tables[band][count] = (long) bandKeys[band] << 32 | count;
            }
            rowIds.add(rowId);
            count++;
            return this;
        }

        public NearHistory build() {
            long[][] sorted = new long[tables.length][];
            for (int band = 0; band < tables.length; band++) {
                sorted[band] = Arrays.copyOf(tables[band], count);
                Arrays.sort(sorted[band]);
            }
            return new NearHistory(parameters, rowIds.build(), Arrays.copyOf(signatures, count * parameters.hashCount()), sorted);
        }
    }

    /** One short[] holds every signature: at most 2^31 - 16 entries (19 M rows with 112 hashes). */
    private static void checkCapacity(long rows, int hashCount) {
        if (rows * hashCount > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("Cannot hold %d rows of %d hashes in one near-dedup history: at most %d".formatted(rows, hashCount, (Integer.MAX_VALUE - 16) / hashCount));
        }
    }

    /** The top 16 bits of each MinHash value. */
    static short[] compact(long[] signature) {
        short[] compact = new short[signature.length];
        for (int i = 0; i < signature.length; i++) {
            compact[i] = (short) (signature[i] >>> 48);
        }
        return compact;
    }
}
