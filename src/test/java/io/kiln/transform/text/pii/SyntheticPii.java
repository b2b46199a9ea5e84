package io.kiln.transform.text.pii;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

/**
 * SYNTHETIC personal data for evaluating {@code pii-redact}: every value is made up from a seeded
 * {@link Random}, so a seed always gives the same values. Values are written the ways people write
 * them (several formats per kind) and come with a short sentence to plant them into real text.
 */
public final class SyntheticPii {
    /** A planted value: its kind, how it is written, and the sentence that carries it ({@code %s} marks the value). */
    public record Planted(PiiKind kind, String value, String sentence) {}

    private static final String[] FIRST = {"anna", "ben", "carla", "dmitri", "elif", "farid", "grace", "hiro", "ines", "jonas",
            "kemal", "lucia", "mateo", "nora", "olu", "priya", "quentin", "rosa", "sven", "tariq", "uma", "vera", "wei", "ximena", "yusuf", "zoe"};
    private static final String[] LAST = {"novak", "schmidt", "garcia", "okafor", "tanaka", "dubois", "kowalski", "silva", "nguyen",
            "haddad", "larsen", "moreau", "ivanova", "brown", "costa", "fischer", "yilmaz", "rossi", "kim", "andersson"};
    private static final String[] DOMAINS = {"example.com", "mail.example.org", "corp.example.net", "uni-example.edu", "example.co.uk",
            "post.example.de", "example.io", "lists.example.fr", "example.com.br", "dept.example.ac.jp"};
    private static final String[] PHONE_REGIONS = {"US", "US", "US", "GB", "DE", "FR", "IN", "BR", "JP", "AU", "CA", "ES", "IT", "NL", "MX", "ZA"};
    private static final String[][] IBAN_COUNTRIES = {{"DE", "18", "n"}, {"FR", "23", "m"}, {"GB", "18", "g"}, {"ES", "20", "n"},
            {"IT", "23", "i"}, {"NL", "14", "l"}, {"BE", "12", "n"}, {"CH", "17", "n"}, {"AT", "16", "n"}, {"PL", "24", "n"}, {"SE", "20", "n"}, {"NO", "11", "n"}};
    private static final String[] CARD_PREFIXES = {"4", "4", "51", "52", "55", "2221", "2720", "34", "37", "6011", "65", "3528", "36", "62"};
    private static final String[] CONTEXTS = {
            "Contact: %s", "Please write to %s for details.", "(reported by %s)", "value was %s,", "see %s.", "- %s",
            "%s", "Reach the maintainer at %s today.", "[%s]", "\"%s\""};

    /** Area codes in use (geographic and toll-free), for US numbers in mail. */
    private static final String[] US_AREA_CODES = {"212", "213", "305", "312", "408", "415", "503", "512", "617", "646", "702",
            "718", "773", "800", "847", "877", "888", "909", "919", "949", "972"};
    /** Extension markers as people write them; the extension's digits follow. */
    private static final String[] EXTENSION_MARKERS = {" x", " x ", " x.", " X", " ext. ", " ext.", " ext ", " Ext. ", " Ext ", " EXT ",
            " ext: ", " extension ", " Extension ", " #", ", ext. ", ", x"};
    /** Extensions of 1-6 digits, most of 2-4. */
    private static final Integer[] EXTENSION_LENGTHS = {1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 6};
    /**
     * How mail carries a phone number: signature blocks (several lines, a second number beside it),
     * numbers glued to the word or punctuation before or after them.
     */
    private static final String[] MAIL_CONTEXTS = {
            "T: %s | Acme Corp", "Tel.: %s", "Tel.:%s", "Tel.%s", "call:%s", "Call me at %s.", "please call %s;", "phone=%s",
            "Phone: %s\nFax: (415) 555-0199", "order to%s", "reach me at%s today", "Direct: %s | Mobile: 415-555-0133",
            "Jane Doe | Sales\nAcme Corp\nT: %s | M: 415-555-0133\nhttps://acme.example", "Best,\nSam\n%s",
            "Office %s, fax 212-555-0147", "Ph:%s", "Mobile-%s", "%s.", "at %s.Thanks", "(%s)", "\"%s\"", "o: %s\nc: 646.555.0178"};

    private final Random random;
    private final PhoneNumberUtil phones = PhoneNumberUtil.getInstance();

    public SyntheticPii(long seed) {
        this.random = new Random(seed);
    }

    public Planted next(PiiKind kind) {
        String value = switch (kind) {
            case EMAIL -> email();
            case PHONE -> phone();
            case IP_ADDRESS -> random.nextInt(3) == 0 ? ipv6() : ipv4();
            case CREDIT_CARD -> card();
            case IBAN -> iban();
            case US_SSN -> ssn();
            case SECRET -> secret();
        };
        return new Planted(kind, value, pick(CONTEXTS));
    }

