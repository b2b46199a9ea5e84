package io.kiln.dedup;

/**
 * MurmurHash3 x64 128-bit (Austin Appleby's public-domain reference), the same function as Guava's
 * {@code Hashing.murmur3_128(seed)}; implemented here because Guava is not on Kiln's compile classpath.
 */
public final class Murmur3 {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Murmur3() {
    }

    /** The first 64-bit half of the hash of {@code text}'s UTF-8 bytes, seed 0. */
    public static long hash64(String text) {
        return hash128(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0)[0];
    }

    /** The two 64-bit halves {h1, h2} (Guava's {@code asBytes()} is h1 then h2, little-endian). */
    static long[] hash128(byte[] data, int seed) {
        int length = data.length;
        long h1 = seed & 0xFFFFFFFFL;
        long h2 = seed & 0xFFFFFFFFL;
        int blocks = length / 16;
        for (int i = 0; i < blocks; i++) {
            int at = i * 16;
            long k1 = littleEndianLong(data, at);
            long k2 = littleEndianLong(data, at + 8);
            k1 *= C1;
            k1 = Long.rotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            k2 *= C2;
            k2 = Long.rotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = blocks * 16;
        long k1 = 0;
        long k2 = 0;
        switch (length & 15) {
            case 15: k2 ^= (long) (data[tail + 14] & 0xFF) << 48; // fall through
            case 14: k2 ^= (long) (data[tail + 13] & 0xFF) << 40; // fall through
            case 13: k2 ^= (long) (data[tail + 12] & 0xFF) << 32; // fall through
            case 12: k2 ^= (long) (data[tail + 11] & 0xFF) << 24; // fall through
            case 11: k2 ^= (long) (data[tail + 10] & 0xFF) << 16; // fall through
            case 10: k2 ^= (long) (data[tail + 9] & 0xFF) << 8; // fall through
            case 9:
                k2 ^= data[tail + 8] & 0xFF;
                k2 *= C2;
                k2 = Long.rotateLeft(k2, 33);
                k2 *= C1;
                h2 ^= k2;
                // fall through
            case 8: k1 ^= (long) (data[tail + 7] & 0xFF) << 56; // fall through
            case 7: k1 ^= (long) (data[tail + 6] & 0xFF) << 48; // fall through
            case 6: k1 ^= (long) (data[tail + 5] & 0xFF) << 40; // fall through
            case 5: k1 ^= (long) (data[tail + 4] & 0xFF) << 32; // fall through
            case 4: k1 ^= (long) (data[tail + 3] & 0xFF) << 24; // fall through
            case 3: k1 ^= (long) (data[tail + 2] & 0xFF) << 16; // fall through
            case 2: k1 ^= (long) (data[tail + 1] & 0xFF) << 8; // fall through
            case 1:
                k1 ^= data[tail] & 0xFF;
                k1 *= C1;
                k1 = Long.rotateLeft(k1, 31);
                k1 *= C2;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        h2 += h1;
        return new long[] {h1, h2};
    }

    /** Murmur3's 64-bit finalizer: a bijection on longs that mixes every input bit into every output bit. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static long littleEndianLong(byte[] data, int at) {
        return (data[at] & 0xFFL)
                | (data[at + 1] & 0xFFL) << 8
                | (data[at + 2] & 0xFFL) << 16
                | (data[at + 3] & 0xFFL) << 24
                | (data[at + 4] & 0xFFL) << 32
                | (data[at + 5] & 0xFFL) << 40
                | (data[at + 6] & 0xFFL) << 48
                | (data[at + 7] & 0xFFL) << 56;
    }
}
