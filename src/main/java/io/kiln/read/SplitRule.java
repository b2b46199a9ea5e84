package io.kiln.read;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A deterministic split of a snapshot's rows by id: a row is in the split when its position,
 * the first 8 bytes of {@code sha256("<seed>:<id>")} read as an unsigned fraction of 2^64, is
 * below {@code fraction}; its complement holds the rest. The same id lands on the same side in
 * every snapshot, whatever else the table holds, and Trino computes the same position
 * ({@link #trinoPredicate}).
 */
public record SplitRule(String name, double fraction, long seed) {
    private static final double TWO_TO_THE_64 = 18446744073709551616.0;
    /** A digest per thread: a scan hashes the id of every row it reads. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public SplitRule {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be more than 0 and at most 1, was " + fraction);
        }
    }

    public boolean contains(String id) {
        return position(seed, id) < fraction;
    }

    /** The row's place in [0, 1), computed as Trino computes it in {@link #trinoPredicate}. */
    public static double position(long seed, String id) {
        long bits = leading64(seed + ":" + id);
        return (double) bits / TWO_TO_THE_64 + (bits < 0 ? 1.0 : 0.0);
    }

    /** The first 8 bytes of the SHA-256 of {@code text} (UTF-8), big-endian: what the split and {@link ShardRule} decide by. */
    static long leading64(String text) {
        byte[] hash = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (hash[i] & 0xFF);
        }
        return bits;
    }

    /** The same rule as a Trino SQL predicate on {@code column}. */
    public String trinoPredicate(String column) {
        String bits = "from_big_endian_64(substr(sha256(to_utf8('" + seed + ":' || " + column + ")), 1, 8))";
        return "(CAST(" + bits + " AS double) / 18446744073709551616e0 + IF(" + bits + " < 0, 1e0, 0e0)) < " + fraction;
    }
}
