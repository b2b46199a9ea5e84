package io.kiln.dedup;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Framing of history segments. A segment is
 * {@code "KDDS" (4 bytes), format version (short, 1), kind (byte: 'E' exact, 'N' near, 'H' 64-bit hashes), body, CRC-32 of
 * everything before it (int)}, big-endian. Segments are self-delimiting, so a history file can be the
 * concatenation of the segments of every publish, appended one after the other.
 */
final class SegmentFormat {
    static final int MAGIC = 0x4B444453;
    static final short VERSION = 1;
    static final byte EXACT = 'E';
    static final byte NEAR = 'N';
    static final byte HAMMING = 'H';

    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    interface BodyReader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private SegmentFormat() {
    }

    static void write(OutputStream target, byte kind, Body body) throws IOException {
        CRC32 crc = new CRC32();
        BufferedOutputStream buffered = new BufferedOutputStream(target, 1 << 16);
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeByte(kind);
        body.write(out);
        out.flush();
        new DataOutputStream(buffered).writeInt((int) crc.getValue());
        buffered.flush();
    }

    /** Every segment in {@code source}, up to its end; each checked. */
    static <T> List<T> readAll(InputStream source, byte kind, BodyReader<T> reader) throws IOException {
        CRC32 crc = new CRC32();
        BufferedInputStream buffered = new BufferedInputStream(source, 1 << 16);
        DataInputStream in = new DataInputStream(new CheckedInputStream(buffered, crc));
        DataInputStream trailer = new DataInputStream(buffered);
        List<T> segments = new ArrayList<>();
        while (true) {
            crc.reset();
            int first = in.read();
            if (first < 0) {
                return segments;
            }
            try {
                int magic = first << 24 | in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                if (magic != MAGIC) {
                    throw new IOException("Cannot read dedup segment %d: not a Kiln dedup segment (magic %08x)".formatted(segments.size(), magic));
                }
                short version = in.readShort();
                if (version != VERSION) {
                    throw new IOException("Cannot read dedup segment %d: unsupported format version %d".formatted(segments.size(), version));
                }
                byte found = in.readByte();
                if (found != kind) {
                    throw new IOException("Cannot read dedup segment %d: kind '%c', expected '%c'".formatted(segments.size(), (char) found, (char) kind));
                }
                T segment = reader.read(in);
                int expected = (int) crc.getValue();
                int actual = trailer.readInt();
                if (actual != expected) {
                    throw new IOException("Cannot read dedup segment %d: checksum mismatch (stored %08x, computed %08x)".formatted(segments.size(), actual, expected));
                }
                segments.add(segment);
            }
            catch (EOFException truncated) {
                throw new IOException("Cannot read dedup segment %d: truncated".formatted(segments.size()), truncated);
            }
        }
    }
}
