package io.kiln.lake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An order-independent digest of a multiset of rows: the sum, modulo 2^256, of the sha256 of
 * each row's canonical encoding, finished with the row count. The same rows in any order, split
 * across any number of accumulators and merged, give the same digest; a duplicated row changes it.
 * An accumulator is not thread-safe; give each thread its own and {@link #merge} them.
 */
public final class ContentDigest {
    private final long[] sum = new long[4];
    private final MessageDigest sha256 = newSha256();
    private long rows;

    /** Adds one row, given as its fields in schema order (null allowed). */
    public void add(String... fields) {
        for (String field : fields) {
            if (field == null) {
                sha256.update((byte) 0);
                continue;
            }
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            sha256.update((byte) 1);
            updateLength(bytes.length);
            sha256.update(bytes);
        }
        addToSum(sha256.digest());
        rows++;
    }

    public void merge(ContentDigest other) {
        long carry = 0;
        for (int i = 3; i >= 0; i--) {
            long a = sum[i];
            long b = other.sum[i];
            long result = a + b + carry;
            carry = (Long.compareUnsigned(result, a) < 0 || (carry == 1 && result == a)) ? 1 : 0;
            sum[i] = result;
        }
        rows += other.rows;
    }

    public long rows() {
        return rows;
    }

    /** The raw state, {@code <rows>:<hex sum>}: digests can be combined again from it, unlike from {@link #value()}. */
    public String state() {
        StringBuilder state = new StringBuilder().append(rows).append(':');
        for (long word : sum) {
            state.append(String.format("%016x", word));
        }
        return state.toString();
    }

    /** The digest whose {@link #state()} this is. */
    public static ContentDigest fromState(String state) {
        int colon = state.indexOf(':');
        if (colon < 0 || state.length() - colon - 1 != 64) {
            throw new IllegalArgumentException("not a content digest state: " + state);
        }
        ContentDigest digest = new ContentDigest();
        digest.rows = Long.parseLong(state.substring(0, colon));
        for (int i = 0; i < 4; i++) {
            digest.sum[i] = Long.parseUnsignedLong(state.substring(colon + 1 + 16 * i, colon + 17 + 16 * i), 16);
        }
        return digest;
    }

    /** Hex sha256 of the row count and the 256-bit sum. */
    public String value() {
        MessageDigest finish = newSha256();
        finish.update(longBytes(rows));
        for (long word : sum) {
            finish.update(longBytes(word));
        }
        return HexFormat.of().formatHex(finish.digest());
    }

    private void addToSum(byte[] hash) {
        long carry = 0;
        for (int i = 3; i >= 0; i--) {
            long word = 0;
            for (int j = 0; j < 8; j++) {
                word = (word << 8) | (hash[i * 8 + j] & 0xFF);
            }
            long a = sum[i];
            long result = a + word + carry;
            carry = (Long.compareUnsigned(result, a) < 0 || (carry == 1 && result == a)) ? 1 : 0;
            sum[i] = result;
        }
    }

    private void updateLength(int length) {
        sha256.update((byte) (length >>> 24));
        sha256.update((byte) (length >>> 16));
        sha256.update((byte) (length >>> 8));
        sha256.update((byte) length);
    }

    private static byte[] longBytes(long value) {
        byte[] bytes = new byte[8];
        for (int i = 7; i >= 0; i--) {
            bytes[i] = (byte) value;
            value >>>= 8;
        }
        return bytes;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