    String email() {
        String first = pick(FIRST);
        String last = pick(LAST);
        String local = switch (random.nextInt(6)) {
            case 0 -> first + "." + last;
            case 1 -> first.charAt(0) + last + random.nextInt(100);
            case 2 -> first + "+" + pick(new String[] {"lists", "debian", "bugs"});
            case 3 -> first + "_" + last;
            case 4 -> capitalize(first) + "." + capitalize(last);
            default -> last + "-" + first;
        };
        return local + "@" + pick(DOMAINS);
    }

    String phone() {
        String region = pick(PHONE_REGIONS);
        PhoneNumber number = validNumber(region);
        int format = random.nextInt(region.equals("US") ? 7 : 3);
        return switch (format) {
            case 0 -> phones.format(number, PhoneNumberUtil.PhoneNumberFormat.INTERNATIONAL);
            case 1 -> phones.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
            case 2 -> phones.format(number, PhoneNumberUtil.PhoneNumberFormat.RFC3966).replace("tel:", "");
            case 3 -> phones.format(number, PhoneNumberUtil.PhoneNumberFormat.NATIONAL);
            case 4 -> national(number).replaceAll("(\\d{3})(\\d{3})(\\d{4})", "$1-$2-$3");
            case 5 -> national(number).replaceAll("(\\d{3})(\\d{3})(\\d{4})", "$1.$2.$3");
            default -> "+1 (" + national(number).substring(0, 3) + ") " + national(number).substring(3, 6) + "-" + national(number).substring(6);
        };
    }

    /**
     * A US phone number as mail writes it, in a sentence to plant: national, trunk ({@code 1-415-...},
     * {@code 1 (415) ...}, {@code 1415-...}) and {@code +1} layouts; half of them with an extension
     * ({@code x101}, {@code ext. 213}, {@code #204}, 1-6 digits), which is part of the value; in a
     * signature line or glued to the word or punctuation around it ({@code call:%s}, {@code Tel.%s},
     * {@code order to%s}, {@code %s.}). Uses this generator's random numbers like the other methods,
     * so call it on a generator of its own to keep their values as they are.
     */
    public Planted nextUsMailPhone() {
        String national;
        PhoneNumber number;
        do {
            national = pick(US_AREA_CODES) + (2 + random.nextInt(8)) + digits(2) + digits(4);
            number = new PhoneNumber().setCountryCode(1).setNationalNumber(Long.parseLong(national));
        }
        while (!phones.isValidNumberForRegion(number, "US"));
        String area = national.substring(0, 3);
        String exchange = national.substring(3, 6);
        String line = national.substring(6);
        String value = switch (random.nextInt(12)) {
            case 0 -> area + "-" + exchange + "-" + line;
            case 1 -> "(" + area + ") " + exchange + "-" + line;
            case 2 -> area + "." + exchange + "." + line;
            case 3 -> area + " " + exchange + " " + line;
            case 4 -> "(" + area + ")" + exchange + "-" + line;
            case 5 -> "1-" + area + "-" + exchange + "-" + line;
            case 6 -> "1 (" + area + ") " + exchange + "-" + line;
            case 7 -> "+1-" + area + "-" + exchange + "-" + line;
            case 8 -> "+1 " + area + " " + exchange + " " + line;
            case 9 -> "1." + area + "." + exchange + "." + line;
            case 10 -> "1" + area + "-" + exchange + "-" + line;
            default -> "+1 (" + area + ") " + exchange + "-" + line;
        };
        if (random.nextBoolean()) {
            value += pick(EXTENSION_MARKERS) + digits(pick(EXTENSION_LENGTHS));
        }
        return new Planted(PiiKind.PHONE, value, pick(MAIL_CONTEXTS));
    }

    private String national(PhoneNumber number) {
        return phones.getNationalSignificantNumber(number);
    }

    private PhoneNumber validNumber(String region) {
        PhoneNumber example = phones.getExampleNumberForType(region, random.nextBoolean()
                ? PhoneNumberUtil.PhoneNumberType.MOBILE : PhoneNumberUtil.PhoneNumberType.FIXED_LINE);
        String national = phones.getNationalSignificantNumber(example);
        for (int attempt = 0; attempt < 1000; attempt++) {
            char[] digits = national.toCharArray();
            for (int i = Math.min(3, digits.length - 4); i < digits.length; i++) {
                digits[i] = (char) ('0' + random.nextInt(10));
            }
            PhoneNumber candidate = new PhoneNumber().setCountryCode(example.getCountryCode()).setNationalNumber(Long.parseLong(new String(digits)));
            if (example.hasItalianLeadingZero()) {
                candidate.setItalianLeadingZero(true);
            }
            if (phones.isValidNumberForRegion(candidate, region)) {
                return candidate;
            }
        }
        return example;
    }

