package io.kiln.source;

/**
 * Strict UTF-8, the well-formed byte sequences of the Unicode standard (table 3-7): no overlong
 * encodings, no encoded surrogates, nothing above U+10FFFF, no sequence cut short and no stray
 * continuation byte. Decoders that replace such bytes (or, as Jackson's does, decode overlong forms)
 * would store text that the input does not hold.
 */
final class Utf8 {
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
            java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LOW_BITS = 0x0101010101010101L;
    /** What can be wrong with a sequence, in plain words; {@link #sequence} answers with an index into it. */
    private static final String[] PROBLEMS = {"a continuation byte with no lead byte", "an overlong encoding", "an encoded surrogate (U+D800 to U+DFFF)",
        "a code point above U+10FFFF", "a byte that never appears in UTF-8", "a sequence cut short"};
    private static final int NO_LEAD = 0;
    private static final int OVERLONG = 1;
    private static final int SURROGATE = 2;
    private static final int ABOVE_MAX = 3;
    private static final int NEVER = 4;
    private static final int CUT_SHORT = 5;

    private Utf8() {}

    /** Where the first invalid sequence starts (from 0) and what is wrong with it, in plain words. */
    record Invalid(int offset, String problem) {}

    /** What {@link #scan} found in a line: its first invalid sequence (null: none), and where its first NUL byte is (-1: none). */
    record Scan(Invalid invalid, int firstNul) {
        static final Scan CLEAN = new Scan(null, -1);
    }

    /**
     * The first invalid sequence among the first {@code length} bytes, and the first NUL byte, in one pass: sixteen
     * bytes at a time while they are ASCII without a NUL, as most text is.
     */
    static Scan scan(byte[] bytes, int length) {
        int firstNul = -1;
        int i = 0;
        while (i < length) {
            while (i + 2 * Long.BYTES <= length) {
                long a = (long) LONGS.get(bytes, i);
                long b = (long) LONGS.get(bytes, i + Long.BYTES);
                // no byte with its high bit set (not ASCII), and no zero byte: (x - 0x01..) & ~x & 0x80.. is 0 exactly when x has none
                if (((a | b) & HIGH_BITS) != 0 || ((((a - LOW_BITS) & ~a) | ((b - LOW_BITS) & ~b)) & HIGH_BITS) != 0) {
                    break;
                }
                i += 2 * Long.BYTES;
            }
            int end = Math.min(length, i + 2 * Long.BYTES);
            // the bytes that stopped the words, one at a time; then the words again
            while (i < end) {
                int lead = bytes[i] & 0xff;
                if (lead < 0x80) {
                    if (lead == 0 && firstNul < 0) {
                        firstNul = i;
                    }
                    i++;
                    continue;
                }
                int sequence = sequence(bytes, i, length, lead);
                if (sequence < 0) {
                    return new Scan(new Invalid(i, PROBLEMS[-1 - sequence]), firstNul);
                }
                i += sequence;
            }
        }
        return firstNul < 0 ? Scan.CLEAN : new Scan(null, firstNul);
    }

    /**
     * The length of the well-formed sequence that starts at {@code i} with {@code lead} (0x80 or above); when it is not one,
     * {@code -1 - p}, where {@link #PROBLEMS}{@code [p]} says why.
     */
    private static int sequence(byte[] bytes, int i, int length, int lead) {
        int continuations;
        int low = 0x80;
        int high = 0xbf;
        int outside = NO_LEAD; // never used unless low or high are narrowed
        if (lead < 0xc0) {
            return -1 - NO_LEAD;
        }
        else if (lead < 0xc2) {
            return -1 - OVERLONG;
        }
        else if (lead < 0xe0) {
            continuations = 1;
        }
        else if (lead < 0xf0) {
            continuations = 2;
            low = lead == 0xe0 ? 0xa0 : 0x80;
            high = lead == 0xed ? 0x9f : 0xbf;
            outside = lead == 0xe0 ? OVERLONG : SURROGATE;
        }
        else if (lead < 0xf5) {
            continuations = 3;
            low = lead == 0xf0 ? 0x90 : 0x80;
            high = lead == 0xf4 ? 0x8f : 0xbf;
            outside = lead == 0xf0 ? OVERLONG : ABOVE_MAX;
        }
        else {
            return -1 - (lead < 0xf8 ? ABOVE_MAX : NEVER);
        }
        for (int k = 1; k <= continuations; k++) {
            int next = i + k < length ? bytes[i + k] & 0xff : -1;
            if (next < 0x80 || next > 0xbf) {
                return -1 - CUT_SHORT;
            }
            if (k == 1 && (next < low || next > high)) {
                return -1 - outside;
            }
        }
        return continuations + 1;
    }
}
