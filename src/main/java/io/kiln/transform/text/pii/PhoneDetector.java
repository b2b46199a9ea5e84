package io.kiln.transform.text.pii;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

/**
 * Phone numbers, through libphonenumber's {@link PhoneNumberUtil#findNumbers} at leniency
 * {@code VALID}: a number in international form ({@code +44 20 7946 0958}) anywhere, a national one
 * ({@code (415) 555-0132}) when it is valid in the default region. libphonenumber already refuses
 * dates, time stamps and numbers glued to letters. Technical text is full of long numbers
 * (trace time stamps {@code 17284.993652}, CVE ids, table columns), so on top of that a number
 * without a leading {@code +} must be laid out like a phone number (see {@link #nationalLayout}),
 * or be a bare run of digits right after a word such as "phone", "tel" or "call"; and no number
 * may be glued to a longer token ({@code CVE-2026-116303}). {@link PhoneRules#VERSION_2} adds the
 * extensions and glued shapes of mail (see there): it blanks extensions and steps over letters glued
 * to the digits in the copy that libphonenumber scans, then judges the glue on the real text.
 */
final class PhoneDetector implements PiiDetector {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final Set<String> CONTEXT_WORDS = Set.of(
            "phone", "telephone", "tel", "mobile", "cell", "fax", "call", "sms", "whatsapp", "contact", "dial", "ph");
    private static final int MINIMUM_DIGITS = 7;
    private static final int WINDOW_MARGIN = 8;
    /** Words glued to a number that make it a version or a revision, not a phone number ({@code rev415-555-0132}). */
    private static final Set<String> VERSION_WORDS = Set.of("ver", "version", "rev", "revision", "build", "release", "rc", "patch");
    /**
     * An extension right after a number, on the same line: a marker ({@code x}, {@code ext},
     * {@code ext.}, {@code extension}, {@code #}), then 1-6 digits glued to no further letter,
     * digit or dashed or dotted number. The digits are group 1.
     */
    private static final Pattern EXTENSION = Pattern.compile(
            "[ \\t\\u00a0]{0,3}(?:,[ \\t\\u00a0]{0,2})?(?:extension|ext|x|#)[ \\t\\u00a0.:]{0,3}([0-9]{1,6})"
                    + "(?![0-9A-Za-z_@])(?![-/][0-9A-Za-z])(?!\\.[0-9])",
            Pattern.CASE_INSENSITIVE);

    private final String region;
    private final PhoneRules rules;

    /** A detector with {@link PhoneRules#VERSION_1}. */
    PhoneDetector(String region) {
        this(region, PhoneRules.VERSION_1);
    }

    PhoneDetector(String region, PhoneRules rules) {
        this.region = requireNonNull(region, "region is null");
        this.rules = requireNonNull(rules, "rules is null");
    }

    @Override
    public PiiKind kind() {
        return PiiKind.PHONE;
    }

    @Override
    public void find(String text, List<PiiMatch> matches) {
        // libphonenumber's own scan is slow on long texts: hand it only the stretches of digits and
        // phone punctuation that hold enough digits, with a little context on each side
        int length = text.length();
        int i = 0;
        while (i < length) {
            if (!isDigit(text.charAt(i)) && text.charAt(i) != '+') {
                i++;
                continue;
            }
            int start = i;
            int digits = 0;
            int lastDigit = i;
            while (i < length && (isDigit(text.charAt(i)) || isPhonePunctuation(text.charAt(i)))) {
                if (isDigit(text.charAt(i))) {
                    digits++;
                    lastDigit = i;
                }
                i++;
            }
            if (digits >= MINIMUM_DIGITS && worthParsing(text, start, lastDigit + 1)) {
                int windowStart = Math.max(0, start - WINDOW_MARGIN);
                while (windowStart > 0 && windowStart < start && isPhonePunctuation(text.charAt(windowStart))) {
                    windowStart--; // a window must not start inside a candidate: "(415" cut to "415"
                }
                int windowEnd = Math.min(length, lastDigit + 1 + WINDOW_MARGIN);
                if (rules == PhoneRules.VERSION_2) {
                    int extensionEnd = extensionEnd(text, lastDigit + 1);
                    if (extensionEnd > 0) {
                        windowEnd = Math.max(windowEnd, extensionEnd);
                        i = Math.max(i, extensionEnd); // the extension's digits start no stretch of their own
                    }
                }
                findIn(text, windowStart, windowEnd, matches);
            }
        }
    }

