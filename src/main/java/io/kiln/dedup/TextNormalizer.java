package io.kiln.dedup;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The normalization under both exact and near-duplicate detection, so that texts that differ only
 * in Unicode presentation, case or spacing count as the same content:
 * <ol>
 *   <li>Unicode NFKC (compatibility forms: ligatures, full-width letters, no-break spaces...),</li>
 *   <li>case folding, as {@code toUpperCase(ROOT).toLowerCase(ROOT)}: Java has no full case fold;
 *       this round trip gives the full fold's result for the cases that matter here ({@code ß}
 *       and {@code SS} → {@code ss}, final sigma, Greek and Cyrillic case) and is locale-independent,</li>
 *   <li>format characters (Unicode category Cf: zero-width space and joiners, byte order mark,
 *       soft hyphen) removed, as they are invisible,</li>
 *   <li>every run of white space (including line breaks) folded to one space, and the text trimmed.</li>
 * </ol>
 * Punctuation is kept: exact dedup is about the same text. Changing any of this changes the keys,
 * so it needs new step versions and a rebuilt history index.
 */
public final class TextNormalizer {
    private TextNormalizer() {
    }

    public static String normalize(CharSequence text) {
        String value = text.toString();
        if (isAscii(value)) {
            return normalizeAscii(value);
        }
        String composed = Normalizer.isNormalized(value, Normalizer.Form.NFKC) ? value : Normalizer.normalize(value, Normalizer.Form.NFKC);
        String folded = composed.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        if (!Normalizer.isNormalized(folded, Normalizer.Form.NFKC)) {
            folded = Normalizer.normalize(folded, Normalizer.Form.NFKC);
        }
        StringBuilder out = new StringBuilder(folded.length());
        boolean pendingSpace = false;
        int length = folded.length();
        for (int i = 0; i < length; ) {
            int codePoint = folded.codePointAt(i);
            i += Character.charCount(codePoint);
            if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
                pendingSpace = out.length() > 0;
                continue;
            }
            if (Character.getType(codePoint) == Character.FORMAT) {
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                pendingSpace = false;
            }
            out.appendCodePoint(codePoint);
        }
        return out.toString();
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The same result for ASCII text (NFKC leaves it alone, folding is lower-casing), in one pass. */
    private static String normalizeAscii(String value) {
        char[] out = new char[value.length()];
        int length = 0;
        boolean pendingSpace = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c >= 0x09 && c <= 0x0D || c >= 0x1C && c <= 0x1F) {
                pendingSpace = length > 0;
                continue;
            }
            if (pendingSpace) {
                out[length++] = ' ';
                pendingSpace = false;
            }
            out[length++] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        }
        return new String(out, 0, length);
    }
}
