package io.kiln.transform.text.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials with a recognizable shape: AWS access key ids ({@code AKIA...}, {@code ASIA...}) and a
 * 40-character AWS secret key after an {@code aws_secret_access_key}-like name, GitHub tokens
 * ({@code ghp_}, {@code gho_}, {@code ghu_}, {@code ghs_}, {@code ghr_}, {@code github_pat_}), Slack
 * tokens ({@code xoxb-}...) and webhooks, Stripe keys ({@code sk_live_}, {@code rk_live_}, and their
 * test twins), Google API keys ({@code AIza...}), JSON web tokens (three base64url parts, the first
 * two JSON objects) and PEM private key blocks ({@code -----BEGIN ... PRIVATE KEY-----} with a body
 * of at least 64 base64 characters; the whole block through its END line, or through the last
 * base64 line when the END line is missing). Each shape is tried only where its literal prefix
 * occurs, at the start of a token.
 */
final class SecretDetector implements PiiDetector {
    private record Shape(String prefix, Pattern pattern, int group) {}

    private static final Pattern GITHUB_CLASSIC = Pattern.compile("gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])");
    private static final Pattern STRIPE = Pattern.compile("[sr]k_(?:live|test)_[0-9A-Za-z]{16,247}(?![A-Za-z0-9_])");
    private static final List<Shape> SHAPES = List.of(
            new Shape("AKIA", Pattern.compile("AKIA[0-9A-Z]{16}(?![0-9A-Za-z_])"), 0),
            new Shape("ASIA", Pattern.compile("ASIA[0-9A-Z]{16}(?![0-9A-Za-z_])"), 0),
            new Shape("ghp_", GITHUB_CLASSIC, 0),
            new Shape("gho_", GITHUB_CLASSIC, 0),
            new Shape("ghu_", GITHUB_CLASSIC, 0),
            new Shape("ghs_", GITHUB_CLASSIC, 0),
            new Shape("ghr_", GITHUB_CLASSIC, 0),
            new Shape("github_pat_", Pattern.compile("github_pat_[A-Za-z0-9_]{22,255}"), 0),
            new Shape("xox", Pattern.compile("xox[abposr]-[0-9A-Za-z-]{10,250}"), 0),
            new Shape("https://hooks.slack.com/services/", Pattern.compile("https://hooks\\.slack\\.com/services/T[0-9A-Z]{6,}/B[0-9A-Z]{6,}/[0-9A-Za-z]{16,}"), 0),
            new Shape("sk_live_", STRIPE, 0),
            new Shape("rk_live_", STRIPE, 0),
            new Shape("sk_test_", STRIPE, 0),
            new Shape("rk_test_", STRIPE, 0),
            new Shape("AIza", Pattern.compile("AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), 0),
            new Shape("eyJ", Pattern.compile("eyJ[A-Za-z0-9_-]{8,}={0,2}\\.eyJ[A-Za-z0-9_-]{8,}={0,2}\\.[A-Za-z0-9_-]{16,}={0,2}"), 0));
    private static final Pattern AWS_SECRET = Pattern.compile(
            "(?i)aws_?(?:secret_?access_?key|secret_?key|secret)[\"']?\\s*[=:]\\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])");
    @SuppressWarnings("unchecked")
    private static final List<Shape>[] SHAPES_BY_FIRST_CHAR = new List[128];

    static {
        for (Shape shape : SHAPES) {
            char first = shape.prefix().charAt(0);
            List<Shape> shapes = SHAPES_BY_FIRST_CHAR[first] == null ? new java.util.ArrayList<>() : new java.util.ArrayList<>(SHAPES_BY_FIRST_CHAR[first]);
            shapes.add(shape);
            SHAPES_BY_FIRST_CHAR[first] = List.copyOf(shapes);
        }
    }

    private static final List<String> AWS_SPELLINGS = List.of("aws", "AWS", "Aws");
    private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----");
    private static final Pattern PEM_END = Pattern.compile("-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----");
    private static final int MINIMUM_KEY_BODY = 64;
    private static final int MAXIMUM_KEY_BLOCK = 64 * 1024;

    @Override
    public PiiKind kind() {
        return PiiKind.SECRET;
    }

    @Override
    public void find(String text, List<PiiMatch> matches) {
        // one pass over the text, looking at the shapes whose prefix starts with the character at hand
        int length = text.length();
        for (int at = 0; at < length; at++) {
            char c = text.charAt(at);
            if (c >= 128 || SHAPES_BY_FIRST_CHAR[c] == null || (at > 0 && isTokenChar(text.charAt(at - 1)))) {
                continue;
            }
            for (Shape shape : SHAPES_BY_FIRST_CHAR[c]) {
                if (!text.startsWith(shape.prefix(), at)) {
                    continue;
                }
                Matcher matcher = shape.pattern().matcher(text).region(at, length);
                if (matcher.lookingAt()) {
                    matches.add(new PiiMatch(PiiKind.SECRET, matcher.start(), matcher.end(), matcher.group()));
                    at = matcher.end() - 1;
                    break;
                }
            }
        }
        for (String spelling : AWS_SPELLINGS) {
            for (int at = text.indexOf(spelling); at >= 0; at = text.indexOf(spelling, at + 1)) {
                if (at > 0 && Character.isLetterOrDigit(text.charAt(at - 1))) {
                    continue; // laws, draws
                }
                Matcher matcher = AWS_SECRET.matcher(text).region(at, Math.min(text.length(), at + 120));
                if (matcher.lookingAt()) {
                    matches.add(new PiiMatch(PiiKind.SECRET, matcher.start(1), matcher.end(1), matcher.group(1)));
                }
            }
        }
        if (text.contains("PRIVATE KEY")) {
            findPrivateKeys(text, matches);
        }
    }

    private static void findPrivateKeys(String text, List<PiiMatch> matches) {
        Matcher begin = PEM_BEGIN.matcher(text);
        int from = 0;
        while (from < text.length() && begin.find(from)) {
            int limit = (int) Math.min(text.length(), (long) begin.end() + MAXIMUM_KEY_BLOCK);
            Matcher end = PEM_END.matcher(text).region(begin.end(), limit);
            int blockEnd;
            int bodyEnd;
            if (end.find()) {
                bodyEnd = end.start();
                blockEnd = end.end();
            }
            else {
                bodyEnd = base64LinesEnd(text, begin.end(), limit);
                blockEnd = bodyEnd;
            }
            from = Math.max(begin.end(), blockEnd);
            if (base64Characters(text, begin.end(), bodyEnd) >= MINIMUM_KEY_BODY) {
                matches.add(new PiiMatch(PiiKind.SECRET, begin.start(), blockEnd, text.substring(begin.start(), blockEnd)));
            }
        }
    }

    /** The end of the base64 lines (and {@code Name: value} headers) following a BEGIN line. */
    private static int base64LinesEnd(String text, int from, int limit) {
        int position = from;
        int end = from;
        while (position < limit) {
            int lineEnd = text.indexOf('\n', position + 1);
            if (lineEnd < 0 || lineEnd > limit) {
                lineEnd = limit;
            }
            String line = text.substring(position, lineEnd).strip();
            if (!line.isEmpty() && !line.matches("[A-Za-z0-9+/=]+|[A-Za-z-]+: .*")) {
                break;
            }
            if (!line.isEmpty()) {
                end = position + text.substring(position, lineEnd).stripTrailing().length();
            }
            position = lineEnd;
            if (line.isEmpty() && end > from) {
                break;
            }
        }
        return end;
    }

    private static int base64Characters(String text, int from, int to) {
        int count = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') {
                count++;
            }
        }
        return count;
    }

    private static boolean isTokenChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
