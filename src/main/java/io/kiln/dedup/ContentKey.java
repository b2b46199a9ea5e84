package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The exact-duplicate key of a text: MurmurHash3 x64 128 (seed 0) of the UTF-8 bytes of the
 * {@linkplain TextNormalizer normalized} text. Two texts with the same normalized content have the
 * same key; two different ones collide with probability about n²/2¹²⁹ for n texts (negligible up
 * to billions). Not a cryptographic hash: an adversary could make collisions on purpose.
 */
public record ContentKey(long high, long low) implements Comparable<ContentKey> {
    public static ContentKey of(CharSequence text) {
        requireNonNull(text, "text is null");
        return ofNormalized(TextNormalizer.normalize(text));
    }

    /** The key of a text that is already {@linkplain TextNormalizer#normalize normalized}. */
    public static ContentKey ofNormalized(String normalized) {
        long[] hash = Murmur3.hash128(normalized.getBytes(StandardCharsets.UTF_8), 0);
        return new ContentKey(hash[0], hash[1]);
    }

    public static ContentKey fromHex(String hex) {
        requireNonNull(hex, "hex is null");
        if (hex.length() != 32) {
            throw new IllegalArgumentException("Cannot parse content key %s: expected 32 hex digits".formatted(hex));
        }
        return new ContentKey(HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32));
    }

    /** 32 lower-case hex digits, {@link #high} first; {@link #fromHex} reads it back. */
    public String toHex() {
        return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
    }

    @Override
    public int compareTo(ContentKey other) {
        int byHigh = Long.compare(high, other.high);
        return byHigh != 0 ? byHigh : Long.compare(low, other.low);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