    /**
     * Whether libphonenumber could find a number here that this detector keeps: a stretch with a
     * {@code +}, or with three or more groups of at most four digits one separator apart, or a
     * bare run of seven or more digits after a phone word. Saves most of the parsing in technical
     * text, whose long numbers (time stamps, sizes, table columns) fail these cheap checks.
     */
    private static boolean worthParsing(String text, int start, int end) {
        int chain = 0;
        int chainDigits = 0;
        int i = start;
        while (i < end) {
            char c = text.charAt(i);
            if (c == '+') {
                return true;
            }
            if (!isDigit(c)) {
                i++;
                continue;
            }
            int groupStart = i;
            while (i < end && isDigit(text.charAt(i))) {
                i++;
            }
            int group = i - groupStart;
            if (group >= MINIMUM_DIGITS && afterContextWord(text, groupStart)) {
                return true;
            }
            int gap = groupStart - previousGroupEnd(text, groupStart, start);
            boolean continues = chain > 0 && gap >= 1 && gap <= 2;
            if (group <= 4) {
                chain = continues ? chain + 1 : 1;
                chainDigits = continues ? chainDigits + group : group;
                if (chain >= 3 && chainDigits >= MINIMUM_DIGITS) {
                    return true;
                }
            }
            else {
                chain = 0;
                chainDigits = 0;
            }
        }
        return false;
    }

    /** The end of the digit group before {@code groupStart} within the stretch, or a position far before it. */
    private static int previousGroupEnd(String text, int groupStart, int stretchStart) {
        int position = groupStart;
        while (position > stretchStart && !isDigit(text.charAt(position - 1))) {
            position--;
        }
        return position > stretchStart ? position : Integer.MIN_VALUE / 2;
    }

    private void findIn(String text, int windowStart, int windowEnd, List<PiiMatch> matches) {
        // libphonenumber refuses "[+27 71 169 9254]" (it takes '[' as part of the number): scan a copy without square brackets
        String window = text.substring(windowStart, windowEnd).replace('[', ' ').replace(']', ' ');
        if (rules == PhoneRules.VERSION_2) {
            window = withoutExtensionsAndGlue(text, windowStart, window);
        }
        int coveredUntil = windowStart;
        for (PhoneNumberMatch match : UTIL.findNumbers(window, region, PhoneNumberUtil.Leniency.VALID, Long.MAX_VALUE)) {
            int start = windowStart + match.start();
            int end = windowStart + match.end();
            String raw = match.rawString();
            if (rules == PhoneRules.VERSION_2 && match.number().hasExtension()) {
                // an extension in a shape this detector does not take ("ext 1234567"): keep the number without it
                raw = withoutExtension(raw);
                if (raw.isEmpty()) {
                    continue;
                }
                end = start + raw.length();
            }
            boolean international = raw.startsWith("+");
            if (!international && !nationalLayout(raw) && !(digitsOnly(raw) && afterContextWord(text, start))) {
                continue;
            }
            String normalized = UTIL.format(match.number(), PhoneNumberUtil.PhoneNumberFormat.E164);
            if (rules == PhoneRules.VERSION_2) {
                int extensionEnd = extensionEnd(text, end);
                if (gluedBeforeVersion2(text, start) || (extensionEnd < 0 && gluedAfterVersion2(text, end))) {
                    continue;
                }
                if (extensionEnd > 0) {
                    normalized = withExtension(normalized, text, end);
                    end = extensionEnd;
                }
            }
            else if (gluedToOtherToken(text, start, end)) {
                continue;
            }
            matches.add(new PiiMatch(PiiKind.PHONE, start, end, normalized));
            coveredUntil = Math.max(coveredUntil, end);
        }
        for (int plus = text.indexOf('+', coveredUntil); plus >= 0 && plus < windowEnd; plus = text.indexOf('+', plus + 1)) {
            int end = internationalNumberEnd(text, plus, windowEnd, rules);
            if (end > 0) {
                String normalized = text.substring(plus, end).replaceAll("[^0-9+]", "");
                int extensionEnd = rules == PhoneRules.VERSION_2 ? extensionEnd(text, end) : -1;
                if (extensionEnd > 0) {
                    normalized = withExtension(normalized, text, end);
                    end = extensionEnd;
                }
                matches.add(new PiiMatch(PiiKind.PHONE, plus, end, normalized));
                plus = end - 1;
            }
        }
    }

