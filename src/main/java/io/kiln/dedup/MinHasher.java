package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * MinHash signatures of texts: the text is {@linkplain TextNormalizer normalized} and cut into
 * shingles ({@link Shingling}); each shingle gets one 64-bit base hash, and hash function
 * {@code i} of the signature is {@code fmix64(base ^ seed_i)} (Murmur3's finalizer, a bijection,
 * so each is a pseudo-random permutation of the base hashes); entry {@code i} of the signature is
 * the least value of function {@code i} over the text's shingles. For two texts, the fraction of
 * equal entries estimates the Jaccard similarity of their shingle sets (standard error
 * {@code sqrt(J(1-J)/hashCount)}).
 *
 * <p>A text shorter than one shingle (fewer than {@code shingleSize} words) is one shingle of what
 * it has; a text with no words at all has the {@linkplain #isEmpty empty} signature (every entry
 * {@link Long#MAX_VALUE}), which is a near-duplicate of nothing.
 *
 * <p>Deterministic (the same text, size, count and seed give the same signature on every JVM) and
 * thread-safe (no mutable state).
 */
public final class MinHasher {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final Shingling shingling;
    private final int shingleSize;
    private final int hashCount;
    private final long seed;
    private final long[] seeds;

    public MinHasher(Shingling shingling, int shingleSize, int hashCount, long seed) {
        this.shingling = requireNonNull(shingling, "shingling is null");
        if (shingleSize < 1 || shingleSize > 64) {
            throw new IllegalArgumentException("Cannot hash with shingle size %d: must be 1 to 64".formatted(shingleSize));
        }
        if (hashCount < 1 || hashCount > 4096) {
            throw new IllegalArgumentException("Cannot hash with %d hash functions: must be 1 to 4096".formatted(hashCount));
        }
        this.shingleSize = shingleSize;
        this.hashCount = hashCount;
        this.seed = seed;
        this.seeds = new long[hashCount];
        for (int i = 0; i < hashCount; i++) {
            seeds[i] = Murmur3.fmix64(seed + (i + 1) * GOLDEN);
        }
    }

    public Shingling shingling() {
        return shingling;
    }

    public int shingleSize() {
        return shingleSize;
    }

    public int hashCount() {
        return hashCount;
    }

    public long seed() {
        return seed;
    }

    /** The signature of {@code text} (normalized here first): {@link #hashCount} longs. */
    public long[] signature(CharSequence text) {
        requireNonNull(text, "text is null");
        return signatureOfNormalized(TextNormalizer.normalize(text));
    }

    /** The signature of a text that is already {@linkplain TextNormalizer#normalize normalized}. */
    public long[] signatureOfNormalized(String normalized) {
        return signatureOfShingles(shingleHashes(normalized));
    }

    /**
     * The shingle set of {@code text} (normalized here first): the distinct base hashes of its
     * shingles, sorted. Two texts' exact Jaccard similarity is that of their sets ({@link #jaccard}).
     */
    public long[] shingleSet(CharSequence text) {
        requireNonNull(text, "text is null");
        long[] shingles = shingleHashes(TextNormalizer.normalize(text));
        Arrays.sort(shingles);
        int distinct = 0;
        for (int i = 0; i < shingles.length; i++) {
            if (i == 0 || shingles[i] != shingles[i - 1]) {
                shingles[distinct++] = shingles[i];
            }
        }
        return Arrays.copyOf(shingles, distinct);
    }

    /** The signature of a shingle set ({@link #shingleSet}): the same as the signature of its text. */
    public long[] signatureOfShingles(long[] shingles) {
        requireNonNull(shingles, "shingles is null");
        long[] signature = new long[hashCount];
        Arrays.fill(signature, Long.MAX_VALUE);
        for (long shingle : shingles) {
            for (int i = 0; i < hashCount; i++) {
                long value = Murmur3.fmix64(shingle ^ seeds[i]);
                if (value < signature[i]) {
                    signature[i] = value;
                }
            }
        }
        return signature;
    }

    /** The Jaccard similarity of two sorted sets of distinct values: 0 when both are empty. */
    public static double jaccard(long[] first, long[] second) {
        int i = 0;
        int j = 0;
        int common = 0;
        while (i < first.length && j < second.length) {
            if (first[i] == second[j]) {
                common++;
                i++;
                j++;
            }
            else if (first[i] < second[j]) {
                i++;
            }
            else {
                j++;
            }
        }
        int union = first.length + second.length - common;
        return union == 0 ? 0 : (double) common / union;
    }

    /** The base hashes of the text's shingles, in text order (repeats kept: they do not change the minima). */
    long[] shingleHashes(String normalized) {
        return switch (shingling) {
            case WORDS -> wordShingles(normalized);
            case CHARACTERS -> characterShingles(normalized);
            case FEATURES -> throw new IllegalStateException("A MinHasher of feature sets signs sets (signatureOfShingles), not text");
        };
    }

    /** The base hashes of the words of a normalized text, in order. */
    static long[] wordHashes(String normalized) {
        long[] words = new long[Math.max(4, normalized.length() / 5)];
        int count = 0;
        int length = normalized.length();
        int i = 0;
        while (i < length) {
            int codePoint = normalized.codePointAt(i);
            if (!Character.isLetterOrDigit(codePoint)) {
                i += Character.charCount(codePoint);
                continue;
            }
            long hash = 0xcbf29ce484222325L;
            while (i < length) {
                codePoint = normalized.codePointAt(i);
                if (!Character.isLetterOrDigit(codePoint)) {
                    break;
                }
                hash = (hash ^ codePoint) * 0x100000001b3L;
                i += Character.charCount(codePoint);
            }
            if (count == words.length) {
                words = Arrays.copyOf(words, count * 2);
            }
            words[count++] = Murmur3.fmix64(hash);
        }
        return Arrays.copyOf(words, count);
    }

    private long[] wordShingles(String normalized) {
        long[] words = wordHashes(normalized);
        if (words.length == 0) {
            return words;
        }
        int span = Math.min(shingleSize, words.length);
        long[] shingles = new long[words.length - span + 1];
        for (int start = 0; start < shingles.length; start++) {
            long hash = seed ^ span;
            for (int j = 0; j < span; j++) {
                hash = Long.rotateLeft((hash ^ words[start + j]) * GOLDEN, 31);
            }
            shingles[start] = Murmur3.fmix64(hash);
        }
        return shingles;
    }

    private long[] characterShingles(String normalized) {
        int[] codePoints = normalized.codePoints().toArray();
        if (codePoints.length == 0) {
            return new long[0];
        }
        int span = Math.min(shingleSize, codePoints.length);
        long[] shingles = new long[codePoints.length - span + 1];
        // polynomial rolling hash over the window, finalized so that every bit of it counts
        long base = 0x100000001b3L;
        long topPower = 1;
        for (int j = 1; j < span; j++) {
            topPower *= base;
        }
        long rolling = 0;
        for (int j = 0; j < span; j++) {
            rolling = rolling * base + codePoints[j] + 1;
        }
        shingles[0] = Murmur3.fmix64(rolling ^ seed ^ span);
        for (int start = 1; start < shingles.length; start++) {
            rolling = (rolling - (codePoints[start - 1] + 1) * topPower) * base + codePoints[start + span - 1] + 1;
            shingles[start] = Murmur3.fmix64(rolling ^ seed ^ span);
        }
        return shingles;
    }

    /** Whether {@code signature} is that of a text without any shingle. */
    public static boolean isEmpty(long[] signature) {
        for (long value : signature) {
            if (value != Long.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /** The fraction of equal entries: the MinHash estimate of the Jaccard similarity. */
    public static double estimateJaccard(long[] first, long[] second) {
        if (first.length != second.length) {
            throw new IllegalArgumentException("Cannot compare signatures of %d and %d hashes".formatted(first.length, second.length));
        }
        int equal = 0;
        for (int i = 0; i < first.length; i++) {
            if (first[i] == second[i]) {
                equal++;
            }
        }
        return (double) equal / first.length;
    }
}
