package io.kiln.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Splits an mbox file into its messages, streaming: a message starts after a {@code From } line
 * that opens the file or follows a blank line (RFC 4155); the envelope line itself is not part of
 * the message, and one {@code >} is removed from body lines quoted as {@code >From } (mboxrd).
 * A message over the byte limit is reported as too large, and the rest of it is skipped.
 */
final class MboxSplitter {
    private static final byte[] NEWLINE = {'\n'};
    /** Longer lines are not e-mail (RFC 5322 allows 998 bytes): such a message is rejected as too large. */
    static final int MAX_LINE_BYTES = 8 << 20;

    private final BoundedLineReader lines;
    private final long maxMessageBytes;
    private boolean atEnd;
    private boolean started;
    private int number;

    MboxSplitter(InputStream in, long maxMessageBytes) {
        this.lines = new BoundedLineReader(in, (int) Math.min(maxMessageBytes + 1, MAX_LINE_BYTES));
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Message {@code number} (from 1); {@code tooLarge}, when present, says why its bytes were not all written. */
    record Message(int number, Optional<String> tooLarge) {}

    /** Writes the next message's bytes into {@code spool}; empty at the end of the file. */
    Optional<Message> next(Spool spool) throws IOException {
        if (!started) {
            started = true;
            BoundedLineReader.Line line;
            while ((line = lines.next()) != null && !isEnvelope(line)) {
                // text before the first envelope line is not a message
            }
            atEnd = line == null;
        }
        if (atEnd) {
            return Optional.empty();
        }
        number++;
        Optional<String> tooLarge = Optional.empty();
        boolean previousBlank = false;
        BoundedLineReader.Line line;
        while ((line = lines.next()) != null) {
            if (previousBlank && isEnvelope(line)) {
                return Optional.of(new Message(number, tooLarge));
            }
            previousBlank = line.length() == 0 && !line.truncated();
            if (tooLarge.isPresent()) {
                continue;
            }
            int start = isQuotedEnvelope(line) ? 1 : 0;
            if (line.truncated() && maxMessageBytes > MAX_LINE_BYTES) {
                tooLarge = Optional.of("message has a line longer than " + MAX_LINE_BYTES + " bytes");
                continue;
            }
            if (line.truncated() || spool.size() + line.length() - start + 1 > maxMessageBytes) {
                tooLarge = Optional.of("message is larger than the limit of " + maxMessageBytes + " bytes");
                continue;
            }
            spool.write(line.bytes(), start, line.length() - start);
            spool.write(NEWLINE, 0, 1);
        }
        atEnd = true;
        return Optional.of(new Message(number, tooLarge));
    }

    private static boolean isEnvelope(BoundedLineReader.Line line) {
        return startsWith(line, 0, "From ");
    }

    private static boolean isQuotedEnvelope(BoundedLineReader.Line line) {
        int i = 0;
        while (i < line.length() && line.bytes()[i] == '>') {
            i++;
        }
        return i > 0 && startsWith(line, i, "From ");
    }

    private static boolean startsWith(BoundedLineReader.Line line, int offset, String prefix) {
        if (line.length() - offset < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line.bytes()[offset + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
