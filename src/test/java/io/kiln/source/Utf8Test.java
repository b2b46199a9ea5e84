package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Strict UTF-8 validation names the first bad byte wherever it lies, also past long runs of ASCII read sixteen bytes at a
 * time, and finds the first NUL byte in the same pass.
 */
class Utf8Test {
    @Test
    void namesTheFirstInvalidByteAtEveryOffset() {
        for (int offset = 0; offset < 40; offset++) {
            byte[] line = new byte[48];
            Arrays.fill(line, (byte) 'a');
            line[offset] = (byte) 0x80;
            assertThat(Utf8.firstInvalid(line, line.length).map(Utf8.Invalid::offset)).as("stray continuation at %d", offset).contains(offset);
            assertThat(Utf8.firstInvalid(line, offset)).as("the bytes before it").isEmpty();
        }
    }

    @Test
    void acceptsValidTextAfterAndBetweenAsciiRuns() {
        byte[] text = "plain ascii text of some length, café, 日本語, 😀 and more plain ascii".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.firstInvalid(text, text.length)).isEmpty();
        byte[] cut = Arrays.copyOf(text, text.length);
        int euro = new String(text, StandardCharsets.UTF_8).indexOf('日');
        int at = new String(text, StandardCharsets.UTF_8).substring(0, euro).getBytes(StandardCharsets.UTF_8).length;
        assertThat(Utf8.firstInvalid(cut, at + 1)).as("a sequence cut short by the end").isPresent();
    }

    @Test
    void findsTheFirstNulAtEveryOffset() {
        for (int offset = 0; offset < 40; offset++) {
            byte[] line = new byte[48];
            Arrays.fill(line, (byte) 'a');
            line[offset] = 0;
            line[47] = 0;
            assertThat(Utf8.scan(line, line.length)).as("NUL at %d", offset).isEqualTo(new Utf8.Scan(null, offset));
            assertThat(Utf8.scan(line, offset)).as("the bytes before it").isEqualTo(new Utf8.Scan(null, -1));
        }
    }

    @Test
    void agreesWithAByteByByteReferenceAndTheJdkDecoderOnRandomLines() throws Exception {
        Random random = new Random(7);
        String[] pieces = {"a", "plain words ", "\u0000", "é", "日", "😀", "\r\n", "\"", "x".repeat(20)};
        for (int n = 0; n < 20_000; n++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int parts = random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                int kind = random.nextInt(pieces.length + 3);
                if (kind < pieces.length) {
                    out.writeBytes(pieces[kind].getBytes(StandardCharsets.UTF_8));
                }
                else if (kind == pieces.length) {
                    out.write(0);
                }
                else {
                    out.write(random.nextInt(256)); // any byte: a lead without its continuations, a stray continuation, 0xff...
                }
            }
            byte[] line = out.toByteArray();
            int length = random.nextInt(line.length + 1);
            Utf8.Invalid expected = reference(line, length);
            Utf8.Scan scan = Utf8.scan(line, length);
            assertThat(scan.invalid()).as("line %d", n).isEqualTo(expected);
            assertThat(scan.invalid() == null).as("line %d valid as the JDK decoder says", n).isEqualTo(decodes(line, length));
            if (expected == null) {
                int nul = -1;
                for (int i = length - 1; i >= 0; i--) {
                    nul = line[i] == 0 ? i : nul;
                }
                assertThat(scan.firstNul()).as("line %d", n).isEqualTo(nul);
            }
        }
    }

    private static boolean decodes(byte[] line, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length));
            return true;
        }
        catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Table 3-7 of the Unicode standard, one byte at a time. */
    private static Utf8.Invalid reference(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            int lead = bytes[i] & 0xff;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int continuations;
            int low = 0x80;
            int high = 0xbf;
            String outside = null;
            if (lead < 0xc0) {
                return new Utf8.Invalid(i, "a continuation byte with no lead byte");
            }
            else if (lead < 0xc2) {
                return new Utf8.Invalid(i, "an overlong encoding");
            }
            else if (lead < 0xe0) {
                continuations = 1;
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
                return new Utf8.Invalid(i, "a code point above U+10FFFF");
            }
            else {
                return new Utf8.Invalid(i, "a byte that never appears in UTF-8");
            }
            for (int k = 1; k <= continuations; k++) {
                int next = i + k < length ? bytes[i + k] & 0xff : -1;
                if (next < 0x80 || next > 0xbf) {
                    return new Utf8.Invalid(i, "a sequence cut short");
                }
                if (k == 1 && (next < low || next > high)) {
                    return new Utf8.Invalid(i, outside);
                }
            }
            i += continuations + 1;
        }
        return null;
    }
}
