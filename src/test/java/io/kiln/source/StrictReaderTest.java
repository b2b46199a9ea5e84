package io.kiln.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class StrictReaderTest {
    private static final String[] PIECES = {"a", "plain ASCII text, ", "\n", "é", "ß", "€", "中文", "😀", "𝄞", "\r\n", "\"", ","};

    /** Text of ASCII runs and characters of two, three and four bytes, so that they fall on every place of a decoder's call. */
    private static String text(Random random, int length) {
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    private static String readAll(StrictReader reader, int readSize) throws IOException {
        StringBuilder read = new StringBuilder();
        char[] buffer = new char[readSize];
        int n;
        while ((n = reader.read(buffer, 0, readSize)) >= 0) {
            read.append(buffer, 0, n);
        }
        return read.toString();
    }

    @Test
    void textReadsBackAsTheJdkDecodesItWhateverTheReadSize() throws IOException {
        Random random = new Random(42);
        for (int round = 0; round < 40; round++) {
            String text = text(random, 1 + random.nextInt(40_000));
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            for (int readSize : new int[] {1, 2, 3, 255, 256, 257, 8192, 100_000}) {
                StrictReader reader = new StrictReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8, "");
                assertThat(readAll(reader, readSize)).as("round %d, reads of %d", round, readSize).isEqualTo(text);
            }
        }
    }

    @Test
    void anInvalidSequenceAnywhereGivesTheTextBeforeItThenNamesItsLine() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 40; round++) {
            String before = text(random, random.nextInt(20_000));
            byte[] head = before.getBytes(StandardCharsets.UTF_8);
            byte[] bytes = new byte[head.length + 3];
            System.arraycopy(head, 0, bytes, 0, head.length);
            bytes[head.length] = (byte) 0xC0;
            bytes[head.length + 1] = (byte) 0xAF;
            bytes[head.length + 2] = 'x';
            StrictReader reader = new StrictReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8, "");
            StringBuilder read = new StringBuilder();
            char[] buffer = new char[4096];
            long line = before.chars().filter(c -> c == '\n').count() + 1;
            assertThatThrownBy(() -> {
                int n;
                while ((n = reader.read(buffer, 0, buffer.length)) >= 0) {
                    read.append(buffer, 0, n);
                }
            }).isInstanceOfSatisfying(UnreadableInputException.class, e -> {
                assertThat(e.reason()).isEqualTo("invalid-utf8");
                assertThat(e.getMessage()).contains("line " + line + " is not valid UTF-8");
            });
            assertThat(read.toString()).isEqualTo(before);
        }
    }
}
