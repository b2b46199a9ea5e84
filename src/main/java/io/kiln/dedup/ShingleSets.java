package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The shingle sets of documents ({@link MinHasher#shingleSet}), kept in a scratch file rather than
 * on the heap, so that a job of any size can verify candidate pairs by their exact Jaccard
 * similarity: the heap holds 12 bytes per document, the file 8 bytes per distinct shingle. The file
 * is unlinked as soon as it is created, so nothing is left behind, even by a crash; its space is
 * freed when this store is closed (or, failing that, collected).
 *
 * <p>Persistent form: a segment of kind {@code 'S'} ({@link SegmentFormat}) right after the near
 * segment whose rows it describes: the row count, then per row the set's size and its values,
 * in the near segment's row order.
 *
 * <p>{@link #append} and {@link #read} are thread-safe.
 */
public final class ShingleSets implements Closeable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final FileChannel channel;
    private final Cleaner.Cleanable cleanable;
    private final ByteBuffer pending = ByteBuffer.allocate(1 << 16);
    private long written;
    private long flushed;

    /** A new, empty store in {@code directory}. */
    public ShingleSets(Path directory) {
        requireNonNull(directory, "directory is null");
        try {
            Path file = Files.createTempFile(directory, "kiln-shingles-", ".bin");
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                Files.delete(file);
            }
            catch (IOException e) {
                file.toFile().deleteOnExit();
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create a scratch file for shingle sets in " + directory, e);
        }
        FileChannel open = channel;
        this.cleanable = CLEANER.register(this, () -> {
            try {
                open.close();
            }
            catch (IOException e) {
                // nothing left to do: the file is already unlinked
            }
        });
    }

    /** A new store in the JVM's temporary directory. */
    public static ShingleSets inTemporaryDirectory() {
        return new ShingleSets(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Stores {@code set}; the offset to {@link #read} it back with. */
    public synchronized long append(long[] set) {
        requireNonNull(set, "set is null");
        long offset = written;
        try {
            for (long value : set) {
                if (pending.remaining() < Long.BYTES) {
                    flush();
                }
                pending.putLong(value);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write shingle sets to the scratch file", e);
        }
        written += set.length;
        return offset;
    }

    /** The set of {@code length} values stored at {@code offset}. */
    public synchronized long[] read(long offset, int length) {
        try {
            flush();
            ByteBuffer bytes = ByteBuffer.allocate(length * Long.BYTES);
            long position = offset * Long.BYTES;
            while (bytes.hasRemaining()) {
                int read = channel.read(bytes, position + bytes.position());
                if (read < 0) {
                    throw new IOException("unexpected end of the scratch file");
                }
            }
            bytes.flip();
            long[] set = new long[length];
            bytes.asLongBuffer().get(set);
            return set;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read shingle sets from the scratch file", e);
        }
    }

    /** Bytes on disk. */
    public synchronized long bytes() {
        return written * Long.BYTES;
    }

    private void flush() throws IOException {
        pending.flip();
        long count = pending.remaining() / Long.BYTES;
        long position = flushed * Long.BYTES;
        while (pending.hasRemaining()) {
            position += channel.write(pending, position);
        }
        flushed += count;
        pending.clear();
    }

    @Override
    public void close() {
        cleanable.clean();
    }

    /** Writes the sets of a near segment's rows, in its row order, as one segment. */
    static void writeSegment(java.io.OutputStream out, List<long[]> sets) throws IOException {
        SegmentFormat.write(out, SegmentFormat.SHINGLES, data -> {
            data.writeInt(sets.size());
            for (long[] set : sets) {
                data.writeInt(set.length);
                for (long value : set) {
                    data.writeLong(value);
                }
            }
        });
    }

    /** Reads the body of a shingle segment into {@code store}: per row, its offset and size there. */
    static Stored readBody(DataInputStream in, ShingleSets store) throws IOException {
        int rows = in.readInt();
        if (rows < 0) {
            throw new IOException("Corrupt shingle segment: " + rows + " rows");
        }
        long[] offsets = new long[rows];
        int[] sizes = new int[rows];
        for (int row = 0; row < rows; row++) {
            int size = in.readInt();
            if (size < 0) {
                throw new IOException("Corrupt shingle segment: a set of " + size + " values");
            }
            long[] set = new long[size];
            for (int i = 0; i < size; i++) {
                set[i] = in.readLong();
            }
            offsets[row] = store.append(set);
            sizes[row] = size;
        }
        return new Stored(offsets, sizes);
    }

    /** Reads past the body of a shingle segment; always null. */
    static <T> T skip(DataInputStream in) throws IOException {
        int rows = in.readInt();
        for (int row = 0; row < rows; row++) {
            int size = in.readInt();
            if (size < 0) {
                throw new IOException("Corrupt shingle segment: a set of " + size + " values");
            }
            in.skipNBytes((long) size * Long.BYTES);
        }
        return null;
    }

    /** Where the sets of a segment's rows went in a store. */
    record Stored(long[] offsets, int[] sizes) {}
}
