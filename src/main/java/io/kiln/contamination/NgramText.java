package io.kiln.contamination;

import static java.util.Objects.requireNonNull;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;

/**
 * The words of a text and their hashes, by the rule {@value #RULE}; the n-gram hashes made of them. An
 * {@link NgramIndex} persisted with these hashes stays valid only as long as the rule does: any change that
 * can change a hash needs a new {@link #RULE} version (and new indexes).
 *
 * <p>The rule {@code ngram-normalize@1}:
 * <ol>
 *   <li><b>Words.</b> A word is a maximal run of code points each of which is a letter or digit
 *       ({@link Character#isLetterOrDigit(int)}) or a combining mark (general category Mn, Mc or Me) that
 *       follows one inside the run. Every other code point (white space, punctuation, symbols, emoji, marks not
 *       preceded by a letter or digit) separates words. So {@code "Hello, World!"} has the words
 *       {@code Hello} and {@code World}, a decomposed {@code "cafe\u0301"} is one word, and a run of CJK
 *       ideographs without spaces is one word.</li>
 *   <li><b>Normal form.</b> Each word is normalized to NFKC ({@link Normalizer.Form#NFKC}), then lower-cased
 *       with {@link String#toLowerCase(Locale)} in {@link Locale#ROOT}: {@code "ＡＢＣ"} and {@code "Abc"} are
 *       both {@code "abc"}.</li>
 *   <li><b>Word hash.</b> The 64-bit hash of the normalized word's UTF-8 bytes {@code b[0..L)}: the bytes are
 *       read as little-endian 64-bit blocks, the last one padded with zero bytes; starting from
 *       {@code h = 0}, each block {@code k} is mixed in as Murmur3's x64 body does it
 *       ({@code k *= C1; k = rotl(k, 31); k *= C2; h ^= k; h = rotl(h, 27); h = h * 5 + 0x52dce729} with
 *       {@code C1 = 0x87c37b91114253d5}, {@code C2 = 0x4cf5ad432745937f}); the hash is
 *       {@code fmix64(h ^ L)}, Murmur3's 64-bit finalizer.</li>
 *   <li><b>Offsets.</b> A word's start and end are {@code char} offsets into the original text, end exclusive:
 *       {@code text.substring(start, end)} is the word as written.</li>
 * </ol>
 * The letter, digit and mark classes and NFKC are the JDK's (Unicode 13 on Java 17, later on later JDKs): only
 * code points assigned in a later Unicode version than the JDK's can be treated differently by another JDK.
 *
 * <p>Thread-safe and deterministic; ASCII words take a path that allocates nothing.
 */
public final class NgramText {
    /** The name and version of the normalization rule above. */
    public static final String RULE = "ngram-normalize@1";

