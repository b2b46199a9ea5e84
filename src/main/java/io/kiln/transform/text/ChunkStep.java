package io.kiln.transform.text;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

import io.kiln.transform.Column;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.TextStep;
import io.kiln.transform.Transform;

/**
 * {@code chunk}: splits a text into chunks of at most {@code maxTokens} BPE tokens that overlap,
 * cutting at paragraph and sentence boundaries where it can.
 *
 * <p>Each chunk is a row with id {@code <parent id>#<chunk index>} (index from 0) whose text is an
 * exact substring of the parent's text, white space trimmed at both ends, so a chunk is found
 * again in its parent by its text alone. It carries the parent's columns plus {@code parent_id},
 * {@code chunk_index} and {@code chunk_count}; it loses {@code token_ids} and {@code token_count}
 * (they described the parent's text): run {@code tokenize} after {@code chunk}, and in general
 * every step that derives columns from the text. A text that fits in one chunk still becomes one
 * chunk, {@code <id>#0}. A text of white space only is dropped as {@code empty-text}.
 *
 * <p>How a chunk ends, for a chunk that starts at token {@code a} with a budget of
 * {@code maxTokens} (the text is encoded once; the budget is counted in the tokens of the whole
 * text), at the first of these that exists:
 * <ol>
 *   <li>the last paragraph start (the first character after a blank line) within the budget that
 *       keeps the chunk at least half full;
 *   <li>the last sentence start that does so (sentences by
 *       {@link BreakIterator#getSentenceInstance(Locale)} with {@link Locale#ROOT});
 *   <li>the last word start (after or at white space) that does so: a long sentence is cut
 *       between words, and a short paragraph or sentence at the start of a chunk does not make a
 *       tiny chunk;
 *   <li>the last paragraph or sentence start within the budget; the last token boundary within it.
 * </ol>
 * Every chunk ends past the text of the chunk before. The next chunk starts at the first word
 * start among the last {@code overlapTokens} tokens of the previous chunk (or at the first token
 * boundary there), so the overlap repeats the tail of the previous chunk, at most
 * {@code overlapTokens} tokens of it. Every chunk, encoded on its own, has at most
 * {@code maxTokens} tokens: a chunk that re-encodes to more (BPE is not additive at its edges) is
 * cut again with a smaller budget. Cuts never fall inside a character. The same text and
 * parameters always give the same chunks (sentence rules are the JDK's, so a JDK with other break
 * rules would need a new version).
 *
 * <p>Parameters: {@code encoding} ({@code cl100k_base}), {@code maxTokens} (512),
 * {@code overlapTokens} (64, less than {@code maxTokens}), {@code minTokens} (0, at most
 * {@code maxTokens}): a last chunk of fewer tokens starts earlier, repeating more of the chunk
 * before it, so that it has {@code minTokens} tokens; 0 leaves it as it is.
 */
