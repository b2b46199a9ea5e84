package io.kiln.source;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import com.github.luben.zstd.ZstdInputStream;

/**
 * How the bytes of a line-format input (JSON lines, CSV) are compressed. {@code auto} (the
 * default) tells gzip and zstd by their magic bytes, not by the file name; anything else is read as
 * it is. Decompression streams: memory stays bounded whatever the input's size.
 */
public enum Compression {
    AUTO, NONE, GZIP, ZSTD;

    private static final int BUFFER = 1 << 16;

    public String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Compression> fromSpecName(String name) {
        return Arrays.stream(values()).filter(value -> value.specName().equals(name)).findFirst();
    }

    /**
     * The decompressed bytes of {@code raw}. Nothing is read until the first read. Compressed data
     * that cannot be decompressed (corrupt, or cut short) throws {@link UnreadableInputException};
     * a failure to read {@code raw} itself is thrown as it is.
     */
    public InputStream decompress(InputStream raw) throws IOException {
        return this == NONE ? new BufferedInputStream(raw, BUFFER) : new BufferedInputStream(new Decompressing(this, raw), BUFFER);
    }

    /** Decompresses lazily, telling a failure of the compressed data from one of the file underneath. */
    private static final class Decompressing extends InputStream {
        private final Compression declared;
        private final Underneath raw;
        private Compression actual;
        private InputStream in;

        Decompressing(Compression declared, InputStream raw) {
            this.declared = declared;
            this.raw = new Underneath(raw);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n;
            while ((n = read(one, 0, 1)) == 0) {
                // a decompressor may return no bytes and more later
            }
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return in().read(buffer, offset, length);
            }
            catch (IOException e) {
                throw translated(e);
            }
        }

        private InputStream in() throws IOException {
            if (in == null) {
                BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
                actual = declared;
                if (declared == AUTO) {
                    buffered.mark(4);
                    byte[] magic = buffered.readNBytes(4);
                    buffered.reset();
                    actual = detect(magic);
                }
                in = switch (actual) {
                    case GZIP -> new GZIPInputStream(buffered, BUFFER);
                    case ZSTD -> new ZstdInputStream(buffered);
                    default -> buffered;
                };
            }
            return in;
        }

        private IOException translated(IOException e) {
            if (raw.failed || actual == null || actual == NONE || actual == AUTO || e instanceof UnreadableInputException) {
                return e;
            }
            String name = actual.specName();
            boolean cutShort = e instanceof EOFException || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("truncated");
            return new UnreadableInputException(cutShort ? "the " + name + " data ends early: the file is cut short"
                    : "it is not valid " + name + " data: the file is corrupt", e);
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
            else {
                raw.close();
            }
        }
    }

    /** The compressed bytes; remembers whether reading them failed. */
    private static final class Underneath extends FilterInputStream {
        private boolean failed;

        Underneath(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            }
            catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            }
            catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            }
            catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            try {
                return super.available();
            }
            catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }

    /** What the first bytes of a file say: gzip ({@code 1f 8b}), zstd ({@code 28 b5 2f fd}), or none. */
    static Compression detect(byte[] magic) {
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }
}
