package io.kiln.source;

import java.io.BufferedInputStream;
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

    /** The decompressed bytes of {@code raw}. */
    public InputStream decompress(InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
        Compression actual = this;
        if (this == AUTO) {
            buffered.mark(4);
            byte[] magic = buffered.readNBytes(4);
            buffered.reset();
            actual = detect(magic);
        }
        return switch (actual) {
            case GZIP -> new BufferedInputStream(new GZIPInputStream(buffered, BUFFER), BUFFER);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(buffered), BUFFER);
            default -> buffered;
        };
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
