package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Takes the privacy rules ({@link PrivacyRule}: {@code KAnonymity}, {@code LDiversity},
 * {@code EntropyLDiversity}) out of a suite's {@code Rules = [ ... ]} list before DQDL parses it. Each
 * such item is blanked (its characters replaced by spaces, newlines kept, so DQDL's line numbers stay
 * right), and so is one comma per item, so that the DQDL rules left are a well-formed list; when no
 * DQDL rule is left, the whole {@code Rules = [ ... ]} section is blanked.
 */
final class PrivacyRuleParser {
    private static final String RULES_SECTION = "Rules";

    private PrivacyRuleParser() {}

    /** The text for DQDL and the privacy rules taken out of it, in suite order. */
    record Extraction(String dqdl, List<PrivacyRule> rules) {
        Extraction {
            requireNonNull(dqdl, "dqdl is null");
            rules = List.copyOf(rules);
        }
    }

    /** A top-level item of the {@code Rules} list: {@code [start, end)}; {@code comma} is the index of the ',' that ends it, or -1. */
    private record Segment(int start, int end, int comma) {}

    /**
     * Extracts the privacy rules of {@code text} (a suite whose Anomalies block is already blanked). A
     * {@code Rules} section that is missing or not closed is left to DQDL as it is.
     */
    static Extraction extract(String text) {
        requireNonNull(text, "text is null");
        int open = SuiteParser.findSection(text, RULES_SECTION);
        if (open < 0) {
            return new Extraction(text, List.of());
        }
        List<Segment> segments = new ArrayList<>();
        int close = segments(text, open, segments);
        if (close < 0) {
            return new Extraction(text, List.of());
        }
        List<PrivacyRule> rules = new ArrayList<>();
        boolean[] privacy = new boolean[segments.size()];
        for (int s = 0; s < segments.size(); s++) {
            Segment segment = segments.get(s);
            Optional<PrivacyRule.Kind> kind = kindOf(text, segment);
            if (kind.isPresent()) {
                privacy[s] = true;
                rules.add(parse(text, segment, kind.get()));
            }
        }
        if (rules.isEmpty()) {
            return new Extraction(text, List.of());
        }
        StringBuilder dqdl = new StringBuilder(text);
        boolean dqdlLeft = false;
        for (int s = 0; s < segments.size(); s++) {
            if (privacy[s]) {
                continue;
            }
            Segment segment = segments.get(s);
            if (text.substring(segment.start(), segment.end()).replaceAll("#[^\n]*", "").isBlank()) {
                int at = s == 0 ? open - 1 : segments.get(s - 1).comma();
                throw new EngineException(ErrorCode.INVALID_RULES, String.format(
                        "line %d: empty rule in %s = [ ... ] (a ',' too many?)", SuiteParser.line(text, at), RULES_SECTION));
            }
            dqdlLeft = true;
        }
        if (!dqdlLeft) {
            blank(dqdl, sectionStart(text, open), close + 1);
            return new Extraction(dqdl.toString(), rules);
        }
        // keep the comma just before each DQDL item but the first; blank the privacy items and the other commas
        boolean keptOne = false;
        for (int s = 0; s < segments.size(); s++) {
            Segment segment = segments.get(s);
            if (privacy[s]) {
                blank(dqdl, segment.start(), segment.end());
            }
            else {
                keptOne = true;
            }
            if (segment.comma() >= 0) {
                boolean beforeKept = keptOne && !privacy[s + 1];
                if (!beforeKept) {
                    dqdl.setCharAt(segment.comma(), ' ');
                }
            }
        }
        return new Extraction(dqdl.toString(), rules);
    }

