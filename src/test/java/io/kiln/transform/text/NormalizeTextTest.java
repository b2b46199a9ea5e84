package io.kiln.transform.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.Random;

import org.junit.jupiter.api.Test;

class NormalizeTextTest {
    @Test
    void textsBelowU0300AreInNfcAndAsciiTextsInNfkc() {
        for (char first = 0; first < 0x300; first++) {
            for (char second = 0; second < 0x300; second++) {
                String pair = new String(new char[] {first, second});
                assertThat(Normalizer.normalize(pair, Normalizer.Form.NFC)).isEqualTo(pair);
            }
        }
        for (char c = 0; c < 0x80; c++) {
            assertThat(Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC)).isEqualTo(String.valueOf(c));
        }
        assertThat(NormalizeStep.normalized("cafe\u0301", Normalizer.Form.NFC)).isFalse();
        assertThat(NormalizeStep.normalized("caf\u00e9", Normalizer.Form.NFC)).isTrue();
        assertThat(NormalizeStep.normalized("caf\u00e9", Normalizer.Form.NFKC)).isTrue();
        assertThat(NormalizeStep.normalized("a\u00a0b", Normalizer.Form.NFKC)).isFalse();
    }

    @Test
    void theTextIsWhatTheCharacterByCharacterDefinitionGives() {
        Random random = new Random(17);
        String[] pieces = {"word", " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n\n", "\u00a0", "\u2028", "\u0085", "\u200b", "\u200d", "\u0007", "e\u0301",
            "\u00e9", "\uff21", "\u2019", "\ud83d\ude00", "\ud800", "x", ".", "\u3000", "\ufeff", "\uffff", "ab cd", " a", "\u0430\u0431"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            for (Normalizer.Form form : new Normalizer.Form[] {Normalizer.Form.NFC, Normalizer.Form.NFKC}) {
                assertThat(NormalizeStep.normalize(text.toString(), form)).as("%s %s", form, text).isEqualTo(reference(text.toString(), form));
            }
        }
    }

    @Test
    void everyCharacterOfTheBasicPlaneIsWhatTheDefinitionGives() {
        // normalize classifies characters by a table of the basic plane: each one, alone, doubled, between words and at the ends
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            String one = String.valueOf((char) c);
            String text = one + "word" + one + one + "more words " + one + "\r\n" + one;
            for (Normalizer.Form form : new Normalizer.Form[] {Normalizer.Form.NFC, Normalizer.Form.NFKC}) {
                assertThat(NormalizeStep.normalize(text, form)).as("%s U+%04X", form, c).isEqualTo(reference(text, form));
            }
        }
    }

    /** normalize@1 as it was first written: one code point at a time, through String. */
    private static String reference(String text, Normalizer.Form form) {
        String composed = Normalizer.normalize(text, form);
        StringBuilder out = new StringBuilder();
        int pendingNewlines = 0;
        boolean pendingSpace = false;
        for (int i = 0; i < composed.length(); ) {
            int codePoint = composed.codePointAt(i);
            i += Character.charCount(codePoint);
            if (codePoint == '\r') {
                if (i < composed.length() && composed.charAt(i) == '\n') {
                    i++;
                }
                codePoint = '\n';
            }
            if (codePoint == '\n' || codePoint == 0x2028 || codePoint == 0x2029 || codePoint == 0x85) {
                pendingSpace = false;
                pendingNewlines++;
                continue;
            }
            if (codePoint == '\t' || codePoint == ' ' || Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
                pendingSpace = true;
                continue;
            }
            int type = Character.getType(codePoint);
            boolean joiner = codePoint == 0x200C || codePoint == 0x200D;
            if (type == Character.CONTROL || type == Character.SURROGATE || (type == Character.FORMAT && !joiner) || codePoint == 0xFFFE || codePoint == 0xFFFF) {
                continue;
            }
            if (out.length() > 0) {
                if (pendingNewlines > 0) {
                    out.append(pendingNewlines == 1 ? "\n" : "\n\n");
                }
                else if (pendingSpace) {
                    out.append(' ');
                }
            }
            pendingNewlines = 0;
            pendingSpace = false;
            out.appendCodePoint(codePoint);
        }
        return out.toString();
    }
}