    static final long NGRAM_MULTIPLIER = 0x9E3779B97F4A7C15L;
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final byte[] ASCII_WORD_BYTE = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            if (c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
                ASCII_WORD_BYTE[c] = (byte) c;
            }
            else if (c >= 'A' && c <= 'Z') {
                ASCII_WORD_BYTE[c] = (byte) (c + ('a' - 'A'));
            }
        }
    }

    /**
     * The words of a text, in order: for {@code 0 <= i < count}, word {@code i} is
     * {@code text.substring(starts[i], ends[i])} and its hash is {@code hashes[i]}. The arrays may be longer
     * than {@code count}; they are not copied, so whoever holds them must not change them.
     */
    public record Words(long[] hashes, int[] starts, int[] ends, int count) {
        public Words {
            requireNonNull(hashes, "hashes is null");
            requireNonNull(starts, "starts is null");
            requireNonNull(ends, "ends is null");
            if (count < 0 || count > hashes.length || count > starts.length || count > ends.length) {
                throw new IllegalArgumentException("count %d is negative or exceeds the arrays (%d hashes, %d starts, %d ends)"
                        .formatted(count, hashes.length, starts.length, ends.length));
            }
        }
    }

    private NgramText() {
    }

    /** The words of {@code text}, their offsets and their hashes, by the rule {@value #RULE}. */
    public static Words words(String text) {
        requireNonNull(text, "text is null");
        int capacity = Math.min(16, text.length() / 2 + 1);
        long[] hashes = new long[capacity];
        int[] starts = new int[capacity];
        int[] ends = new int[capacity];
        int count = 0;
        Cursor cursor = new Cursor(text);
        while (cursor.next()) {
            if (count == hashes.length) {
                int grown = Math.min(text.length() / 2 + 1, count + (count >> 1) + 16);
                hashes = Arrays.copyOf(hashes, grown);
                starts = Arrays.copyOf(starts, grown);
                ends = Arrays.copyOf(ends, grown);
            }
            hashes[count] = cursor.hash;
            starts[count] = cursor.start;
            ends[count] = cursor.end;
            count++;
        }
        return new Words(hashes, starts, ends, count);
    }

    /**
     * The hash of the {@code n} words {@code wordHashes[from .. from + n)}, in order:
     * {@code fmix64(w[from] * M^(n-1) + w[from+1] * M^(n-2) + ... + w[from+n-1])} modulo 2^64 with
     * {@code M = 0x9E3779B97F4A7C15}, that is {@code h = 0; for each word: h = h * M + w}, then Murmur3's 64-bit
     * finalizer. Sensitive to order (M is odd, so n-grams that differ in one word never collide); as a polynomial
     * it can also be rolled along a text in constant time per word, which {@link NgramIndex#match} does. Part of
     * the persisted format: it never changes.
     *
     * @throws IllegalArgumentException if {@code n < 1} or the range is outside the array
     */
    public static long ngramHash(long[] wordHashes, int from, int n) {
        requireNonNull(wordHashes, "wordHashes is null");
        if (n < 1 || from < 0 || from > wordHashes.length - n) {
            throw new IllegalArgumentException("Cannot hash the %d-gram at %d of %d word hashes".formatted(n, from, wordHashes.length));
        }
        long h = 0;
        for (int i = from; i < from + n; i++) {
            h = h * NGRAM_MULTIPLIER + wordHashes[i];
        }
        return fmix64(h);
    }

    /**
     * The hashes of every word {@code n}-gram of {@code words}, in order: element {@code i} is
     * {@code ngramHash(words.hashes(), i, n)}, rolled along the words in constant time per word. Empty when there are
     * fewer than {@code n} words.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static long[] ngramHashes(Words words, int n) {
        requireNonNull(words, "words is null");
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got %d".formatted(n));
        }
        int count = words.count();
        if (count < n) {
            return new long[0];
        }
        long[] wordHashes = words.hashes();
        long[] ngrams = new long[count - n + 1];
        long removeMultiplier = power(NGRAM_MULTIPLIER, n - 1);
        long rolling = 0;
        for (int i = 0; i < count; i++) {
            if (i >= n) {
                rolling -= wordHashes[i - n] * removeMultiplier;
            }
            rolling = rolling * NGRAM_MULTIPLIER + wordHashes[i];
            if (i >= n - 1) {
                ngrams[i - n + 1] = fmix64(rolling);
            }
        }
        return ngrams;
    }

    static long power(long base, int exponent) {
        long result = 1;
        for (int i = 0; i < exponent; i++) {
            result *= base;
        }
        return result;
    }

    /** Murmur3's 64-bit finalizer: a bijection that mixes every input bit into every output bit. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** The word hash of the rule of a normalized word (already NFKC and lower-cased). */
    static long wordHash(String normalized) {
        long h = 0;
        long block = 0;
        int filled = 0;
        long length = 0;
        for (int i = 0; i < normalized.length(); ) {
            int codePoint = normalized.codePointAt(i);
            i += Character.charCount(codePoint);
            if (codePoint < 0x80) {
                block |= (long) codePoint << (filled << 3);
                length++;
                if (++filled == 8) {
                    h = mixBlock(h, block);
                    block = 0;
                    filled = 0;
                }
                continue;
            }
            int bytes = codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            int lead = bytes == 2 ? 0xC0 : bytes == 3 ? 0xE0 : 0xF0;
            for (int b = 0; b < bytes; b++) {
                int shift = 6 * (bytes - 1 - b);
                int value = b == 0 ? lead | codePoint >>> shift : 0x80 | codePoint >>> shift & 0x3F;
                block |= (long) (value & 0xFF) << (filled << 3);
                length++;
                if (++filled == 8) {
                    h = mixBlock(h, block);
                    block = 0;
                    filled = 0;
                }
            }
        }
        if (filled > 0) {
            h = mixBlock(h, block);
        }
        return fmix64(h ^ length);
    }

    private static long mixBlock(long h, long block) {
        block *= C1;
        block = Long.rotateLeft(block, 31);
        block *= C2;
        h ^= block;
        h = Long.rotateLeft(h, 27);
        return h * 5 + 0x52dce729;
    }

    private static boolean isMark(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK || type == Character.ENCLOSING_MARK;
    }

    /**
     * Walks the words of a text: each {@link #next()} that returns true leaves the next word's hash, start and end
     * in the fields. Not thread-safe; one per walk.
     */
    static final class Cursor {
        private final String text;
        private int position;
        long hash;
        int start;
        int end;

        Cursor(String text) {
            this.text = text;
        }

        boolean next() {
            String text = this.text;
            int length = text.length();
            int at = position;
            while (at < length) {
                char c = text.charAt(at);
                if (c < 0x80) {
                    if (ASCII_WORD_BYTE[c] != 0) {
                        break;
                    }
                    at++;
                    continue;
                }
                int codePoint = text.codePointAt(at);
                if (Character.isLetterOrDigit(codePoint)) {
                    break;
                }
                at += Character.charCount(codePoint);
            }
            if (at >= length) {
                position = length;
                return false;
            }
            start = at;
            long h = 0;
            long block = 0;
            int filled = 0;
            boolean ascii = true;
            while (at < length) {
                char c = text.charAt(at);
                if (c < 0x80) {
                    byte lower = ASCII_WORD_BYTE[c];
                    if (lower == 0) {
                        break;
                    }
                    block |= (long) lower << (filled << 3);
                    if (++filled == 8) {
                        h = mixBlock(h, block);
                        block = 0;
                        filled = 0;
                    }
                    at++;
                    continue;
                }
                int codePoint = text.codePointAt(at);
                if (!Character.isLetterOrDigit(codePoint) && !isMark(codePoint)) {
                    break;
                }
                ascii = false;
                at += Character.charCount(codePoint);
            }
            end = at;
            position = at;
            if (ascii) {
                if (filled > 0) {
                    h = mixBlock(h, block);
                }
                hash = fmix64(h ^ (end - start));
            }
            else {
                hash = wordHash(Normalizer.normalize(text.substring(start, end), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT));
            }
            return true;
        }
    }
}
