package io.kiln.dedup;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Row ids of history entries, packed: their UTF-8 bytes in one array and an offset per id. */
final class RowIds {
    private final byte[] bytes;
    private final int[] offsets;

    private RowIds(byte[] bytes, int[] offsets) {
        this.bytes = bytes;
        this.offsets = offsets;
    }

    static RowIds of(String... ids) {
        Builder builder = new Builder();
        for (String id : ids) {
            builder.add(id);
        }
        return builder.build();
    }

    int size() {
        return offsets.length - 1;
    }

    String get(int index) {
        return new String(bytes, offsets[index], offsets[index + 1] - offsets[index], StandardCharsets.UTF_8);
    }

    void appendTo(Builder builder, int index) {
        builder.addBytes(bytes, offsets[index], offsets[index + 1] - offsets[index]);
    }

    long heapBytes() {
        return 16L + bytes.length + 16L + 4L * offsets.length;
    }

    /** The ids at {@code order[0]}, {@code order[1]}, ... */
    RowIds select(int[] order) {
        Builder builder = new Builder();
        for (int index : order) {
            builder.addBytes(bytes, offsets[index], offsets[index + 1] - offsets[index]);
        }
        return builder.build();
    }

    static RowIds concat(RowIds... parts) {
        Builder builder = new Builder();
        for (RowIds part : parts) {
            for (int i = 0; i < part.size(); i++) {
                builder.addBytes(part.bytes, part.offsets[i], part.offsets[i + 1] - part.offsets[i]);
            }
        }
        return builder.build();
    }

    /** Lengths as unsigned varints, then the bytes. */
    void write(DataOutput out) throws IOException {
        out.writeInt(size());
        for (int i = 0; i < size(); i++) {
            writeVarint(out, offsets[i + 1] - offsets[i]);
        }
        out.writeInt(offsets[size()]);
        out.write(bytes, 0, offsets[size()]);
    }

    static RowIds read(DataInput in) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("Corrupt dedup segment: negative row id count " + count);
        }
        int[] offsets = new int[count + 1];
        for (int i = 0; i < count; i++) {
            offsets[i + 1] = offsets[i] + readVarint(in);
        }
        int length = in.readInt();
        if (length != offsets[count]) {
            throw new IOException("Corrupt dedup segment: row id bytes %d, lengths sum to %d".formatted(length, offsets[count]));
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new RowIds(bytes, offsets);
    }

    private static void writeVarint(DataOutput out, int value) throws IOException {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    private static int readVarint(DataInput in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("Corrupt dedup segment: varint too long");
    }

    static final class Builder {
        private byte[] bytes = new byte[256];
        private int length;
        private int[] offsets = new int[64];
        private int count = 1;

        Builder add(String id) {
            byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
            return addBytes(utf8, 0, utf8.length);
        }

        Builder addBytes(byte[] source, int from, int size) {
            if (length + size > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + size));
            }
            System.arraycopy(source, from, bytes, length, size);
            length += size;
            ensureOffsets();
            offsets[count++] = length;
            return this;
        }

        private void ensureOffsets() {
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
        }

        RowIds build() {
            return new RowIds(Arrays.copyOf(bytes, length), Arrays.copyOf(offsets, count));
        }
    }
}
