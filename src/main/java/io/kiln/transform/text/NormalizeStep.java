package io.kiln.transform.text;

import java.text.Normalizer;
import java.util.Map;
import java.util.Set;

import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.TextStep;
import io.kiln.transform.Transform;

/**
 * {@code normalize}: Unicode normalization (NFC by default, or NFKC), line endings to {@code \n},
 * control and format characters removed (tab and newline kept), runs of horizontal white space
 * folded to one space, white space trimmed at line ends, more than one blank line folded to one,
 * and the text trimmed. A text that ends up empty is dropped as {@code empty-text}.
 */
public final class NormalizeStep implements StepDefinition {
    public static final String NAME = "normalize";
    public static final int VERSION = 1;
    private static final StepId ID = new StepId(NAME, VERSION);
    private static final Set<String> FORMS = Set.of("NFC", "NFKC");

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("form", "column"));
        Normalizer.Form form = Normalizer.Form.valueOf(StepParameters.oneOf(parameters, "form", "NFC", FORMS));
        return new Normalize(id(), form, StepParameters.column(parameters, "column"));
    }

    private record Normalize(StepId id, Normalizer.Form form, String column) implements TextStep {
        @Override
        public Outcome apply(Row row, String text) {
            String normalized = normalize(text, form);
            if (normalized.isEmpty()) {
                return Outcome.drop(id, "empty-text", "text is empty after normalization");
            }
            return Outcome.emit(row.with(column, normalized));
        }

    }

    static String normalize(String text, Normalizer.Form form) {
        String composed = normalized(text, form) ? text : Normalizer.normalize(text, form);
        // the characters in an array: String.charAt checks the string's coder and bounds on every call; and the output in
        // another, copied whole (StringBuilder.append(char[], ...) on JDK 17 stores and checks one character at a time)
        char[] chars = composed.toCharArray();
        int length = chars.length;
        // never longer than the input: a separator is written only for white space or line breaks it replaces
        char[] out = new char[length];
        int written = 0;
        int pendingNewlines = 0;
        boolean pendingSpace = false;
        for (int i = 0; i < length; ) {
            char first = chars[i];
            if (printableAscii(first)) {
                // a run of printable ASCII, with the single spaces between its words, needs no per-character decisions
                // (a space followed by printable ASCII is kept as it is): copy it whole
                int start = i;
                i = runEnd(chars, i + 1, length);
                if (start == 0 && i == length) {
                    return composed;
                }
                written = separator(out, written, pendingNewlines, pendingSpace);
                pendingNewlines = 0;
                pendingSpace = false;
                System.arraycopy(chars, start, out, written, i - start);
                written += i - start;
                continue;
            }
            // anything else, by its kind in a table of the basic plane (a surrogate pair's code point by the same rules)
            byte kind = KINDS[first];
            int width = 1;
            if (kind == SURROGATE) {
                int codePoint = Character.codePointAt(chars, i);
                width = Character.charCount(codePoint);
                kind = kind(codePoint);
            }
            i += width;
            switch (kind) {
                case RETURN:
                    // with the line feed after it, if any, one line break
                    if (i < length && chars[i] == '\n') {
                        i++;
                    }
                    // falls through
                case LINE_BREAK:
                    pendingSpace = false;
                    pendingNewlines++;
                    continue;
                case SPACE:
                    pendingSpace = true;
                    continue;
                case REMOVED:
                    continue;
                default:
                    written = separator(out, written, pendingNewlines, pendingSpace);
                    pendingNewlines = 0;
                    pendingSpace = false;
                    out[written++] = first;
                    if (width == 2) {
                        out[written++] = chars[i - 1];
                    }
            }
        }
        return new String(out, 0, written);
    }

    /** What a code point is to {@link #normalize}: kept, a carriage return (which may start a line break), a line break, white space or removed. */
    private static final byte KEPT = 0;
    private static final byte RETURN = 1;
    private static final byte LINE_BREAK = 2;
    private static final byte SPACE = 3;
    private static final byte REMOVED = 4;
    /** In {@link #KINDS} only: a surrogate, whose kind is its pair's code point's (or, alone, {@link #REMOVED}). */
    private static final byte SURROGATE = 5;
    /** The kind of every character of the basic plane, by {@link #kind}, and {@link #SURROGATE} for the surrogates. */
    private static final byte[] KINDS = new byte[Character.MAX_VALUE + 1];

    static {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            KINDS[c] = Character.isSurrogate((char) c) ? SURROGATE : kind(c);
        }
    }

    private static byte kind(int codePoint) {
        if (codePoint == '\r') {
            return RETURN;
        }
        if (codePoint == '\n' || codePoint == 0x2028 || codePoint == 0x2029 || codePoint == 0x85) {
            return LINE_BREAK;
        }
        if (codePoint == '\t' || codePoint == ' ' || Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
            return SPACE;
        }
        return isRemoved(codePoint) ? REMOVED : KEPT;
    }

    /**
     * Whether the text is in the form already. Without a character from U+0300 up (no combining mark, nothing that composes)
     * a text is in NFC, and a text of ASCII in NFKC: checked every pair of such characters, see {@code NormalizeTextTest}.
     * Only other texts go through the normalizer's own check.
     */
    static boolean normalized(String text, Normalizer.Form form) {
        char limit = form == Normalizer.Form.NFC ? '\u0300' : '\u0080';
        for (int i = 0, length = text.length(); i < length; i++) {
            if (text.charAt(i) >= limit) {
                return Normalizer.isNormalized(text, form);
            }
        }
        return true;
    }

    /**
     * The end of a run of printable ASCII from {@code i}: printable characters, and single spaces between them. Each
     * character's test is arithmetic, not a branch per kind: words and spaces alternate too irregularly to predict.
     */
    private static int runEnd(char[] chars, int i, int length) {
        int last = length - 1;
        while (i < last) {
            int c = chars[i];
            int next = chars[i + 1];
            // printable: c - 0x21 in [0, 0x5E); a space is kept when the character after it is printable
            int printable = (c - 0x21) - 0x5E >>> 31 & ~(c - 0x21) >>> 31;
            int keptSpace = ((c ^ ' ') - 1 >>> 31) & ((next - 0x21) - 0x5E >>> 31) & (~(next - 0x21) >>> 31);
            if ((printable | keptSpace) == 0) {
                return i;
            }
            i++;
        }
        return i == last && printableAscii(chars[i]) ? length : i;
    }

    private static boolean printableAscii(char c) {
        return c > ' ' && c < 0x7F;
    }

    /** Writes the separator that pending white space or line breaks leave before the next character, after any earlier one; returns the new length. */
    private static int separator(char[] out, int written, int pendingNewlines, boolean pendingSpace) {
        if (written > 0) {
            if (pendingNewlines > 0) {
                out[written++] = '\n';
                if (pendingNewlines > 1) {
                    out[written++] = '\n';
                }
            }
            else if (pendingSpace) {
                out[written++] = ' ';
            }
        }
        return written;
    }

    private static boolean isRemoved(int codePoint) {
        int type = Character.getType(codePoint);
        boolean joiner = codePoint == 0x200C || codePoint == 0x200D; // needed by Persian, Indic scripts and emoji
        return type == Character.CONTROL
                || type == Character.SURROGATE
                || (type == Character.FORMAT && !joiner)
                || codePoint == 0xFFFE || codePoint == 0xFFFF;
    }
}
