package io.kiln.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads lines as bytes, never holding more than {@code maxLineBytes} of one line: a longer line is
 * returned truncated with {@link Line#truncated()} set, and the rest of it is skipped.
 */
final class BoundedLineReader {
    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[1024];
    private long lineNumber;

    BoundedLineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** A line; its bytes are the reader's buffer, valid until the next line is read ({@link #copy()} keeps them). */
    record Line(byte[] bytes, int length, long number, boolean truncated) {
        /** The line with bytes of its own. */
        Line copy() {
            return new Line(Arrays.copyOf(bytes, length), length, number, truncated);
        }
    }

    /** The next line without its terminator (LF or CRLF), or null at the end of input. */
    Line next() throws IOException {
        int length = 0;
        boolean truncated = false;
        boolean sawAny = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!sawAny) {
                        return null;
                    }
                    break;
                }
            }
            sawAny = true;
            int newline = -1;
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            int take = Math.min(end - position, maxLineBytes - length);
            if (take > 0) {
                ensureCapacity(length + take);
                System.arraycopy(buffer, position, line, length, take);
                length += take;
            }
            if (end - position > take) {
                truncated = true;
            }
            position = newline < 0 ? limit : newline + 1;
            if (newline >= 0) {
                break;
            }
        }
        if (!truncated && length > 0 && line[length - 1] == '\r') {
            length--;
        }
        lineNumber++;
        return new Line(line, length, lineNumber, truncated);
    }

    /** The next line that is not blank (only spaces, tabs and a CR), or null at the end of input. */
    Line nextNonBlank() throws IOException {
        Line line;
        do {
            line = next();
        }
        while (line != null && isBlank(line));
        return line;
    }

    /** {@link #nextNonBlank()} with bytes of its own ({@link Line#copy()}), to be parsed after more lines are read. */
    Line nextNonBlankCopy() throws IOException {
        Line line = nextNonBlank();
        return line == null ? null : line.copy();
    }

    static boolean isBlank(Line line) {
        byte[] bytes = line.bytes();
        for (int i = 0; i < line.length(); i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return !line.truncated();
    }

    private void ensureCapacity(int needed) {
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.max(needed, Math.min(maxLineBytes, line.length * 2)));
        }
    }
}
