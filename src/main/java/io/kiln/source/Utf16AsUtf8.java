package io.kiln.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a text stream as UTF-8, for JSON lines, which are split into lines as bytes: a stream
 * that starts with a UTF-16 byte order mark ({@code FF FE}, {@code FE FF}) is decoded whole as UTF-16
 * (strictly, {@link StrictReader}: text that is not valid UTF-16 ends the records, naming the line)
 * and re-encoded as UTF-8 without the mark; any other stream passes as it is. Nothing is read until
 * the first read. Not thread-safe.
 */
final class Utf16AsUtf8 extends InputStream {
    private final BufferedInputStream in;
    private StrictReader utf16;
    private boolean started;
    private final char[] chars = new char[1 << 13];
    /** A high surrogate held back until its low half is read, or -1. */
    private int high = -1;
    private byte[] encoded = new byte[0];
    private int next;

    Utf16AsUtf8(InputStream in) {
        this.in = new BufferedInputStream(in, 1 << 16);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (!started) {
            started = true;
            in.mark(2);
            int first = in.read();
            int second = in.read();
            Charset charset = first == 0xff && second == 0xfe ? StandardCharsets.UTF_16LE
                    : first == 0xfe && second == 0xff ? StandardCharsets.UTF_16BE
                    : null;
            if (charset == null) {
                in.reset();
            }
            else {
                utf16 = new StrictReader(in, charset, " (as its byte order mark declares)");
            }
        }
        if (utf16 == null) {
            return in.read(buffer, offset, length);
        }
        if (length == 0) {
            return 0;
        }
        while (next == encoded.length) {
            if (!decode()) {
                return -1;
            }
        }
        int n = Math.min(length, encoded.length - next);
        System.arraycopy(encoded, next, buffer, offset, n);
        next += n;
        return n;
    }

    /** Decodes the next chars into {@link #encoded}; false at the end. */
    private boolean decode() throws IOException {
        int start = 0;
        if (high >= 0) {
            chars[0] = (char) high;
            high = -1;
            start = 1;
        }
        int n = utf16.read(chars, start, chars.length - start);
        if (n < 0) {
            if (start == 0) {
                return false;
            }
            n = 0;
        }
        int end = start + n;
        if (n > 0 && Character.isHighSurrogate(chars[end - 1])) {
            // its low half comes with the next read (the strict decoder never gives an unpaired one)
            high = chars[--end];
        }
        encoded = new String(chars, 0, end).getBytes(StandardCharsets.UTF_8);
        next = 0;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
