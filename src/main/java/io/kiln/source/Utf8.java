package io.kiln.source;

import java.util.Optional;

/**
 * Strict UTF-8, the well-formed byte sequences of the Unicode standard (table 3-7): no overlong
 * encodings, no encoded surrogates, nothing above U+10FFFF, no sequence cut short and no stray
 * continuation byte. Decoders that replace such bytes (or, as Jackson's does, decode overlong forms)
 * would store text that the input does not hold.
 */
final class Utf8 {
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
            java.nio.ByteOrder.LITTLE_ENDIAN);

    private Utf8() {}

    /** Where the first invalid sequence starts (from 0) and what is wrong with it, in plain words. */
    record Invalid(int offset, String problem) {}

    /** The first invalid sequence among the first {@code length} bytes; empty when they are all valid UTF-8. */
    static Optional<Invalid> firstInvalid(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            // eight ASCII bytes at a time: most text is mostly ASCII
            while (i + Long.BYTES <= length && ((long) LONGS.get(bytes, i) & 0x8080808080808080L) == 0) {
                i += Long.BYTES;
            }
            if (i >= length) {
                break;
            }
            int lead = bytes[i] & 0xff;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int continuations;
            int low = 0x80;
            int high = 0xbf;
            String outside;
            if (lead < 0xc0) {
                return invalid(i, "a continuation byte with no lead byte");
            }
            else if (lead < 0xc2) {
                return invalid(i, "an overlong encoding");
            }
            else if (lead < 0xe0) {
                continuations = 1;
                outside = null;
            }
            else if (lead < 0xf0) {
                continuations = 2;
                low = lead == 0xe0 ? 0xa0 : 0x80;
                high = lead == 0xed ? 0x9f : 0xbf;
                outside = lead == 0xe0 ? "an overlong encoding" : lead == 0xed ? "an encoded surrogate (U+D800 to U+DFFF)" : null;
            }
            else if (lead < 0xf5) {
                continuations = 3;
                low = lead == 0xf0 ? 0x90 : 0x80;
                high = lead == 0xf4 ? 0x8f : 0xbf;
                outside = lead == 0xf0 ? "an overlong encoding" : lead == 0xf4 ? "a code point above U+10FFFF" : null;
            }
            else if (lead < 0xf8) {
                return invalid(i, "a code point above U+10FFFF");
            }
            else {
                return invalid(i, "a byte that never appears in UTF-8");
            }
            for (int k = 1; k <= continuations; k++) {
                int next = i + k < length ? bytes[i + k] & 0xff : -1;
                if (next < 0x80 || next > 0xbf) {
                    return invalid(i, "a sequence cut short");
                }
                if (k == 1 && (next < low || next > high)) {
                    return invalid(i, outside);
                }
            }
            i += continuations + 1;
        }
        return Optional.empty();
    }

    private static Optional<Invalid> invalid(int offset, String problem) {
        return Optional.of(new Invalid(offset, problem));
    }
}