    /** The end of an extension that starts at {@code from} (after the last digit of a number), or -1. */
    private static int extensionEnd(String text, int from) {
        if (from >= text.length() || !mayStartExtension(text.charAt(from))) {
            return -1;
        }
        Matcher matcher = EXTENSION.matcher(text).region(from, text.length());
        return matcher.lookingAt() ? matcher.end() : -1;
    }

    private static boolean mayStartExtension(char c) {
        return c == ' ' || c == '\t' || c == '\u00a0' || c == ',' || c == 'x' || c == 'X' || c == 'e' || c == 'E' || c == '#';
    }

    /** {@code +14155550133} and the extension at {@code from} make {@code +14155550133;ext=101}. */
    private static String withExtension(String normalized, String text, int from) {
        Matcher matcher = EXTENSION.matcher(text).region(from, text.length());
        if (!matcher.lookingAt()) {
            throw new IllegalStateException("no extension at " + from);
        }
        return normalized + ";ext=" + matcher.group(1);
    }

    /**
     * The window as libphonenumber should see it under {@link PhoneRules#VERSION_2}: extensions
     * blanked (they are judged and added by this detector), and a letter glued to a number
     * replaced (libphonenumber refuses {@code to415-555-0132}; this detector judges the glue
     * itself). Both become a colon, which libphonenumber takes for the end of a number, so that
     * the number does not run on into digits beyond ({@code 628-6928 v7}).
     */
    private static String withoutExtensionsAndGlue(String text, int windowStart, String window) {
        char[] copy = window.toCharArray();
        for (int k = 1; k < copy.length; k++) {
            if (isDigit(window.charAt(k - 1)) && !isDigit(window.charAt(k))) {
                int extensionEnd = Math.min(extensionEnd(text, windowStart + k), windowStart + copy.length);
                for (int blank = k; blank < extensionEnd - windowStart; blank++) {
                    copy[blank] = ':';
                }
            }
        }
        for (int k = 0; k < copy.length; k++) {
            boolean letter = (copy[k] >= 'a' && copy[k] <= 'z') || (copy[k] >= 'A' && copy[k] <= 'Z');
            if (letter && ((k > 0 && isDigit(copy[k - 1])) || (k + 1 < copy.length && (isDigit(copy[k + 1]) || copy[k + 1] == '+')))) {
                copy[k] = ':';
            }
        }
        return new String(copy);
    }

    /** {@code 415-555-0133 ext 1234567} without {@code ext 1234567}. */
    private static String withoutExtension(String raw) {
        int end = 0;
        while (end < raw.length() && !Character.isLetter(raw.charAt(end)) && raw.charAt(end) != '#' && raw.charAt(end) != ',' && raw.charAt(end) != ';') {
            end++;
        }
        while (end > 0 && !isDigit(raw.charAt(end - 1))) {
            end--;
        }
        return raw.substring(0, end);
    }

    /**
     * libphonenumber gives up on a stretch like "+44 20 7946 0958 45.33.32.156" (a number followed by
     * other numbers): from a {@code +} it missed, try the groups that follow, longest first, for a
     * valid international number; the end of the longest valid one, or -1. Groups are one space or
     * dash apart; under {@link PhoneRules#VERSION_2} the area code may also be in parentheses
     * ({@code (+1 (512) 209-1182)}, which libphonenumber refuses for its nested parentheses).
     */
    private static int internationalNumberEnd(String text, int plus, int limit, PhoneRules rules) {
        if (plus > 0 && (Character.isLetterOrDigit(text.charAt(plus - 1)) || text.charAt(plus - 1) == '+')) {
            return -1;
        }
        List<Integer> groupEnds = new java.util.ArrayList<>();
        StringBuilder digits = new StringBuilder("+");
        List<Integer> digitCounts = new java.util.ArrayList<>();
        boolean inParentheses = false;
        int position = plus + 1;
        while (position < limit && groupEnds.size() < 8) {
            int groupStart = position;
            while (position < limit && isDigit(text.charAt(position))) {
                digits.append(text.charAt(position));
                position++;
            }
            if (position == groupStart || digits.length() - 1 > 15) {
                break;
            }
            groupEnds.add(position);
            digitCounts.add(digits.length());
            if (inParentheses) {
                // parenthesizedAreaCode saw ") 555", ")-555" or ")555"
                inParentheses = false;
                position += isDigit(text.charAt(position + 1)) ? 1 : 2;
                continue;
            }
            if (position + 1 < limit && (text.charAt(position) == ' ' || text.charAt(position) == '-') && isDigit(text.charAt(position + 1))) {
                position++;
                continue;
            }
            if (rules == PhoneRules.VERSION_2 && groupEnds.size() <= 2) {
                int areaCode = parenthesizedAreaCode(text, position, limit);
                if (areaCode > 0) {
                    position = areaCode;
                    inParentheses = true;
                    continue;
                }
            }
            break;
        }
        for (int g = groupEnds.size() - 1; g >= 0; g--) {
            int count = digitCounts.get(g) - 1;
            if (count < 8) {
                break;
            }
            try {
                com.google.i18n.phonenumbers.Phonenumber.PhoneNumber number = UTIL.parse(digits.substring(0, digitCounts.get(g)), "ZZ");
                if (UTIL.isValidNumber(number)) {
                    return groupEnds.get(g);
                }
            }
            catch (com.google.i18n.phonenumbers.NumberParseException e) {
                // not a number: try a shorter one
            }
        }
        return -1;
    }

