package io.kiln.transform.text.pii;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;

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
 * may be glued to a longer token ({@code CVE-2026-116303}).
 */
final class PhoneDetector implements PiiDetector {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final Set<String> CONTEXT_WORDS = Set.of(
            "phone", "telephone", "tel", "mobile", "cell", "fax", "call", "sms", "whatsapp", "contact", "dial", "ph");
    private static final int MINIMUM_DIGITS = 7;
    private static final int WINDOW_MARGIN = 8;

    private final String region;

    PhoneDetector(String region) {
        this.region = requireNonNull(region, "region is null");
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
                findIn(text, windowStart, Math.min(length, lastDigit + 1 + WINDOW_MARGIN), matches);
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
        int coveredUntil = windowStart;
        for (PhoneNumberMatch match : UTIL.findNumbers(window, region, PhoneNumberUtil.Leniency.VALID, Long.MAX_VALUE)) {
            int start = windowStart + match.start();
            int end = windowStart + match.end();
            String raw = match.rawString();
            boolean international = raw.startsWith("+");
            if (!international && !nationalLayout(raw) && !(digitsOnly(raw) && afterContextWord(text, start))) {
                continue;
            }
            if (gluedToOtherToken(text, start, end)) {
                continue;
            }
            matches.add(new PiiMatch(PiiKind.PHONE, start, end, UTIL.format(match.number(), PhoneNumberUtil.PhoneNumberFormat.E164)));
            coveredUntil = Math.max(coveredUntil, end);
        }
        for (int plus = text.indexOf('+', coveredUntil); plus >= 0 && plus < windowEnd; plus = text.indexOf('+', plus + 1)) {
            int end = internationalNumberEnd(text, plus, windowEnd);
            if (end > 0) {
                matches.add(new PiiMatch(PiiKind.PHONE, plus, end, text.substring(plus, end).replaceAll("[^0-9+]", "")));
                plus = end - 1;
            }
        }
    }

    /**
     * libphonenumber gives up on a stretch like "+44 20 7946 0958 45.33.32.156" (a number followed by
     * other numbers): from a {@code +} it missed, try the groups that follow, longest first, for a
     * valid international number; the end of the longest valid one, or -1.
     */
    private static int internationalNumberEnd(String text, int plus, int limit) {
        if (plus > 0 && (Character.isLetterOrDigit(text.charAt(plus - 1)) || text.charAt(plus - 1) == '+')) {
            return -1;
        }
        List<Integer> groupEnds = new java.util.ArrayList<>();
        StringBuilder digits = new StringBuilder("+");
        List<Integer> digitCounts = new java.util.ArrayList<>();
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
            if (position + 1 < limit && (text.charAt(position) == ' ' || text.charAt(position) == '-') && isDigit(text.charAt(position + 1))) {
                position++;
                continue;
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
