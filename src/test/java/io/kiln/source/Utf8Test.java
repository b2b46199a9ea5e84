package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Strict UTF-8 validation names the first bad byte wherever it lies, also past long runs of ASCII read eight bytes at a time. */
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
}