    /**
     * After the country code at {@code position}, {@code " (415) 555"} or {@code "(415)555"}: the
     * position of the area code's first digit, whose group this method checks for 3 digits and a
     * closing parenthesis followed by a space or dash and a digit; or -1.
     */
    private static int parenthesizedAreaCode(String text, int position, int limit) {
        int open = position < limit && text.charAt(position) == ' ' ? position + 1 : position;
        if (open >= limit || text.charAt(open) != '(') {
            return -1;
        }
        int close = open + 1;
        while (close < limit && isDigit(text.charAt(close))) {
            close++;
        }
        if (close - open - 1 != 3 || close + 2 >= limit || text.charAt(close) != ')') {
            return -1;
        }
        char after = text.charAt(close + 1);
        boolean separated = (after == ' ' || after == '-') && isDigit(text.charAt(close + 2));
        return separated || isDigit(after) ? open + 1 : -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** What may stand between the digits of one phone number. */
    private static boolean isPhonePunctuation(char c) {
        return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '+' || c == '[' || c == ']'
                || c == '\u00a0' || c == '\u2010' || c == '\u2011' || c == '\u2013' || c == '\u2212';
    }

    /**
     * A number without {@code +} counts when it is laid out like a phone number: at least three
     * groups of digits (the first may be in parentheses), one kind of separator between them (the
     * space beside a parenthesis aside: {@code (415) 555-0132}),
     * groups of 2-4 digits (a leading trunk digit may stand alone), the last of 3 or more digits
     * (or, for numbers with a leading 0, at least four groups: {@code 01 23 45 67 89}); and not
     * shaped like an IPv4 address.
     */
    static boolean nationalLayout(String raw) {
        List<String> groups = new java.util.ArrayList<>();
        java.util.Set<Character> separators = new java.util.HashSet<>();
        int i = 0;
        int length = raw.length();
        while (i < length) {
            char c = raw.charAt(i);
            if (Character.isDigit(c)) {
                int start = i;
                while (i < length && Character.isDigit(raw.charAt(i))) {
                    i++;
                }
                groups.add(raw.substring(start, i));
                continue;
            }
            if (c == '(' || c == ')') {
                i++;
                continue;
            }
            if (c == ' ' || c == '-' || c == '.' || c == '/' || c == '\u00a0') {
                boolean besideParenthesis = (i > 0 && raw.charAt(i - 1) == ')') || (i + 1 < length && raw.charAt(i + 1) == '(');
                if (!besideParenthesis) {
                    separators.add(c == '\u00a0' ? ' ' : c);
                }
                if (i + 1 < length && !Character.isDigit(raw.charAt(i + 1)) && raw.charAt(i + 1) != '(') {
                    return false; // two separators in a row: columns of a table, not one number
                }
                i++;
                continue;
            }
            return false;
        }
        if (groups.size() < 3 || separators.size() > 1) {
            return false;
        }
        if (separators.contains('.') && groups.size() == 4 && groups.stream().allMatch(group -> group.length() <= 3)) {
            return false;
        }
        for (int g = 0; g < groups.size(); g++) {
            int size = groups.get(g).length();
            boolean trunk = g == 0 && size == 1;
            if (!trunk && (size < 2 || size > 4)) {
                return false;
            }
        }
        return groups.get(groups.size() - 1).length() >= 3 || (raw.charAt(0) == '0' && groups.size() >= 4);
    }

    private static boolean digitsOnly(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            if (!Character.isDigit(raw.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code CVE-2026-116303}, {@code x.415.555.0132}, {@code 415-555-0132-7}: part of a longer token. */
    private static boolean gluedToOtherToken(String text, int start, int end) {
        if (start >= 2 && (text.charAt(start - 1) == '-' || text.charAt(start - 1) == '.' || text.charAt(start - 1) == '/')
                && Character.isLetterOrDigit(text.charAt(start - 2))) {
            return true;
        }
        return end + 1 < text.length() && (text.charAt(end) == '-' || text.charAt(end) == '.' || text.charAt(end) == '/')
                && Character.isLetterOrDigit(text.charAt(end + 1));
    }

    /**
     * Under {@link PhoneRules#VERSION_2}, whether the number at {@code start} belongs to the token
     * before it: a dot, dash or slash after a letter or digit, unless after a phone word
     * ({@code Tel.415-555-0132}); or letters glued to it that make one letter, a version word, or
     * follow a digit or another joined token ({@code v1.415.555.0132}, {@code ORD-A415-555-0132}).
     */
    private static boolean gluedBeforeVersion2(String text, int start) {
        if (start == 0) {
            return false;
        }
        char before = text.charAt(start - 1);
        if (before == '-' || before == '.' || before == '/') {
            if (start < 2 || !Character.isLetterOrDigit(text.charAt(start - 2))) {
                return false;
            }
            int wordStart = start - 1;
            while (wordStart > 0 && Character.isLetter(text.charAt(wordStart - 1))) {
                wordStart--;
            }
            return !CONTEXT_WORDS.contains(text.substring(wordStart, start - 1).toLowerCase(Locale.ROOT));
        }
        if (!Character.isLetter(before)) {
            return false;
        }
        int wordStart = start - 1;
        while (wordStart > 0 && Character.isLetter(text.charAt(wordStart - 1))) {
            wordStart--;
        }
        String word = text.substring(wordStart, start).toLowerCase(Locale.ROOT);
        if (word.length() < 2 || VERSION_WORDS.contains(word)) {
            return true;
        }
        return wordStart > 0 && joinsToken(text, wordStart - 1, wordStart - 2);
    }

    /**
     * Under {@link PhoneRules#VERSION_2}, whether the number ending at {@code end} runs on into
     * another token: a dash or slash and a letter or digit, a dot and a digit
     * ({@code 415-555-0132-7}), or glued letters that make one letter or run on into a digit
     * ({@code 415-555-0132k}, {@code 415-555-0132abc1}). A dot and a letter is a sentence that
     * lacks its space ({@code 415-555-0132.Thanks}).
     */
    private static boolean gluedAfterVersion2(String text, int end) {
        int length = text.length();
        if (end + 1 >= length) {
            return end < length && Character.isLetter(text.charAt(end));
        }
        char after = text.charAt(end);
        if (after == '-' || after == '/') {
            return Character.isLetterOrDigit(text.charAt(end + 1));
        }
        if (after == '.') {
            return isDigit(text.charAt(end + 1));
        }
        if (!Character.isLetter(after)) {
            return false;
        }
        int wordEnd = end;
        while (wordEnd < length && Character.isLetter(text.charAt(wordEnd))) {
            wordEnd++;
        }
        return wordEnd - end < 2 || (wordEnd < length && joinsToken(text, wordEnd, wordEnd + 1));
    }

    /**
     * Whether the character at {@code index} joins the word beside it to more of one token: a digit,
     * an underscore, an at sign or a backslash, or a dot, dash or slash with a letter or digit at
     * {@code beyond} ({@code ORD-A415}, {@code abc.d}; not the full stop of {@code 415-555-0132Thanks.}).
     */
    private static boolean joinsToken(String text, int index, int beyond) {
        char c = text.charAt(index);
        if (Character.isDigit(c) || c == '_' || c == '@' || c == '\\') {
            return true;
        }
        return (c == '-' || c == '.' || c == '/') && beyond >= 0 && beyond < text.length() && Character.isLetterOrDigit(text.charAt(beyond));
    }

    /** A context word among the two words before {@code start}. */
    private static boolean afterContextWord(String text, int start) {
        int position = start;
        for (int word = 0; word < 2; word++) {
            while (position > 0 && !Character.isLetter(text.charAt(position - 1)) && start - position < 12) {
                position--;
            }
            int end = position;
            while (position > 0 && Character.isLetter(text.charAt(position - 1))) {
                position--;
            }
            if (end == position) {
                return false;
            }
            if (CONTEXT_WORDS.contains(text.substring(position, end).toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }
}