    String ipv4() {
        int first;
        do {
            first = 1 + random.nextInt(223);
        }
        while (first == 10 || first == 100 || first == 127 || first == 169 || first == 172 || first == 192 || first == 198 || first == 203);
        return first + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    String ipv6() {
        int[] groups = new int[8];
        groups[0] = 0x2001 + random.nextInt(0x100);
        for (int i = 1; i < 8; i++) {
            groups[i] = random.nextInt(4) == 0 ? 0 : random.nextInt(0x10000);
        }
        groups[4] = 0;
        groups[5] = 0;
        StringBuilder full = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            full.append(i > 0 ? ":" : "").append(Integer.toHexString(groups[i]));
        }
        String text = full.toString();
        return switch (random.nextInt(3)) {
            case 0 -> text;
            case 1 -> text.replaceFirst(":0:0(:0)*:", "::");
            default -> text.replaceFirst(":0:0(:0)*:", "::").toUpperCase();
        };
    }

    String card() {
        String prefix = pick(CARD_PREFIXES);
        int length = prefix.startsWith("3") && !prefix.equals("3528") ? (prefix.equals("36") ? 14 : 15) : 16;
        StringBuilder digits = new StringBuilder(prefix);
        while (digits.length() < length - 1) {
            digits.append(random.nextInt(10));
        }
        for (int check = 0; check < 10; check++) {
            if (CreditCardDetector.luhn(digits.toString() + check)) {
                digits.append(check);
                break;
            }
        }
        String number = digits.toString();
        return switch (random.nextInt(3)) {
            case 0 -> number;
            case 1 -> length == 16 ? number.replaceAll("(\\d{4})(?=\\d)", "$1 ") : number.replaceAll("^(\\d{4})(\\d{6})(\\d+)$", "$1 $2 $3");
            default -> length == 16 ? number.replaceAll("(\\d{4})(?=\\d)", "$1-") : number.replaceAll("^(\\d{4})(\\d{6})(\\d+)$", "$1-$2-$3");
        };
    }

    String iban() {
        String[] country = pick(IBAN_COUNTRIES);
        int length = Integer.parseInt(country[1]);
        StringBuilder account = new StringBuilder();
        if (country[2].equals("g")) {
            account.append(letters(4));
        }
        if (country[2].equals("i")) {
            account.append(letters(1));
        }
        while (account.length() < length) {
            account.append(random.nextInt(10));
        }
        String bban = account.toString();
        String numeric = toNumeric(bban + country[0] + "00");
        int check = 98 - new BigInteger(numeric).mod(BigInteger.valueOf(97)).intValue();
        String iban = country[0] + String.format("%02d", check) + bban;
        return random.nextBoolean() ? iban : iban.replaceAll("(.{4})(?=.)", "$1 ");
    }

    String ssn() {
        int area;
        do {
            area = 1 + random.nextInt(899);
        }
        while (area == 666);
        return String.format("%03d-%02d-%04d", area, 1 + random.nextInt(99), 1 + random.nextInt(9999));
    }

    String secret() {
        return switch (random.nextInt(8)) {
            case 0 -> "AKIA" + upperAlnum(16);
            case 1 -> "ghp_" + alnum(36);
            case 2 -> "github_pat_" + alnum(22) + "_" + alnum(59);
            case 3 -> "xoxb-" + digits(12) + "-" + digits(13) + "-" + alnum(24);
            case 4 -> "sk_live_" + alnum(24);
            case 5 -> "AIza" + alnum(35);
            case 6 -> jwt();
            default -> privateKey();
        };
    }

    private String jwt() {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        String header = encoder.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = encoder.encodeToString(("{\"sub\":\"" + digits(10) + "\",\"name\":\"" + pick(FIRST) + "\",\"iat\":" + digits(10) + "}").getBytes(StandardCharsets.UTF_8));
        byte[] signature = new byte[32];
        random.nextBytes(signature);
        return header + "." + payload + "." + encoder.encodeToString(signature);
    }

    private String privateKey() {
        byte[] body = new byte[300];
        random.nextBytes(body);
        String encoded = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(body);
        String type = pick(new String[] {"RSA ", "EC ", "OPENSSH ", ""});
        return "-----BEGIN " + type + "PRIVATE KEY-----\n" + encoded + "\n-----END " + type + "PRIVATE KEY-----";
    }

    private static String toNumeric(String text) {
        StringBuilder numeric = new StringBuilder();
        for (char c : text.toCharArray()) {
            numeric.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return numeric.toString();
    }

    private String letters(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append((char) ('A' + random.nextInt(26)));
        }
        return text.toString();
    }

    private String digits(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append((char) ('0' + random.nextInt(10)));
        }
        return text.toString();
    }

    private String alnum(int count) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private String upperAlnum(int count) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static String capitalize(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    static List<PiiKind> plantedKinds() {
        return List.of(PiiKind.values());
    }
}
