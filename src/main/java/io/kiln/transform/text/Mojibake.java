package io.kiln.transform.text;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * Repairs UTF-8 text that was decoded as Windows-1252 or ISO-8859-1 ("CafÃ©" for "Café",
 * "donâ€™t" for "don’t"). No library on Kiln's classpath does this (ICU4J is not on it; Tika and
 * juniversalchardet detect charsets of bytes, they do not repair decoded text), hence this small
 * implementation.
 *
 * <p>A <em>marker</em> is a run of characters that each map back to one Windows-1252 byte (the
 * five bytes that Windows-1252 leaves undefined, and all of 0x80-0x9F, also map back from the
 * Latin-1 control characters U+0080-U+009F) and whose bytes form one well-formed UTF-8 sequence of
 * 2 to 4 bytes (a lead byte 0xC2-0xF4, then continuation bytes 0x80-0xBF; overlong forms and
 * surrogates are not well-formed). Markers with lead byte 0xC2 or 0xC3 ("Â", "Ã") or of 3 or 4
 * bytes are <em>strong</em>: ordinary text practically never holds them. Two-byte markers with
 * another lead ("Ð", "Ñ", "ß", "Ü"...) are <em>weak</em>: German "»Fuß«" holds one ("ß«"). Weak
 * markers count only in a text that also has a strong marker, or where weak markers cover at
 * least half of its non-ASCII characters (Cyrillic read as Windows-1252 is nothing else).
 *
 * <p>A repair pass replaces every marker by the character its bytes encode in UTF-8; it is kept
 * only when the repaired text has strictly fewer markers than before. Passes repeat (text
 * mis-decoded twice) up to three times.
 */
final class Mojibake {
    private static final int[] BYTE_OF_CHAR = new int[0x2200];
    private static final int MAX_PASSES = 3;

    static {
        Arrays.fill(BYTE_OF_CHAR, -1);
        Charset windows1252 = Charset.forName("windows-1252");
        for (int value = 0x80; value <= 0xFF; value++) {
            BYTE_OF_CHAR[value] = value; // Latin-1: U+0080-U+00FF are the bytes themselves
        }
        for (int value = 0x80; value <= 0x9F; value++) {
            String decoded = windows1252.decode(ByteBuffer.wrap(new byte[] {(byte) value})).toString();
            char character = decoded.charAt(0);
            if (character != '\uFFFD' && character < BYTE_OF_CHAR.length) {
                BYTE_OF_CHAR[character] = value;
            }
        }
    }

    private Mojibake() {}

    /** The text repaired, and how many markers were replaced (0: the text is returned as it was). */
    record Repair(String text, int repaired) {}

    static Repair repair(String text) {
        String current = text;
        int repaired = 0;
        int markers = countMarkers(current);
        for (int pass = 0; pass < MAX_PASSES && markers > 0; pass++) {
            Scan scan = scan(current, true);
            int after = countMarkers(scan.repaired);
            if (after >= markers) {
                break;
            }
            repaired += scan.strong + scan.weak;
            current = scan.repaired;
            markers = after;
        }
        return new Repair(current, repaired);
    }

    static int countMarkers(String text) {
        Scan scan = scan(text, false);
        return scan.strong + scan.weak;
    }

    private static final class Scan {
        int strong;
        int weak;
        String repaired;
    }

    /** Finds the markers; with {@code rewrite}, also builds the text with each counted marker decoded. */
    private static Scan scan(String text, boolean rewrite) {
        Scan scan = new Scan();
        int length = text.length();
        int nonAscii = 0;
        int weakCharacters = 0;
        for (int i = 0; i < length; i++) {
            char character = text.charAt(i);
            if (character < 0x80) {
                continue;
            }
            nonAscii++;
            int size = markerSize(text, i);
            if (size == 0) {
                continue;
            }
            if (size == 2 && byteOf(character) > 0xC3) {
                scan.weak++;
                weakCharacters += 2;
            }
            else {
                scan.strong++;
            }
            nonAscii += size - 1;
            i += size - 1;
        }
        boolean weakCounts = scan.strong > 0 || (weakCharacters > 0 && weakCharacters * 2 >= nonAscii);
        if (!weakCounts) {
            scan.weak = 0;
        }
        if (rewrite) {
            scan.repaired = scan.strong + scan.weak == 0 ? text : rewrite(text, weakCounts);
        }
        return scan;
    }

    private static String rewrite(String text, boolean weakCounts) {
        StringBuilder out = new StringBuilder(text.length());
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char character = text.charAt(i);
            int size = character < 0x80 ? 0 : markerSize(text, i);
            if (size == 0 || (size == 2 && byteOf(character) > 0xC3 && !weakCounts)) {
                out.append(character);
                continue;
            }
            out.appendCodePoint(decode(text, i, size));
            i += size - 1;
        }
        return out.toString();
    }

    /** The length of the well-formed UTF-8 sequence whose bytes the characters at {@code start} are, or 0. */
    private static int markerSize(String text, int start) {
        int lead = byteOf(text.charAt(start));
        int size;
        if (lead >= 0xC2 && lead <= 0xDF) {
            size = 2;
        }
        else if (lead >= 0xE0 && lead <= 0xEF) {
            size = 3;
        }
        else if (lead >= 0xF0 && lead <= 0xF4) {
            size = 4;
        }
        else {
            return 0;
        }
        if (start + size > text.length()) {
            return 0;
        }
        for (int k = 1; k < size; k++) {
            int continuation = byteOf(text.charAt(start + k));
            if (continuation < 0x80 || continuation > 0xBF) {
                return 0;
            }
        }
        int second = byteOf(text.charAt(start + 1));
        boolean wellFormed = switch (lead) {
            case 0xE0 -> second >= 0xA0;                 // no overlong three-byte forms
            case 0xED -> second <= 0x9F;                 // no surrogates
            case 0xF0 -> second >= 0x90;                 // no overlong four-byte forms
            case 0xF4 -> second <= 0x8F;                 // nothing past U+10FFFF
            default -> true;
        };
        return wellFormed ? size : 0;
    }

    private static int decode(String text, int start, int size) {
        int lead = byteOf(text.charAt(start));
        int codePoint = size == 2 ? lead & 0x1F : size == 3 ? lead & 0x0F : lead & 0x07;
        for (int k = 1; k < size; k++) {
            codePoint = (codePoint << 6) | (byteOf(text.charAt(start + k)) & 0x3F);
        }
        return codePoint;
    }

    private static int byteOf(char character) {
        return character < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[character] : -1;
    }
}
