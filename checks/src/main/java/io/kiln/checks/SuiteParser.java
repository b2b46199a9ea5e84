package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import com.amazon.deequ.dqdl.model.ExecutableRule;
import com.amazon.deequ.dqdl.model.UnsupportedExecutableRule;
import com.amazon.deequ.dqdl.translation.DQDLRuleTranslator$;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import software.amazon.glue.dqdl.exception.InvalidDataQualityRulesetException;
import software.amazon.glue.dqdl.model.DQRule;
import software.amazon.glue.dqdl.model.DQRuleset;
import software.amazon.glue.dqdl.parser.DQDLParser;

/**
 * Parses a suite file: a DQDL document ({@code Rules = [ ... ]}) plus at most one Kiln block
 * {@code Anomalies = [ RowCount maxIncrease 3.0, ... ]} anywhere at the top level. The anomaly block is
 * cut out (blanked, so DQDL's line numbers stay right) before the DQDL parser sees the text, and so are
 * the Kiln privacy rules written among the DQDL rules ({@link PrivacyRuleParser}).
 *
 * <p>Every rule is also translated by Deequ, so a rule the engine could not execute is refused here and
 * not at verification time. Needs no Spark session; thread-safe.
 */
public final class SuiteParser {
    static final String ANOMALIES_BLOCK = "Anomalies";

    /** Rule types that compare with a second data set; a verification has exactly one. */
    private static final Set<String> REFERENCE_RULE_TYPES =
            Set.of("RowCountMatch", "ReferentialIntegrity", "DatasetMatch", "SchemaMatch");

    private SuiteParser() {}

    public static Suite parse(String text) {
        requireNonNull(text, "text is null");
        Split split = split(text);
        PrivacyRuleParser.Extraction privacy = PrivacyRuleParser.extract(split.dqdl());
        List<DQRule> rules = parseDqdl(privacy.dqdl());
        List<AnomalyRule> anomalies = split.anomalies().isPresent()
                ? parseAnomalies(text, split.anomalies().get())
                : List.of();
        return new Suite(rules, privacy.rules(), anomalies);
    }

    private static List<DQRule> parseDqdl(String dqdl) {
        if (dqdl.replaceAll("#[^\n]*", "").isBlank()) {
            return List.of();
        }
        List<Item> items = ruleItems(dqdl);
        DQRuleset ruleset;
        try {
            ruleset = parseDocument(dqdl);
        }
        catch (InvalidDataQualityRulesetException e) {
            throw new EngineException(ErrorCode.INVALID_RULES, locate(e.getMessage(), items), e);
        }
        if (ruleset.getAnalyzers() != null && !ruleset.getAnalyzers().isEmpty()) {
            throw new EngineException(ErrorCode.INVALID_RULES,
                    "Analyzers sections are not supported: every rule's metrics are recorded already");
        }
        if (ruleset.getAdditionalDataSourcesNames() != null && !ruleset.getAdditionalDataSourcesNames().isEmpty()) {
            throw new EngineException(ErrorCode.INVALID_RULES,
                    "DataSources sections are not supported: a verification reads exactly one table snapshot");
        }
        List<DQRule> rules = ruleset.getRules();
        for (int i = 0; i < rules.size(); i++) {
            try {
                checkExecutable(rules.get(i));
            }
            catch (EngineException e) {
                if (items.size() != rules.size()) {
                    throw e;
                }
                throw new EngineException(e.code(), "line " + items.get(i).line() + ": " + e.getMessage(), e);
            }
        }
        return rules;
    }

    private static DQRuleset parseDocument(String dqdl) throws InvalidDataQualityRulesetException {
        try {
            // a comment only ends at a newline in DQDL's lexer
            String lastLine = dqdl.substring(dqdl.lastIndexOf('\n') + 1);
            return new DQDLParser().parse(lastLine.contains("#") ? dqdl + "\n" : dqdl);
        }
        catch (RuntimeException e) {
            throw new InvalidDataQualityRulesetException(Messages.brief(e));
        }
    }

