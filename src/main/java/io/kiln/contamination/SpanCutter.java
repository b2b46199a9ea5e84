package io.kiln.contamination;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * Cuts spans out of a text with a margin around each, as GPT-3's decontamination did (Brown et al. 2020, appendix
 * C: the matched n-gram and 200 characters on each side removed; a document cut into more than 10 pieces dropped).
 * Offsets and the margin count {@code char}s; a cut never splits a surrogate pair (it widens to take the whole pair).
 * Stateless and thread-safe.
 */
public final class SpanCutter {
    /**
     * The text that remains: its {@code pieces} (the non-blank parts between the removed ranges, each stripped of
     * white space at both ends) joined with a blank line ({@code "\n\n"}); {@code removedChars}: the chars of the
     * removed ranges; {@code tooManyPieces}: more pieces than allowed, so the caller should drop the whole text.
     */
    public record Cut(String text, int pieces, int removedChars, boolean tooManyPieces) {
        public Cut {
            requireNonNull(text, "text is null");
        }
    }

    private SpanCutter() {
    }

    /**
     * Removes each span {@code [spanStarts[i], spanEnds[i])} of {@code text} widened by {@code margin} chars on each
     * side (clamped to the text); overlapping or touching ranges merge; the spans need not be sorted. An empty span
     * removes only its margin (nothing when the margin is 0). Without spans, or when nothing is removed, the text comes
     * back unchanged, as one piece (none if it is blank).
     *
     * @throws IllegalArgumentException if the arrays differ in length, a span is outside the text or reversed, the
     *         margin is negative or maxPieces is negative
     */
    public static Cut cut(String text, int[] spanStarts, int[] spanEnds, int margin, int maxPieces) {
        requireNonNull(text, "text is null");
        requireNonNull(spanStarts, "spanStarts is null");
        requireNonNull(spanEnds, "spanEnds is null");
        if (spanStarts.length != spanEnds.length) {
            throw new IllegalArgumentException("%d span starts but %d span ends".formatted(spanStarts.length, spanEnds.length));
        }
        if (margin < 0) {
            throw new IllegalArgumentException("margin must not be negative, got %d".formatted(margin));
        }
        if (maxPieces < 0) {
            throw new IllegalArgumentException("maxPieces must not be negative, got %d".formatted(maxPieces));
        }
        int length = text.length();
        long[] ranges = new long[spanStarts.length];
        int spans = 0;
        for (int i = 0; i < spanStarts.length; i++) {
            int start = spanStarts[i];
            int end = spanEnds[i];
            if (start < 0 || end < start || end > length) {
                throw new IllegalArgumentException("Span %d [%d, %d) is not within the text of %d chars".formatted(i, start, end, length));
            }
            int from = Math.max(0, start - margin);
            int to = (int) Math.min(length, (long) end + margin);
            if (from > 0 && Character.isLowSurrogate(text.charAt(from)) && Character.isHighSurrogate(text.charAt(from - 1))) {
                from--;
            }
            if (to < length && to > 0 && Character.isHighSurrogate(text.charAt(to - 1)) && Character.isLowSurrogate(text.charAt(to))) {
                to++;
            }
            if (from < to) {
                ranges[spans++] = (long) from << 32 | to;
            }
        }
        if (spans == 0) {
            int pieces = text.isBlank() ? 0 : 1;
            return new Cut(text, pieces, 0, pieces > maxPieces);
        }
        Arrays.sort(ranges, 0, spans);
        StringBuilder remaining = new StringBuilder(length);
        int pieces = 0;
        int removed = 0;
        int kept = 0;
        for (int i = 0; i < spans; ) {
            int from = (int) (ranges[i] >>> 32);
            int to = (int) ranges[i];
            i++;
            while (i < spans && (int) (ranges[i] >>> 32) <= to) {
                to = Math.max(to, (int) ranges[i]);
                i++;
            }
            pieces += appendPiece(remaining, text, kept, from);
            removed += to - from;
            kept = to;
        }
        pieces += appendPiece(remaining, text, kept, length);
        return new Cut(remaining.toString(), pieces, removed, pieces > maxPieces);
    }

    private static int appendPiece(StringBuilder remaining, String text, int from, int to) {
        String piece = text.substring(from, to).strip();
        if (piece.isEmpty()) {
            return 0;
        }
        if (remaining.length() > 0) {
            remaining.append("\n\n");
        }
        remaining.append(piece);
        return 1;
    }
}
