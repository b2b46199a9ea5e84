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
    /** The shingle sets of the rows of the near segment before it ({@link ShingleSets}). */
    static final byte SHINGLES = 'S';

    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    interface BodyReader<T> {
        T read(DataInputStream in) throws IOException;
    }

    /** Reads the body of a segment of the given kind; null to leave it out of the result. */
    interface KindReader<T> {
        T read(byte kind, DataInputStream in) throws IOException;
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
        return readAll(source, (found, in) -> {
            if (found != kind) {
                throw new IOException("kind '%c', expected '%c'".formatted((char) found, (char) kind));
            }
            return reader.read(in);
        });
    }

    /** Every segment in {@code source}, up to its end, of any kind; each checked; those read as null left out. */
    static <T> List<T> readAll(InputStream source, KindReader<T> reader) throws IOException {
        CRC32 crc = new CRC32();
        BufferedInputStream buffered = new BufferedInputStream(source, 1 << 16);
        DataInputStream in = new DataInputStream(new CheckedInputStream(buffered, crc));
        DataInputStream trailer = new DataInputStream(buffered);
        List<T> segments = new ArrayList<>();
        int index = 0;
        while (true) {
            crc.reset();
            int first = in.read();
            if (first < 0) {
                return segments;
            }
            try {
                int magic = first << 24 | in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                if (magic != MAGIC) {
                    throw new IOException("Cannot read dedup segment %d: not a Kiln dedup segment (magic %08x)".formatted(index, magic));
                }
                short version = in.readShort();
                if (version != VERSION) {
                    throw new IOException("Cannot read dedup segment %d: unsupported format version %d".formatted(index, version));
                }
                byte found = in.readByte();
                T segment;
                try {
                    segment = reader.read(found, in);
                }
                catch (EOFException truncated) {
                    throw truncated;
                }
                catch (IOException e) {
                    throw new IOException("Cannot read dedup segment %d: %s".formatted(index, e.getMessage()), e);
                }
                int expected = (int) crc.getValue();
                int actual = trailer.readInt();
                if (actual != expected) {
                    throw new IOException("Cannot read dedup segment %d: checksum mismatch (stored %08x, computed %08x)".formatted(index, actual, expected));
                }
                if (segment != null) {
                    segments.add(segment);
                }
                index++;
            }
            catch (EOFException truncated) {
                throw new IOException("Cannot read dedup segment %d: truncated".formatted(index), truncated);
            }
        }
    }
}