public final class ChunkStep implements StepDefinition {
    public static final String NAME = "chunk";
    public static final int VERSION = 1;
    private static final StepId ID = new StepId(NAME, VERSION);
    public static final String PARENT_ID = "parent_id";
    public static final String CHUNK_INDEX = "chunk_index";
    public static final String CHUNK_COUNT = "chunk_count";
    private static final List<Column> COLUMNS = List.of(
            Column.string(PARENT_ID, "id of the row this chunk was cut from"),
            Column.integer(CHUNK_INDEX, "position of this chunk in its parent, from 0"),
            Column.integer(CHUNK_COUNT, "number of chunks of the parent"));
    private static final Set<String> STALE_COLUMNS = Set.of(TokenizeStep.TOKEN_IDS, TokenizeStep.TOKEN_COUNT);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("encoding", "maxTokens", "overlapTokens", "minTokens", "column"));
        EncodingType type = BpeEncodings.parameter(parameters, "encoding");
        int maxTokens = integer(parameters, "maxTokens", 512, 1);
        int overlapTokens = integer(parameters, "overlapTokens", 64, 0);
        if (overlapTokens >= maxTokens) {
            throw new InvalidStepParameterException("overlapTokens", "must be less than maxTokens (" + maxTokens + "), was " + overlapTokens);
        }
        int minTokens = integer(parameters, "minTokens", 0, 0);
        if (minTokens > maxTokens) {
            throw new InvalidStepParameterException("minTokens", "must be at most maxTokens (" + maxTokens + "), was " + minTokens);
        }
        return new Chunk(id(), type, BpeEncodings.encoding(type), BpeEncodings.lengths(type), maxTokens, overlapTokens, minTokens,
                StepParameters.column(parameters, "column"));
    }

    private static int integer(Map<String, Object> parameters, String name, int defaultValue, int least) {
        Object value = parameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Integer number) || number < least) {
            throw new InvalidStepParameterException(name, "must be an integer of at least " + least + ", was " + value);
        }
        return number;
    }

    private record Chunk(StepId id, EncodingType type, Encoding encoding, BpeEncodings.TokenLengths lengths,
                         int maxTokens, int overlapTokens, int minTokens, String column) implements TextStep {
        @Override
        public Outcome apply(Row row, String text) {
            List<int[]> spans = new Cutter(text, this).spans();
            if (spans.isEmpty()) {
                return Outcome.drop(id, "empty-text", "text is empty or white space only");
            }
            Row parent = row.without(STALE_COLUMNS).with(PARENT_ID, row.id()).with(CHUNK_COUNT, spans.size());
            List<Row> chunks = new ArrayList<>(spans.size());
            for (int index = 0; index < spans.size(); index++) {
                int[] span = spans.get(index);
                chunks.add(parent.withId(row.id() + "#" + index).with(column, text.substring(span[0], span[1])).with(CHUNK_INDEX, index));
            }
            return Outcome.emitAll(chunks);
        }

        @Override
        public List<Column> columns() {
            return COLUMNS;
        }

        @Override
        public Map<String, String> fingerprint() {
            return Map.of("tokenizer", type.getName(), "tokenizer-library", BpeEncodings.LIBRARY);
        }
    }

    /** Cuts one text; not thread-safe, one per call. */
    private static final class Cutter {
        private static final int INSIDE_A_CHARACTER = -1;
        private final String text;
        private final Chunk settings;
        private int tokenCount;
        /** Char offset where token {@code t} starts ({@code offsets[tokenCount]} = text length), or -1 inside a character. */
        private int[] offsets;
        /** Like {@link #offsets} but non-decreasing: a token inside a character gets the offset of the last boundary before it. */
        private int[] floors;
        private int[] paragraphStarts;
        private BreakIterator sentences;

        Cutter(String text, Chunk settings) {
            this.text = text;
            this.settings = settings;
        }

        List<int[]> spans() {
            int[] whole = trim(0, text.length());
            if (whole == null) {
                return List.of();
            }
            IntArrayList tokens = settings.encoding.encodeOrdinary(text);
            tokenCount = tokens.size();
            if (tokenCount <= settings.maxTokens && whole[0] == 0 && whole[1] == text.length()) {
                return List.of(whole);
            }
            offsets(tokens);
            paragraphStarts();
            List<int[]> cuts = new ArrayList<>(); // token ranges
            int start = 0;
            int end = 0;
            int content = firstContent(0);
            while (content < text.length()) {
                int least = tokenAfter(content);
                end = fittingEnd(start, least);
                if (end < 0) {
                    // even the shortest chunk from start that adds text re-encodes too long: start later
                    int lastStart = least - 1;
                    while (offsets[lastStart] == INSIDE_A_CHARACTER) {
                        lastStart--;
                    }
                    while (end < 0 && start < lastStart) {
                        do {
                            start++;
                        }
                        while (offsets[start] == INSIDE_A_CHARACTER);
                        end = fittingEnd(start, least);
                    }
                    end = end < 0 ? least : end;
                }
                cuts.add(new int[] {start, end});
                start = nextStart(start, end);
                content = firstContent(offsets[end]);
            }
            lengthenTail(cuts);
            List<int[]> spans = new ArrayList<>(cuts.size());
            for (int[] cut : cuts) {
                spans.add(trim(offsets[cut[0]], offsets[cut[1]]));
            }
            return spans;
        }

        /**
         * The end of the chunk that starts at {@code start}, at least {@code least} (so that it
         * has text the chunk before lacks), shrinking the budget until the chunk re-encodes within
         * maxTokens; -1 when no end from {@code least} on fits.
         */
        private int fittingEnd(int start, int least) {
            int budget = settings.maxTokens;
            while (true) {
                int end = start + budget >= tokenCount ? tokenCount : end(start, least, start + budget);
                int excess = excess(start, end);
                if (excess <= 0) {
                    return end;
                }
                if (end <= least) {
                    return -1;
                }
                budget = Math.max(1, Math.min(budget - excess, end - start - 1));
            }
        }

        private int excess(int start, int end) {
            int[] span = trim(offsets[start], offsets[end]);
            return span == null ? 0 : settings.encoding.countTokensOrdinary(text.substring(span[0], span[1])) - settings.maxTokens;
        }

        /** Where to end a chunk that starts at {@code start}: a boundary in [least, limit], by the rules of the class comment. */
        private int end(int start, int least, int limit) {
            int half = Math.max(least, start + (limit - start + 1) / 2);
            int paragraph = lastBoundaryIn(paragraphStarts, least, limit);
            if (paragraph >= half) {
                return paragraph;
            }
            int sentence = lastSentenceStart(start, least, limit);
            if (sentence >= half) {
                return sentence;
            }
            for (int t = limit; t >= half; t--) {
                if (isWordStart(t)) {
                    return t;
                }
            }
            int natural = Math.max(paragraph, sentence);
            if (natural >= least) {
                return natural;
            }
            for (int t = limit; t >= least; t--) {
                if (offsets[t] != INSIDE_A_CHARACTER) {
                    return t;
                }
            }
            // one character of more tokens than the budget: keep it whole
            int t = Math.max(least, limit + 1);
            while (offsets[t] == INSIDE_A_CHARACTER) {
                t++;
            }
            return t;
        }

        /** The start of the chunk after [start, end): the first word start among its last overlapTokens tokens that leaves out some text of it. */
        private int nextStart(int start, int end) {
            int from = Math.max(end - settings.overlapTokens, tokenAfter(firstContent(offsets[start])));
            for (int t = from; t < end; t++) {
                if (isWordStart(t)) {
                    return t;
                }
            }
            for (int t = from; t < end; t++) {
                if (offsets[t] != INSIDE_A_CHARACTER) {
                    return t;
                }
            }
            return end;
        }

        /** The first character at or after {@code offset} that is not white space, or the text length. */
        private int firstContent(int offset) {
            int length = text.length();
            while (offset < length && Character.isWhitespace(text.charAt(offset))) {
                offset++;
            }
            return offset;
        }

        /** The first token that starts after char offset {@code c} (on a character boundary), or the token count. */
        private int tokenAfter(int c) {
            int low = 0;
            int high = tokenCount;
            while (low < high) { // the first token whose floor is > c
                int middle = (low + high) >>> 1;
                if (floors[middle] > c) {
                    high = middle;
                }
                else {
                    low = middle + 1;
                }
            }
            while (low < tokenCount && offsets[low] == INSIDE_A_CHARACTER) {
                low++;
            }
            return low;
        }

        /** A last chunk shorter than minTokens starts earlier (but after the start of the chunk before it). */
        private void lengthenTail(List<int[]> cuts) {
            if (cuts.size() < 2) {
                return;
            }
            int[] tail = cuts.get(cuts.size() - 1);
            if (tail[1] - tail[0] >= settings.minTokens) {
                return;
            }
            int earliest = tokenAfter(firstContent(offsets[cuts.get(cuts.size() - 2)[0]]));
            int start = Math.max(earliest, tokenCount - settings.minTokens);
            while (start < tail[0] && (offsets[start] == INSIDE_A_CHARACTER || excess(start, tokenCount) > 0)) {
                start++;
            }
            for (int t = start; t >= Math.max(earliest, start - 8); t--) {
                if (isWordStart(t) && excess(t, tokenCount) <= 0) {
                    start = t;
                    break;
                }
            }
            tail[0] = Math.min(start, tail[0]);
        }

        private boolean isWordStart(int t) {
            int offset = offsets[t];
            return offset == 0 || offset > 0 && (Character.isWhitespace(text.charAt(offset)) || Character.isWhitespace(text.charAt(offset - 1)));
        }

        /** The last of the sorted token indices {@code boundaries} in [least, limit], or -1. */
        private static int lastBoundaryIn(int[] boundaries, int least, int limit) {
            int position = Arrays.binarySearch(boundaries, limit);
            int index = position >= 0 ? position : -position - 2;
            return index >= 0 && boundaries[index] >= least ? boundaries[index] : -1;
        }

        /** The token index of the last sentence start in [least, limit], or -1. */
        private int lastSentenceStart(int start, int least, int limit) {
            if (sentences == null) {
                sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
                sentences.setText(text);
            }
            // a sentence start may lie after white space that begins the token at limit
            int last = limit + 1 <= tokenCount ? floors[limit + 1] : text.length();
            int from = offsets[start];
            for (int c = sentences.preceding(Math.min(last + 1, text.length())); c != BreakIterator.DONE && c > from; c = sentences.preceding(c)) {
                int t = tokenStartingAt(c);
                if (t >= least && t <= limit) {
                    return t;
                }
            }
            return -1;
        }

        /** Paragraph starts: the first non-blank character after a blank line, as token indices. */
        private void paragraphStarts() {
            IntArrayList starts = new IntArrayList();
            int length = text.length();
            for (int i = text.indexOf('\n'); i >= 0 && i < length; i = text.indexOf('\n', i + 1)) {
                int j = i + 1;
                while (j < length && text.charAt(j) != '\n' && Character.isWhitespace(text.charAt(j))) {
                    j++;
                }
                if (j >= length || text.charAt(j) != '\n') {
                    continue;
                }
                while (j < length && Character.isWhitespace(text.charAt(j))) {
                    j++;
                }
                int t = tokenStartingAt(j);
                if (t > 0 && (starts.isEmpty() || starts.get(starts.size() - 1) < t)) {
                    starts.add(t);
                }
                i = j - 1;
            }
            paragraphStarts = starts.toArray();
        }

        /**
         * The token that starts at char offset {@code c}, or at the white space just before it
         * (the encodings put the space before a word into the word's token); -1 when {@code c}
         * lies inside a token.
         */
        private int tokenStartingAt(int c) {
            if (c >= text.length()) {
                return tokenCount;
            }
            int low = 0;
            int high = tokenCount;
            while (low < high) { // the last token whose floor is <= c
                int middle = (low + high + 1) >>> 1;
                if (floors[middle] <= c) {
                    low = middle;
                }
                else {
                    high = middle - 1;
                }
            }
            int t = low;
            while (t > 0 && offsets[t] == INSIDE_A_CHARACTER) {
                t--;
            }
            for (int i = offsets[t]; i < c; i++) {
                if (!Character.isWhitespace(text.charAt(i))) {
                    return -1;
                }
            }
            return t;
        }

        private void offsets(IntArrayList tokens) {
            offsets = new int[tokenCount + 1];
            floors = new int[tokenCount + 1];
            int length = text.length();
            int character = 0;
            long characterBytes = 0; // UTF-8 bytes of text[0, character)
            long tokenBytes = 0; // UTF-8 bytes of the tokens before t
            for (int t = 0; t <= tokenCount; t++) {
                offsets[t] = tokenBytes == characterBytes ? character : INSIDE_A_CHARACTER;
                floors[t] = tokenBytes == characterBytes ? character : floors[t - 1];
                if (t == tokenCount) {
                    break;
                }
                tokenBytes += settings.lengths.length(tokens.get(t));
                while (characterBytes < tokenBytes && character < length) {
                    int codePoint = text.codePointAt(character);
                    character += Character.charCount(codePoint);
                    characterBytes += utf8Length(codePoint);
                }
            }
            if (character != length || tokenBytes != characterBytes) {
                throw new IllegalStateException("the tokens of the text do not add up to its UTF-8 bytes (" + tokenBytes + " vs " + characterBytes + ")");
            }
        }

        private static int utf8Length(int codePoint) {
            if (codePoint < 0x80) {
                return 1;
            }
            if (codePoint < 0x800) {
                return 2;
            }
            return codePoint < 0x10000 ? 3 : 4;
        }

        /** [start, end) without white space at either end, or null when nothing is left. */
        private int[] trim(int start, int end) {
            while (start < end && Character.isWhitespace(text.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
                end--;
            }
            return start < end ? new int[] {start, end} : null;
        }
    }
}
