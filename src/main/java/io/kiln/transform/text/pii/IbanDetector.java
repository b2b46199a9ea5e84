package io.kiln.transform.text.pii;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * International bank account numbers: a country code with a known IBAN length, two check digits
 * and the account part in upper-case letters and digits, either compact or in groups of four
 * separated by single spaces; exactly the country's length, ending at a word boundary, and the
 * ISO 13616 mod-97 checksum must hold.
 */
final class IbanDetector implements PiiDetector {
    private static final Map<String, Integer> LENGTHS = lengths(
            "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 "
                    + "ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 "
                    + "LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 "
                    + "PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 "
                    + "VG24 XK20 YE30");
    private static final int[] LENGTH_BY_CODE = new int[26 * 26];

    static {
        LENGTHS.forEach((code, length) -> LENGTH_BY_CODE[(code.charAt(0) - 'A') * 26 + (code.charAt(1) - 'A')] = length);
    }

    private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);

    @Override
    public PiiKind kind() {
        return PiiKind.IBAN;
    }

    @Override
    public void find(String text, List<PiiMatch> matches) {
        int length = text.length();
        for (int i = 0; i + 15 <= length; i++) {
            if (!isUpper(text.charAt(i)) || !isUpper(text.charAt(i + 1)) || !isDigit(text.charAt(i + 2)) || !isDigit(text.charAt(i + 3))) {
                continue;
            }
            if (i > 0 && isWordChar(text.charAt(i - 1))) {
                continue;
            }
            int expected = LENGTH_BY_CODE[(text.charAt(i) - 'A') * 26 + (text.charAt(i + 1) - 'A')];
            if (expected == 0) {
                continue;
            }
            int end = scan(text, i, expected);
            if (end < 0) {
                continue;
            }
            String compact = compact(text, i, end);
            if (checksumHolds(compact)) {
                matches.add(new PiiMatch(PiiKind.IBAN, i, end, compact));
                i = end - 1;
            }
        }
    }

    /** The end of {@code expected} IBAN characters from {@code start}, grouped by fours or compact, or -1. */
    private static int scan(String text, int start, int expected) {
        int length = text.length();
        int collected = 0;
        int position = start;
        int inGroup = 0;
        boolean spaced = false;
        while (collected < expected) {
            if (position >= length) {
                return -1;
            }
            char c = text.charAt(position);
            if (isUpper(c) || isDigit(c)) {
                collected++;
                inGroup++;
                position++;
                if (spaced && inGroup > 4) {
                    return -1;
                }
                continue;
            }
            if (c == ' ' && inGroup == 4 && position + 1 < length && (isUpper(text.charAt(position + 1)) || isDigit(text.charAt(position + 1)))) {
                if (!spaced && collected != 4) {
                    return -1; // compact so far, then a space: not the printed form
                }
                spaced = true;
                inGroup = 0;
                position++;
                continue;
            }
            return -1;
        }
        if (position < length && isWordChar(text.charAt(position))) {
            return -1;
        }
        return position;
    }

    static boolean checksumHolds(String iban) {
        int check = (iban.charAt(2) - '0') * 10 + (iban.charAt(3) - '0');
        if (check < 2 || check > 98) {
            return false;
        }
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        StringBuilder numeric = new StringBuilder(rearranged.length() * 2);
        for (int i = 0; i < rearranged.length(); i++) {
            char c = rearranged.charAt(i);
            if (isDigit(c)) {
                numeric.append(c);
            }
            else {
                numeric.append(c - 'A' + 10);
            }
        }
        return new BigInteger(numeric.toString()).mod(NINETY_SEVEN).intValue() == 1;
    }

    private static String compact(String text, int start, int end) {
        StringBuilder compact = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            if (text.charAt(i) != ' ') {
                compact.append(text.charAt(i));
            }
        }
        return compact.toString();
    }

    private static Map<String, Integer> lengths(String table) {
        Map<String, Integer> lengths = new HashMap<>();
        for (String entry : table.trim().split(" +")) {
            lengths.put(entry.substring(0, 2), Integer.parseInt(entry.substring(2)));
        }
        return Map.copyOf(lengths);
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
