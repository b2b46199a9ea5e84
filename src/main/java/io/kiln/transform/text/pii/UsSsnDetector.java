package io.kiln.transform.text.pii;

import java.util.List;

/**
 * US social security numbers written {@code AAA-GG-SSSS}, as the SSA issues them: never area
 * {@code 000}, {@code 666} or {@code 9xx}, group {@code 00} or serial {@code 0000}, and not the
 * two numbers known from advertising ({@code 078-05-1120}, {@code 219-09-9999}). Undashed nine-digit
 * numbers are too common in other roles to be taken.
 */
final class UsSsnDetector implements PiiDetector {
    @Override
    public PiiKind kind() {
        return PiiKind.US_SSN;
    }

    @Override
    public void find(String text, List<PiiMatch> matches) {
        int length = text.length();
        int from = 0;
        while (true) {
            int dash = text.indexOf('-', from);
            if (dash < 0 || dash + 8 > length) {
                return;
            }
            from = dash + 1;
            int start = dash - 3;
            int end = dash + 8;
            if (start < 0 || !digits(text, start, dash) || !digits(text, dash + 1, dash + 3) || text.charAt(dash + 3) != '-' || !digits(text, dash + 4, end)) {
                continue;
            }
            if (start > 0 && (isWordChar(text.charAt(start - 1)) || text.charAt(start - 1) == '.' || text.charAt(start - 1) == '-')) {
                continue;
            }
            if (end < length && (isWordChar(text.charAt(end))
                    || ((text.charAt(end) == '.' || text.charAt(end) == '-') && end + 1 < length && Character.isDigit(text.charAt(end + 1))))) {
                continue;
            }
            String area = text.substring(start, dash);
            String group = text.substring(dash + 1, dash + 3);
            String serial = text.substring(dash + 4, end);
            if (area.equals("000") || area.equals("666") || area.charAt(0) == '9' || group.equals("00") || serial.equals("0000")) {
                continue;
            }
            String digits = area + group + serial;
            if (digits.equals("078051120") || digits.equals("219099999")) {
                continue;
            }
            matches.add(new PiiMatch(PiiKind.US_SSN, start, end, digits));
            from = end;
        }
    }

    private static boolean digits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
