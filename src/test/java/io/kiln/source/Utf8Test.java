package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
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
            assertThat(Utf8.scan(line, line.length).invalid()).as("stray continuation at %d", offset)
                    .isEqualTo(new Utf8.Invalid(offset, "a continuation byte with no lead byte"));
            assertThat(Utf8.scan(line, offset)).as("the bytes before it").isEqualTo(new Utf8.Scan(null, -1));
        }
    }

    @Test
    void acceptsValidTextAfterAndBetweenAsciiRuns() {
        byte[] text = "plain ascii text of some length, café, 日本語, 😀 and more plain ascii".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.scan(text, text.length)).isEqualTo(new Utf8.Scan(null, -1));
        byte[] cut = Arrays.copyOf(text, text.length);
        int euro = new String(text, StandardCharsets.UTF_8).indexOf('日');
        int at = new String(text, StandardCharsets.UTF_8).substring(0, euro).getBytes(StandardCharsets.UTF_8).length;
        assertThat(Utf8.scan(cut, at + 1).invalid()).as("a sequence cut short by the end").isEqualTo(new Utf8.Invalid(at, "a sequence cut short"));
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
    void namesWhatIsWrongWithEachKindOfInvalidSequence() {
        Object[][] cases = {
                {new byte[] {'a', (byte) 0x80}, 1, "a continuation byte with no lead byte"},
                {new byte[] {(byte) 0xc0, (byte) 0x80}, 0, "an overlong encoding"},
                {new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0x80}, 0, "an overlong encoding"},
                {new byte[] {(byte) 0xf0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, 0, "an overlong encoding"},
                {new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, 0, "an encoded surrogate (U+D800 to U+DFFF)"},
                {new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0, "a code point above U+10FFFF"},
                {new byte[] {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, 0, "a code point above U+10FFFF"},
                {new byte[] {'x', (byte) 0xff}, 1, "a byte that never appears in UTF-8"},
                {new byte[] {(byte) 0xe2, (byte) 0x82}, 0, "a sequence cut short"},
                {new byte[] {(byte) 0xe2, 'A', (byte) 0xac}, 0, "a sequence cut short"},
        };
        for (Object[] c : cases) {
            byte[] line = (byte[]) c[0];
            assertThat(Utf8.scan(line, line.length).invalid()).isEqualTo(new Utf8.Invalid((int) c[1], (String) c[2]));
        }
    }

    @Test
    void findsWhereTheJdkDecoderFailsAndTheFirstNulOnRandomLines() {
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
            Utf8.Scan scan = Utf8.scan(line, length);
            int malformed = firstMalformed(line, length);
            assertThat(scan.invalid() == null ? -1 : scan.invalid().offset()).as("line %d: where the JDK's strict decoder fails", n).isEqualTo(malformed);
            if (malformed < 0) {
                int nul = -1;
                for (int i = length - 1; i >= 0; i--) {
                    nul = line[i] == 0 ? i : nul;
                }
                assertThat(scan.firstNul()).as("line %d", n).isEqualTo(nul);
            }
        }
    }

    /** Where the JDK's UTF-8 decoder, which reports what Unicode's table 3-7 refuses, finds the first malformed sequence; -1: none. */
    private static int firstMalformed(byte[] line, int length) {
        ByteBuffer in = ByteBuffer.wrap(line, 0, length);
        java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(length + 1);
        java.nio.charset.CoderResult result = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, chars, true);
        return result.isError() ? in.position() : -1;
    }
}