    /** Collects the top-level items after {@code open}; returns the index of the closing ']', or -1. */
    private static int segments(String text, int open, List<Segment> segments) {
        int depth = 0;
        int start = open;
        int i = open;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                i = SuiteParser.endOfLine(text, i);
                continue;
            }
            if (c == '"') {
                i = SuiteParser.endOfString(text, i);
                continue;
            }
            if (c == '[' || c == '(') {
                depth++;
            }
            else if ((c == ']' || c == ')') && depth > 0) {
                depth--;
            }
            else if (depth == 0 && c == ',') {
                segments.add(new Segment(start, i, i));
                start = i + 1;
            }
            else if (depth == 0 && c == ']') {
                segments.add(new Segment(start, i, -1));
                return i;
            }
            i++;
        }
        return -1;
    }

    private static Optional<PrivacyRule.Kind> kindOf(String text, Segment segment) {
        int first = SuiteParser.skipBlankAndComments(text, segment.start());
        int end = first;
        while (end < segment.end() && isWordChar(text.charAt(end))) {
            end++;
        }
        return end == first ? Optional.empty() : PrivacyRule.Kind.fromSuiteName(text.substring(first, end));
    }

    /** Where {@code Rules = [} starts, given the index just after its '['. */
    private static int sectionStart(String text, int open) {
        int i = open - 2;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        i--; // the '='
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        return i + 1 - RULES_SECTION.length();
    }

    private static void blank(StringBuilder text, int from, int to) {
        for (int k = from; k < to; k++) {
            if (text.charAt(k) != '\n') {
                text.setCharAt(k, ' ');
            }
        }
    }

    private enum TokenKind { WORD, STRING, NUMBER, OPERATOR, OPEN, CLOSE, COMMA, OTHER }

    private record Token(TokenKind kind, String text) {
        String shown() {
            return kind == TokenKind.STRING ? PrivacyRule.quoted(text) : text;
        }
    }

    private static PrivacyRule parse(String text, Segment segment, PrivacyRule.Kind kind) {
        int line = SuiteParser.line(text, SuiteParser.skipBlankAndComments(text, segment.start()));
        List<Token> tokens = tokenize(text, segment.start(), segment.end());
        String name = kind.suiteName();
        String hint = ", e.g. " + kind.example();
        int i = 1;
        Optional<String> sensitive = Optional.empty();
        if (kind.needsSensitiveColumn()) {
            if (kindAt(tokens, i) != TokenKind.STRING) {
                throw invalid(line, name + " needs a sensitive column before the quasi-identifiers" + hint);
            }
            sensitive = Optional.of(tokens.get(i).text());
            i++;
        }
        else if (kindAt(tokens, i) == TokenKind.STRING) {
            throw invalid(line, name + " takes no sensitive column; list the quasi-identifier columns in [ ]" + hint);
        }
        if (kindAt(tokens, i) != TokenKind.OPEN) {
            throw invalid(line, name + " needs a list of quasi-identifier columns" + hint);
        }
        i++;
        List<String> columns = new ArrayList<>();
        if (kindAt(tokens, i) == TokenKind.CLOSE) {
            throw invalid(line, name + " needs at least one quasi-identifier column" + hint);
        }
        while (true) {
            if (kindAt(tokens, i) != TokenKind.STRING) {
                throw invalid(line, name + "'s quasi-identifiers are double-quoted column names, found "
                        + shown(tokens, i) + hint);
            }
            columns.add(tokens.get(i).text());
            i++;
            if (kindAt(tokens, i) == TokenKind.COMMA) {
                i++;
            }
            else if (kindAt(tokens, i) == TokenKind.CLOSE) {
                i++;
                break;
            }
            else {
                throw invalid(line, name + "'s list of quasi-identifier columns needs ',' between columns and ']' at "
                        + "its end, found " + shown(tokens, i) + hint);
            }
        }
        if (kindAt(tokens, i) != TokenKind.OPERATOR) {
            throw invalid(line, name + " needs " + PrivacyRule.Operator.symbols() + " and a threshold after the "
                    + "quasi-identifiers, found " + shown(tokens, i) + hint);
        }
        String symbol = tokens.get(i).text();
        PrivacyRule.Operator operator = PrivacyRule.Operator.fromSymbol(symbol).orElseThrow(() -> invalid(line,
                name + " compares with " + PrivacyRule.Operator.symbols() + ", not " + symbol + hint));
        i++;
        if (kindAt(tokens, i) != TokenKind.NUMBER) {
            throw invalid(line, name + " needs a number after " + symbol + ", found " + shown(tokens, i) + hint);
        }
        double threshold = Double.parseDouble(tokens.get(i).text());
        i++;
        if (i < tokens.size()) {
            throw invalid(line, "unexpected " + shown(tokens, i) + " after " + name + "'s threshold" + hint);
        }
        try {
            return new PrivacyRule(kind, sensitive, columns, operator, threshold);
        }
        catch (IllegalArgumentException e) {
            throw invalid(line, e.getMessage());
        }
    }

    private static TokenKind kindAt(List<Token> tokens, int i) {
        return i < tokens.size() ? tokens.get(i).kind() : null;
    }

    private static String shown(List<Token> tokens, int i) {
        return i < tokens.size() ? tokens.get(i).shown() : "the end of the rule";
    }

    private static List<Token> tokenize(String text, int start, int end) {
        List<Token> tokens = new ArrayList<>();
        int i = start;
        while (i < end) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            }
            else if (c == '#') {
                i = SuiteParser.endOfLine(text, i);
            }
            else if (c == '"') {
                int close = Math.min(SuiteParser.endOfString(text, i), end);
                tokens.add(new Token(TokenKind.STRING, unescape(text.substring(i + 1, close - 1))));
                i = close;
            }
            else if (c == '[' || c == ']' || c == ',') {
                tokens.add(new Token(c == '[' ? TokenKind.OPEN : c == ']' ? TokenKind.CLOSE : TokenKind.COMMA, String.valueOf(c)));
                i++;
            }
            else if (c == '<' || c == '>' || c == '=' || c == '!') {
                int from = i;
                while (i < end && "<>=!".indexOf(text.charAt(i)) >= 0) {
                    i++;
                }
                tokens.add(new Token(TokenKind.OPERATOR, text.substring(from, i)));
            }
            else if (Character.isDigit(c) || (c == '-' && i + 1 < end && Character.isDigit(text.charAt(i + 1)))) {
                int from = i;
                i++;
                while (i < end && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                    i++;
                }
                String number = text.substring(from, i);
                tokens.add(new Token(number.matches("-?[0-9]+([.][0-9]+)?") ? TokenKind.NUMBER : TokenKind.OTHER, number));
            }
            else if (isWordChar(c)) {
                int from = i;
                while (i < end && isWordChar(text.charAt(i))) {
                    i++;
                }
                tokens.add(new Token(TokenKind.WORD, text.substring(from, i)));
            }
            else {
                tokens.add(new Token(TokenKind.OTHER, String.valueOf(c)));
                i++;
            }
        }
        return tokens;
    }

    /** A quoted string's content: {@code \"} is a quote, {@code \\} a backslash. */
    private static String unescape(String content) {
        StringBuilder value = new StringBuilder(content.length());
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c == '\\' && i + 1 < content.length() && (content.charAt(i + 1) == '"' || content.charAt(i + 1) == '\\')) {
                i++;
                c = content.charAt(i);
            }
            value.append(c);
        }
        return value.toString();
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static EngineException invalid(int line, String message) {
        return new EngineException(ErrorCode.INVALID_RULES, String.format("line %d: %s", line, message));
    }
}
