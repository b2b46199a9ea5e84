package io.kiln.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text decoded strictly: every character up to the first sequence that is not valid in the charset
 * is returned, and the read after them throws {@link UnreadableInputException} naming the line
 * (counted by line feeds) and the charset ({@code invalid-utf8} for UTF-8). Unlike
 * {@link java.io.InputStreamReader}, which drops what it decoded in the read that meets the fault, the
 * text before a fault is all given. Not thread-safe.
 */
final class StrictReader extends Reader {
    private final InputStream in;
    private final Charset charset;
    private final CharsetDecoder decoder;
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 13).flip();
    private boolean eof;
    /** The input ended and the decoder was flushed: nothing more. */
    private boolean flushed;
    private long line = 1;
    /** The second half of a surrogate pair that a one-char read could not take, or -1. */
    private int leftover = -1;
    private final String hint;
    private UnreadableInputException fault;

    /** {@code hint}: appended to the message of a fault (" (declare the encoding)"). */
    StrictReader(InputStream in, Charset charset, String hint) {
        this.in = in;
        this.charset = charset;
        this.hint = hint;
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        CharBuffer out = CharBuffer.wrap(buffer, offset, length);
        if (leftover >= 0) {
            out.put((char) leftover);
            leftover = -1;
        }
        while (out.position() == offset) {
            if (fault != null) {
                throw fault;
            }
            if (flushed) {
                return -1;
            }
            CoderResult result = decode(out);
            if (result.isError()) {
                // what was decoded before the fault is returned first; the next read throws
                fault = fault(buffer, offset, out.position());
            }
            else if (result.isOverflow() && out.position() == offset) {
                // room for one char, and the next character is a surrogate pair: give its first half now
                CharBuffer pair = CharBuffer.allocate(2);
                result = decoder.decode(bytes, pair, eof);
                if (result.isError()) {
                    fault = fault(buffer, offset, offset);
                }
                else {
                    out.put(pair.get(0));
                    leftover = pair.get(1);
                }
            }
            else if (result.isUnderflow() && out.position() == offset) {
                if (eof) {
                    decoder.flush(out);
                    flushed = true;
                }
                else {
                    fill();
                }
            }
        }
        for (int i = offset; i < out.position(); i++) {
            if (buffer[i] == '\n') {
                line++;
            }
        }
        return out.position() - offset;
    }

    /**
     * The bytes a call to the decoder is given at most. The JDK's UTF-8 decoder copies ASCII fast only from the start of a
     * call up to the first byte that is not ASCII, and decodes the rest of the call's bytes one at a time: short calls keep
     * text with a few such characters on the fast path (a third of the time, for the typed bench's CSV).
     */
    private static final int WINDOW = 256;

    /** Decodes what the buffer holds into {@code out}, {@link #WINDOW} bytes per call; as {@link CharsetDecoder#decode(ByteBuffer, CharBuffer, boolean)}. */
    private CoderResult decode(CharBuffer out) {
        int limit = bytes.limit();
        while (true) {
            int start = bytes.position();
            int end = Math.min(limit, start + WINDOW);
            bytes.limit(end);
            CoderResult result;
            try {
                result = decoder.decode(bytes, out, eof && end == limit);
            }
            finally {
                bytes.limit(limit);
            }
            // an underflow before the end: the window is decoded up to a character it cut, which the next window holds whole
            if (!result.isUnderflow() || end == limit || bytes.position() == start) {
                return result;
            }
        }
    }

    private void fill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            eof = true;
        }
        else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    private UnreadableInputException fault(char[] buffer, int from, int to) {
        long at = line;
        for (int i = from; i < to; i++) {
            if (buffer[i] == '\n') {
                at++;
            }
        }
        boolean utf8 = charset.equals(StandardCharsets.UTF_8);
        return new UnreadableInputException(utf8 ? "invalid-utf8" : UnreadableInputException.UNREADABLE_INPUT,
                "line " + at + " is not valid " + charset.name() + hint, null);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