    /**
     * DQDL names the line of syntax errors but not of rule errors ("Rule Type: X is not valid"): find the
     * first rule that fails on its own and name its line.
     */
    private static String locate(String message, List<Item> items) {
        if (message.contains("line ")) {
            return "Invalid DQDL: " + message;
        }
        for (Item item : items) {
            try {
                parseDocument("Rules = [ " + item.text() + " ]");
            }
            catch (InvalidDataQualityRulesetException e) {
                return String.format("Invalid DQDL: line %d: %s", item.line(), e.getMessage());
            }
        }
        return "Invalid DQDL: " + message;
    }

    private record Item(String text, int line) {}

    /** The top-level items of the {@code Rules = [ ... ]} list, each with its first line; best effort. */
    private static List<Item> ruleItems(String text) {
        List<Item> items = new ArrayList<>();
        int open = findSection(text, "Rules");
        if (open < 0) {
            return items;
        }
        int depth = 0;
        int start = open;
        int i = open;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                i = endOfLine(text, i);
                continue;
            }
            if (c == '"') {
                i = endOfString(text, i);
                continue;
            }
            if (c == '[' || c == '(') {
                depth++;
            }
            else if ((c == ']' || c == ')') && depth > 0) {
                depth--;
            }
            else if (depth == 0 && (c == ',' || c == ']')) {
                addItem(items, text, start, i);
                if (c == ']') {
                    return items;
                }
                start = i + 1;
            }
            i++;
        }
        return items;
    }

    private static void addItem(List<Item> items, String text, int start, int end) {
        String item = text.substring(start, end).replaceAll("#[^\n]*", "");
        if (!item.isBlank()) {
            items.add(new Item(item.strip(), line(text, skipBlankAndComments(text, start))));
        }
    }

    /** Index just after the '[' of {@code name = [} at bracket depth 0, or -1. */
    static int findSection(String text, String name) {
        int depth = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                i = endOfLine(text, i);
            }
            else if (c == '"') {
                i = endOfString(text, i);
            }
            else if (isIdentifierChar(c)) {
                int start = i;
                while (i < text.length() && isIdentifierChar(text.charAt(i))) {
                    i++;
                }
                if (depth == 0 && text.substring(start, i).equals(name)) {
                    int equals = skipBlank(text, i);
                    if (equals < text.length() && text.charAt(equals) == '=') {
                        int bracket = skipBlank(text, equals + 1);
                        if (bracket < text.length() && text.charAt(bracket) == '[') {
                            return bracket + 1;
                        }
                    }
                }
            }
            else {
                depth += c == '[' ? 1 : c == ']' ? -1 : 0;
                i++;
            }
        }
        return -1;
    }

    static int skipBlankAndComments(String text, int i) {
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            }
            else if (c == '#') {
                i = endOfLine(text, i);
            }
            else {
                break;
            }
        }
        return i;
    }

    private static void checkExecutable(DQRule rule) {
        if (rule.getNestedRules() != null && !rule.getNestedRules().isEmpty()) {
            for (DQRule nested : rule.getNestedRules()) {
                checkExecutable(nested);
            }
            return;
        }
        String type = rule.getRuleType();
        if ("DetectAnomalies".equals(type)) {
            throw new EngineException(ErrorCode.INVALID_RULES, String.format(
                    "Rule '%s': DetectAnomalies is not supported by Deequ 2.1.0; write anomaly rules in an "
                            + "Anomalies = [ ... ] block, e.g. Anomalies = [ RowCount maxIncrease 3.0 ]", rule));
        }
        if (REFERENCE_RULE_TYPES.contains(type)) {
            throw new EngineException(ErrorCode.INVALID_RULES, String.format(
                    "Rule '%s': %s compares with a reference data set; the check engine verifies one table "
                            + "snapshot and has none", rule, type));
        }
        ExecutableRule executable;
        try {
            executable = DQDLRuleTranslator$.MODULE$.toExecutableRule(rule);
        }
        catch (RuntimeException e) {
            throw new EngineException(ErrorCode.INVALID_RULES,
                    String.format("Rule '%s' cannot be executed: %s", rule, e.getMessage()), e);
        }
        if (executable instanceof UnsupportedExecutableRule unsupported) {
            throw new EngineException(ErrorCode.INVALID_RULES, String.format(
                    "Rule '%s' is not supported by Deequ 2.1.0%s", rule,
                    unsupported.reason().isDefined() ? ": " + unsupported.reason().get() : ""));
        }
    }

    private record Block(int bodyStart, int bodyEnd) {}

    private record Split(String dqdl, Optional<Block> anomalies) {}

    /** Finds the anomaly block at bracket depth 0, outside strings and comments, and blanks it out. */
    private static Split split(String text) {
        StringBuilder dqdl = new StringBuilder(text);
        Block found = null;
        int depth = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                i = endOfLine(text, i);
            }
            else if (c == '"') {
                i = endOfString(text, i);
            }
            else if (c == '[') {
                depth++;
                i++;
            }
            else if (c == ']') {
                depth--;
                i++;
            }
            else if (isIdentifierChar(c)) {
                int start = i;
                while (i < text.length() && isIdentifierChar(text.charAt(i))) {
                    i++;
                }
                if (depth == 0 && text.substring(start, i).equals(ANOMALIES_BLOCK)) {
                    if (found != null) {
                        throw new EngineException(ErrorCode.INVALID_RULES,
                                String.format("line %d: a suite has at most one %s block", line(text, start), ANOMALIES_BLOCK));
                    }
                    int open = expect(text, skipBlank(text, expect(text, skipBlank(text, i), '=', start)), '[', start);
                    int close = matchingBracket(text, open, start);
                    found = new Block(open, close - 1);
                    for (int k = start; k < close; k++) {
                        if (dqdl.charAt(k) != '\n') {
                            dqdl.setCharAt(k, ' ');
                        }
                    }
                    i = close;
                }
            }
            else {
                i++;
            }
        }
        return new Split(dqdl.toString(), Optional.ofNullable(found));
    }

    private static int expect(String text, int at, char expected, int blockStart) {
        if (at >= text.length() || text.charAt(at) != expected) {
            throw new EngineException(ErrorCode.INVALID_RULES, String.format(
                    "line %d: expected '%s' in %s = [ ... ]", line(text, Math.min(at, text.length())), expected,
                    ANOMALIES_BLOCK));
        }
        return at + 1;
    }

    /** Returns the index just after the ']' that closes the '[' before {@code from}. */
    private static int matchingBracket(String text, int from, int blockStart) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                i = endOfLine(text, i);
            }
            else if (c == '"') {
                i = endOfString(text, i);
            }
            else if (c == '[') {
                throw new EngineException(ErrorCode.INVALID_RULES,
                        String.format("line %d: unexpected '[' in %s block", line(text, i), ANOMALIES_BLOCK));
            }
            else if (c == ']') {
                return i + 1;
            }
            else {
                i++;
            }
        }
        throw new EngineException(ErrorCode.INVALID_RULES,
                String.format("line %d: %s block is not closed with ']'", line(text, blockStart), ANOMALIES_BLOCK));
    }

    private static List<AnomalyRule> parseAnomalies(String text, Block block) {
        List<Token> tokens = tokenize(text, block.bodyStart(), block.bodyEnd());
        List<AnomalyRule> rules = new ArrayList<>();
        int i = 0;
        while (i < tokens.size()) {
            int end = i;
            while (end < tokens.size() && tokens.get(end).kind() != TokenKind.COMMA) {
                end++;
            }
            if (end == i) {
                throw new EngineException(ErrorCode.INVALID_RULES,
                        String.format("line %d: empty anomaly rule", tokens.get(i).line()));
            }
            rules.add(parseAnomalyRule(tokens.subList(i, end)));
            if (end == tokens.size() - 1) {
                throw new EngineException(ErrorCode.INVALID_RULES,
                        String.format("line %d: trailing ',' in %s block", tokens.get(end).line(), ANOMALIES_BLOCK));
            }
            i = end + 1;
        }
        return rules;
    }

    private static AnomalyRule parseAnomalyRule(List<Token> tokens) {
        Token first = tokens.get(0);
        int line = first.line();
        if (first.kind() != TokenKind.WORD) {
            throw invalid(line, "expected a metric (" + AnomalyMetric.names() + "), found " + first.text());
        }
        AnomalyMetric metric = AnomalyMetric.fromDqdlName(first.text()).orElseThrow(() -> invalid(line,
                "unknown anomaly metric '" + first.text() + "', expected one of " + AnomalyMetric.names()));
        int i = 1;
        Optional<String> column = Optional.empty();
        if (i < tokens.size() && tokens.get(i).kind() == TokenKind.STRING) {
            column = Optional.of(tokens.get(i).text());
            i++;
        }
        OptionalDouble maxIncrease = OptionalDouble.empty();
        OptionalDouble maxDecrease = OptionalDouble.empty();
        Set<String> seen = new HashSet<>();
        while (i < tokens.size()) {
            Token keyword = tokens.get(i);
            if (keyword.kind() != TokenKind.WORD || !(keyword.text().equals("maxIncrease") || keyword.text().equals("maxDecrease"))) {
                throw invalid(keyword.line(), "expected maxIncrease or maxDecrease, found " + keyword.text());
            }
            if (!seen.add(keyword.text())) {
                throw invalid(keyword.line(), keyword.text() + " given twice");
            }
            if (i + 1 >= tokens.size() || tokens.get(i + 1).kind() != TokenKind.NUMBER) {
                throw invalid(keyword.line(), "expected a number after " + keyword.text());
            }
            double bound = Double.parseDouble(tokens.get(i + 1).text());
            if (keyword.text().equals("maxIncrease")) {
                maxIncrease = OptionalDouble.of(bound);
            }
            else {
                maxDecrease = OptionalDouble.of(bound);
            }
            i += 2;
        }
        try {
            return new AnomalyRule(metric, column, maxIncrease, maxDecrease);
        }
        catch (IllegalArgumentException e) {
            throw invalid(line, e.getMessage());
        }
    }

    private static EngineException invalid(int line, String message) {
        return new EngineException(ErrorCode.INVALID_RULES, String.format("line %d: %s", line, message));
    }

    private enum TokenKind { WORD, STRING, NUMBER, COMMA }

    private record Token(TokenKind kind, String text, int line) {}

    private static List<Token> tokenize(String text, int start, int end) {
        List<Token> tokens = new ArrayList<>();
        int i = start;
        while (i < end) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            }
            else if (c == '#') {
                i = endOfLine(text, i);
            }
            else if (c == ',') {
                tokens.add(new Token(TokenKind.COMMA, ",", line(text, i)));
                i++;
            }
            else if (c == '"') {
                int close = endOfString(text, i);
                if (close > end + 1 || text.charAt(close - 1) != '"' || close - 1 == i) {
                    throw invalid(line(text, i), "unterminated string");
                }
                String value = text.substring(i + 1, close - 1).replace("\\\"", "\"").replace("\\\\", "\\");
                tokens.add(new Token(TokenKind.STRING, value, line(text, i)));
                i = close;
            }
            else if (Character.isDigit(c)) {
                int from = i;
                while (i < end && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                    i++;
                }
                String number = text.substring(from, i);
                if (!number.matches("[0-9]+([.][0-9]+)?")) {
                    throw invalid(line(text, from), "not a number: " + number);
                }
                tokens.add(new Token(TokenKind.NUMBER, number, line(text, from)));
            }
            else if (Character.isLetter(c)) {
                int from = i;
                while (i < end && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                tokens.add(new Token(TokenKind.WORD, text.substring(from, i), line(text, from)));
            }
            else {
                throw invalid(line(text, i), "unexpected character '" + c + "' in " + ANOMALIES_BLOCK + " block");
            }
        }
        return tokens;
    }

    private static boolean isIdentifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }

    private static int skipBlank(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    static int endOfLine(String text, int i) {
        int newline = text.indexOf('\n', i);
        return newline < 0 ? text.length() : newline + 1;
    }

    /** Index just after the closing quote (or the end of the text for an unterminated string). */
    static int endOfString(String text, int open) {
        int i = open + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                i += 2;
            }
            else if (c == '"') {
                return i + 1;
            }
            else {
                i++;
            }
        }
        return text.length();
    }

    static int line(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
