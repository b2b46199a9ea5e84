package io.kiln.transform.text.pii;

import java.util.ArrayList;
import java.util.List;

/**
 * Payment card numbers: 13 to 19 digits, contiguous or in the printed groups (4-4-4-4[-1..3],
 * Amex 4-6-5, Diners 4-6-4) separated by single spaces or dashes, never mixed; the number must
 * pass the Luhn check and start with a known issuer prefix for its length (Visa, Mastercard,
 * Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir). A number glued to letters, to a word and
 * a dash ({@code mpath-35333333000002328}) or to a decimal point is not a card.
 */
final class CreditCardDetector implements PiiDetector {
    @Override
    public PiiKind kind() {
        return PiiKind.CREDIT_CARD;
    }

    @Override
    public void find(String text, List<PiiMatch> matches) {
        int length = text.length();
        int i = 0;
        while (i < length) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                i++;
                continue;
            }
            int start = i;
            int digits = 0;
            int end = i;
            while (i < length) {
                char d = text.charAt(i);
                if (d >= '0' && d <= '9') {
                    digits++;
                    i++;
                    end = i;
                }
                else if ((d == ' ' || d == '-') && i + 1 < length && Character.isDigit(text.charAt(i + 1)) && end == i) {
                    i++;
                }
                else {
                    break;
                }
            }
            if (digits < 13) {
                continue;
            }
            if (start > 0 && (isGlue(text.charAt(start - 1)) || (start > 1 && text.charAt(start - 1) == '-' && Character.isLetterOrDigit(text.charAt(start - 2))))) {
                start = nextGroup(text, start, end); // the first group belongs to a word or a decimal number
            }
            if (end < length && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_'
                    || ((text.charAt(end) == '.' || text.charAt(end) == ',') && end + 1 < length && Character.isDigit(text.charAt(end + 1))))) {
                end = lastGroupStart(text, start, end); // and so does the last
            }
            if (start < end) {
                findInRun(text, start, end, matches);
            }
        }
    }

    /** The start of the group after the one at {@code start}, or {@code end}. */
    private static int nextGroup(String text, int start, int end) {
        int position = start;
        while (position < end && Character.isDigit(text.charAt(position))) {
            position++;
        }
        return Math.min(end, position + 1);
    }

    /** The end of the group before the last one, or {@code start}. */
    private static int lastGroupStart(String text, int start, int end) {
        int position = end;
        while (position > start && Character.isDigit(text.charAt(position - 1))) {
            position--;
        }
        return Math.max(start, position - 1);
    }

    private static boolean isGlue(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ',';
    }

    /** From the left, the longest window of whole groups that is a card. */
    private static void findInRun(String text, int runStart, int runEnd, List<PiiMatch> matches) {
        List<int[]> groups = new ArrayList<>();
        int groupStart = runStart;
        for (int i = runStart; i <= runEnd; i++) {
            if (i == runEnd || !Character.isDigit(text.charAt(i))) {
                groups.add(new int[] {groupStart, i});
                groupStart = i + 1;
            }
        }
        int first = 0;
        while (first < groups.size()) {
            int found = -1;
            int total = 0;
            for (int last = first; last < groups.size(); last++) {
                total += groups.get(last)[1] - groups.get(last)[0];
                if (total > 19) {
                    break;
                }
                if (isCard(text, groups, first, last)) {
                    found = last;
                }
            }
            if (found < 0) {
                first++;
                continue;
            }
            int start = groups.get(first)[0];
            int end = groups.get(found)[1];
            matches.add(new PiiMatch(PiiKind.CREDIT_CARD, start, end, digits(text, start, end)));
            first = found + 1;
        }
    }

    private static boolean isCard(String text, List<int[]> groups, int first, int last) {
        int count = last - first + 1;
        int[] lengths = new int[count];
        int total = 0;
        for (int i = 0; i < count; i++) {
            int[] group = groups.get(first + i);
            lengths[i] = group[1] - group[0];
            total += lengths[i];
        }
        if (total < 13 || total > 19) {
            return false;
        }
        if (count > 1) {
            char separator = text.charAt(groups.get(first)[1]);
            for (int i = first + 1; i < last; i++) {
                if (text.charAt(groups.get(i)[1]) != separator) {
                    return false;
                }
            }
            if (!printedGrouping(lengths)) {
                return false;
            }
        }
        String number = digits(text, groups.get(first)[0], groups.get(last)[1]);
        return luhn(number) && knownIssuer(number);
    }

    private static boolean printedGrouping(int[] lengths) {
        if (lengths.length == 3 && lengths[0] == 4 && lengths[1] == 6 && (lengths[2] == 5 || lengths[2] == 4)) {
            return true;
        }
        for (int i = 0; i < lengths.length - 1; i++) {
            if (lengths[i] != 4) {
                return false;
            }
        }
        int lastLength = lengths[lengths.length - 1];
        return lastLength >= 1 && lastLength <= 4 && lengths.length >= 4;
    }

    static boolean luhn(String number) {
        int sum = 0;
        boolean doubled = false;
        for (int i = number.length() - 1; i >= 0; i--) {
            int digit = number.charAt(i) - '0';
            if (doubled) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }

    static boolean knownIssuer(String number) {
        int length = number.length();
        int two = Integer.parseInt(number.substring(0, 2));
        int three = Integer.parseInt(number.substring(0, 3));
        int four = Integer.parseInt(number.substring(0, 4));
        int six = Integer.parseInt(number.substring(0, 6));
        if (number.charAt(0) == '4') {
            return length == 13 || length == 16 || length == 19; // Visa
        }
        if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) {
            return length == 16; // Mastercard
        }
        if (two == 34 || two == 37) {
            return length == 15; // American Express
        }
        if (four >= 2200 && four <= 2204) {
            return length >= 16; // Mir
        }
        if (four == 6011 || (three >= 644 && three <= 649) || two == 65 || (six >= 622126 && six <= 622925)) {
            return length >= 16; // Discover
        }
        if ((three >= 300 && three <= 305) || four == 3095 || two == 36 || two == 38 || two == 39) {
            return length >= 14; // Diners Club
        }
        if (four >= 3528 && four <= 3589) {
            return length >= 16; // JCB
        }
        if (two == 62) {
            return length >= 16; // UnionPay
        }
        return four == 5018 || four == 5020 || four == 5038 || four == 5893 || four == 6304 || four == 6759
                || (four >= 6761 && four <= 6763); // Maestro, 13-19
    }

    private static String digits(String text, int start, int end) {
        StringBuilder digits = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            }
        }
        return digits.toString();
    }
}
