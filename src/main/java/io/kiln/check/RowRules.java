package io.kiln.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules of a DQDL suite that hold row by row (a length bound, no empty or white-space-only
 * value, completeness), checked by Kiln on the batch while it writes it, instead of by a second
 * read of the table in the check engine. The rows of the table's history were checked when they
 * were published; row counts, anomalies and everything not recognized here stay with the engine,
 * on the staged snapshot.
 *
 * <p>{@code IsUnique "column"} is taken over in part: Kiln hashes the batch's values while writing
 * and finds whether they are distinct ({@link Profile#uniqueness()}); the {@link Auditor} then asks
 * the engine only whether the batch's values occur in the base snapshot, or hands the whole rule
 * back to it (a repeated hash, a null, too many values, a base not known to be unique).
 *
 * <p>Only exact forms are taken over; a rule with a {@code where} clause, a threshold or any other
 * shape is left to the engine, so the outcome is the one Deequ would give on the batch.
 */
public final class RowRules {
    private static final Pattern LENGTH = Pattern.compile("ColumnLength\\s+\"([^\"]+)\"\\s*(>=|<=|>|<|=)\\s*(\\d+)");
    private static final Pattern LENGTH_BETWEEN = Pattern.compile("ColumnLength\\s+\"([^\"]+)\"\\s+between\\s+(\\d+)\\s+and\\s+(\\d+)");
    private static final Pattern NOT_KEYWORD = Pattern.compile("ColumnValues\\s+\"([^\"]+)\"\\s*!=\\s*(EMPTY|WHITESPACES_ONLY)");
    private static final Pattern COMPLETE = Pattern.compile("IsComplete\\s+\"([^\"]+)\"");
    /** {@code IsPrimaryKey "c"} of one column is {@code IsUnique "c"} with no null, and a null always goes to the engine. */
    private static final Pattern UNIQUE = Pattern.compile("(?:IsUnique|IsPrimaryKey)\\s+\"([^\"]+)\"");
    /** A job's values per {@code IsUnique} rule that Kiln hashes (8 bytes each); beyond, the engine checks the rule. */
    public static final int MAX_UNIQUE_VALUES = 8_000_000;

    private RowRules() {}

    /** A suite divided: the rules Kiln checks while writing, and the suite left for the engine (empty when nothing is left). */
    public record Split(List<Rule> rowRules, Optional<String> engineSuite, List<LabelRules.Rule> labelRules, List<ContaminationRules.Rule> contaminationRules,
            List<LeakageRules.Rule> leakageRules, List<DriftRules.Rule> driftRules) {
        public Split {
            driftRules = List.copyOf(driftRules);
            rowRules = List.copyOf(rowRules);
            requireNonNull(engineSuite, "engineSuite is null");
            labelRules = List.copyOf(labelRules);
            contaminationRules = List.copyOf(contaminationRules);
            leakageRules = List.copyOf(leakageRules);
        }

        public Split(List<Rule> rowRules, Optional<String> engineSuite, List<LabelRules.Rule> labelRules) {
            this(rowRules, engineSuite, labelRules, List.of(), List.of(), List.of());
        }

        /** The rules Kiln decides over the staged snapshot, as the suite has them. */
        public List<String> kilnDecidedRules() {
            List<String> rules = new ArrayList<>();
            labelRules.forEach(rule -> rules.add(rule.text()));
            contaminationRules.forEach(rule -> rules.add(rule.text()));
            leakageRules.forEach(rule -> rules.add(rule.text()));
            driftRules.forEach(rule -> rules.add(rule.text()));
            return rules;
        }

        public Split(List<Rule> rowRules, Optional<String> engineSuite) {
            this(rowRules, engineSuite, List.of());
        }

        public static Split none(Optional<String> suite) {
            return new Split(List.of(), suite);
        }
    }

    /** One row rule: its text as the suite has it, and what it checks. */
    public record Rule(String text, String column, Kind kind, long low, long high) {
        public Rule {
            requireNonNull(text, "text is null");
            requireNonNull(column, "column is null");
            requireNonNull(kind, "kind is null");
        }
    }

    public enum Kind { LENGTH, NOT_EMPTY, NOT_WHITESPACE_ONLY, COMPLETE, UNIQUE }

    /** As {@link #split(String, Map)}, for a table whose columns' types are not known: every rule taken as if its column were text. */
    public static Split split(String suite) {
        return split(suite, Map.of());
    }

    /**
     * Takes the row rules out of {@code suite}'s {@code Rules} block; keeps at least one rule for
     * the engine when the suite has other blocks (an {@code Anomalies} block needs a rule set). A
     * length or emptiness rule on a column that {@code columnTypes} says is not a string stays with
     * the engine, so that its outcome is Deequ's.
     */
    public static Split split(String suite, Map<String, io.kiln.transform.DataType> columnTypes) {
        Optional<int[]> block = rulesBlock(suite);
        if (block.isEmpty()) {
            return Split.none(Optional.of(suite));
        }
        int open = block.get()[0];
        int close = block.get()[1];
        List<Rule> rowRules = new ArrayList<>();
        List<String> engineRules = new ArrayList<>();
        List<LabelRules.Rule> labelRules = new ArrayList<>();
        List<ContaminationRules.Rule> contaminationRules = new ArrayList<>();
        List<LeakageRules.Rule> leakageRules = new ArrayList<>();
        List<DriftRules.Rule> driftRules = new ArrayList<>();
        for (String rule : topLevel(suite.substring(open + 1, close))) {
            Optional<DriftRules.Rule> drift = DriftRules.parse(rule);
            if (drift.isPresent()) {
                driftRules.add(drift.get());
                continue;
            }
            Optional<LeakageRules.Rule> leakage = LeakageRules.parse(rule);
            if (leakage.isPresent()) {
                leakageRules.add(leakage.get());
                continue;
            }
            Optional<LabelRules.Rule> label = LabelRules.parse(rule);
            if (label.isPresent()) {
                labelRules.add(label.get());
                continue;
            }
            Optional<ContaminationRules.Rule> contamination = ContaminationRules.parse(rule);
            if (contamination.isPresent()) {
                contaminationRules.add(contamination.get());
                continue;
            }
            Optional<Rule> row = parse(rule).filter(parsed -> textual(parsed, columnTypes));
            if (row.isPresent()) {
                rowRules.add(row.get());
            }
            else {
                engineRules.add(rule);
            }
        }
        String rest = (suite.substring(0, suite.lastIndexOf("Rules", open)) + suite.substring(close + 1)).replaceAll("(?m)^\\s*#.*$", "").trim();
        if (engineRules.isEmpty() && !rest.isEmpty()) {
            if (rowRules.isEmpty()) {
                return labelRules.isEmpty() && contaminationRules.isEmpty() && leakageRules.isEmpty() && driftRules.isEmpty() ? Split.none(Optional.of(suite))
                        : new Split(List.of(), Optional.of("Rules = [ RowCount >= 0 ]\n\n" + rest + "\n"), labelRules, contaminationRules, leakageRules, driftRules);
            }
            // the cheapest rule goes back: the last that is not a uniqueness rule
            int back = rowRules.size() - 1;
            while (back > 0 && rowRules.get(back).kind() == Kind.UNIQUE) {
                back--;
            }
            engineRules.add(rowRules.remove(back).text());
        }
        if (engineRules.isEmpty()) {
            return new Split(rowRules, Optional.empty(), labelRules, contaminationRules, leakageRules, driftRules);
        }
        String engineSuite = "Rules = [\n    " + String.join(",\n    ", engineRules) + "\n]\n" + (rest.isEmpty() ? "" : "\n" + rest + "\n");
        return new Split(rowRules, Optional.of(engineSuite), labelRules, contaminationRules, leakageRules, driftRules);
    }

    private static boolean textual(Rule rule, Map<String, io.kiln.transform.DataType> columnTypes) {
        if (rule.kind() == Kind.COMPLETE || rule.kind() == Kind.UNIQUE) {
            return true;
        }
        io.kiln.transform.DataType type = columnTypes.get(rule.column());
        return type == null || type == io.kiln.transform.DataType.STRING;
    }

    static Optional<Rule> parse(String rule) {
        Matcher matcher = LENGTH.matcher(rule);
        if (matcher.matches()) {
            long bound = Long.parseLong(matcher.group(3));
            switch (matcher.group(2)) {
                case ">=":
                    return Optional.of(new Rule(rule, matcher.group(1), Kind.LENGTH, bound, Long.MAX_VALUE));
                case ">":
                    return Optional.of(new Rule(rule, matcher.group(1), Kind.LENGTH, bound + 1, Long.MAX_VALUE));
                case "<=":
                    return Optional.of(new Rule(rule, matcher.group(1), Kind.LENGTH, 0, bound));
                case "<":
                    return Optional.of(new Rule(rule, matcher.group(1), Kind.LENGTH, 0, bound - 1));
                default:
                    return Optional.of(new Rule(rule, matcher.group(1), Kind.LENGTH, bound, bound));
            }
        }
        matcher = LENGTH_BETWEEN.matcher(rule);
        if (matcher.matches()) {
            // DQDL's between excludes both bounds
            return Optional.of(new Rule(rule, matcher.group(1), Kind.LENGTH, Long.parseLong(matcher.group(2)) + 1, Long.parseLong(matcher.group(3)) - 1));
        }
        matcher = NOT_KEYWORD.matcher(rule);
        if (matcher.matches()) {
            return Optional.of(new Rule(rule, matcher.group(1), matcher.group(2).equals("EMPTY") ? Kind.NOT_EMPTY : Kind.NOT_WHITESPACE_ONLY, 0, 0));
        }
        matcher = COMPLETE.matcher(rule);
        if (matcher.matches()) {
            return Optional.of(new Rule(rule, matcher.group(1), Kind.COMPLETE, 0, 0));
        }
        matcher = UNIQUE.matcher(rule);
        if (matcher.matches()) {
            return Optional.of(new Rule(rule, matcher.group(1), Kind.UNIQUE, 0, 0));
        }
        return Optional.empty();
    }

    /** {@code engineSuite} (as {@link #split} made it) with {@code rules} added to its {@code Rules} block. */
    public static Optional<String> withRules(Optional<String> engineSuite, List<String> rules) {
        if (rules.isEmpty()) {
            return engineSuite;
        }
        String added = String.join(",\n    ", rules);
        if (engineSuite.isEmpty()) {
            return Optional.of("Rules = [\n    " + added + "\n]\n");
        }
        String suite = engineSuite.get();
        int close = rulesBlock(suite).orElseThrow(() -> new IllegalArgumentException("the engine's suite has no Rules block"))[1];
        String head = suite.substring(0, close).stripTrailing();
        return Optional.of(head + (head.endsWith("[") ? "\n    " : ",\n    ") + added + "\n" + suite.substring(close));
    }

    /** The offsets of the {@code [} and {@code ]} of the {@code Rules = [ ... ]} block. */
    private static Optional<int[]> rulesBlock(String suite) {
        Matcher start = Pattern.compile("(?m)^\\s*Rules\\s*=\\s*\\[").matcher(suite);
        if (!start.find()) {
            return Optional.empty();
        }
        int open = start.end() - 1;
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < suite.length(); i++) {
            char c = suite.charAt(i);
            if (c == '"' && (i == 0 || suite.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            else if (!quoted && c == '[') {
                depth++;
            }
            else if (!quoted && c == ']' && --depth == 0) {
                return Optional.of(new int[] {open, i});
            }
        }
        return Optional.empty();
    }

    /** The comma-separated rules of a block, outside quotes, brackets and parentheses, with comments removed and white space folded. */
    private static List<String> topLevel(String block) {
        String text = block.replaceAll("(?m)^\\s*#.*$", "");
        List<String> rules = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            else if (!quoted && (c == '[' || c == '(')) {
                depth++;
            }
            else if (!quoted && (c == ']' || c == ')')) {
                depth--;
            }
            else if (!quoted && depth == 0 && c == ',') {
                add(rules, current);
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        add(rules, current);
        return rules;
    }

    private static void add(List<String> rules, StringBuilder rule) {
        String text = rule.toString().replaceAll("\\s+", " ").trim();
        if (!text.isEmpty()) {
            rules.add(text);
        }
    }

    /**
     * What Kiln found about an {@code IsUnique} rule's column in the batch: {@code distinct} when its
     * {@code values} hashed to distinct 64-bit values; otherwise {@code reason} says why Kiln cannot tell
     * (a repeated hash, which is almost always a repeated value, a null, or too many values to hold) and
     * the engine checks the rule.
     */
    public record Uniqueness(Rule rule, boolean distinct, long values, String reason) {}

    /**
     * What a batch's rows showed for each rule; one per thread, merged. Not thread-safe.
     */
    public static final class Profile {
        private final List<Rule> rules;
        private final long[] minimum;
        private final long[] maximum;
        private final long[] violations;
        private final long[][] hashes;
        private final int[] hashCount;
        private final String[] undecided;
        private final int maxUniqueValues;
        private boolean settled;
        private long rows;

        public Profile(List<Rule> rules) {
            this(rules, MAX_UNIQUE_VALUES);
        }

        public Profile(List<Rule> rules, int maxUniqueValues) {
            this.rules = List.copyOf(rules);
            this.minimum = new long[rules.size()];
            this.maximum = new long[rules.size()];
            this.violations = new long[rules.size()];
            this.hashes = new long[rules.size()][];
            this.hashCount = new int[rules.size()];
            this.undecided = new String[rules.size()];
            this.maxUniqueValues = maxUniqueValues;
            java.util.Arrays.fill(minimum, Long.MAX_VALUE);
            java.util.Arrays.fill(maximum, Long.MIN_VALUE);
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).kind() == Kind.UNIQUE) {
                    hashes[i] = new long[16];
                }
            }
        }

        public boolean isEmpty() {
            return rules.isEmpty();
        }

        /** One row written; {@code column} gives a column's value (null when the row has none). */
        public void accept(Function<String, Object> column) {
            rows++;
            for (int i = 0; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                Object value = column.apply(rule.column());
                switch (rule.kind()) {
                    case COMPLETE:
                        if (value == null) {
                            violations[i]++;
                        }
                        break;
                    case LENGTH:
                        if (value != null) {
                            String text = value.toString();
                            long length = text.codePointCount(0, text.length());
                            minimum[i] = Math.min(minimum[i], length);
                            maximum[i] = Math.max(maximum[i], length);
                            if (length < rule.low() || length > rule.high()) {
                                violations[i]++;
                            }
                        }
                        break;
                    case NOT_EMPTY:
                        if (value != null && value.toString().isEmpty()) {
                            violations[i]++;
                        }
                        break;
                    case UNIQUE:
                        if (value == null) {
                            undecide(i, "the batch has a null " + rule.column());
                        }
                        else if (value instanceof String || value instanceof Integer || value instanceof Long) {
                            addHash(i, io.kiln.dedup.Murmur3.hash64(value.toString()));
                        }
                        else {
                            // Spark's equality of floating point (-0.0 = 0.0) and lists is not their text's
                            undecide(i, "Kiln hashes only text and whole numbers; " + rule.column() + " holds " + value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
                        }
                        break;
                    default:
                        if (value != null && whitespaceOnly(value.toString())) {
                            violations[i]++;
                        }
                        break;
                }
            }
        }

        private static boolean whitespaceOnly(String text) {
            if (text.isEmpty()) {
                return false;
            }
            for (int i = 0; i < text.length(); ) {
                int codePoint = text.codePointAt(i);
                if (!Character.isWhitespace(codePoint) && !Character.isSpaceChar(codePoint)) {
                    return false;
                }
                i += Character.charCount(codePoint);
            }
            return true;
        }

        private void undecide(int rule, String reason) {
            if (undecided[rule] == null) {
                undecided[rule] = reason;
            }
            hashes[rule] = null;
        }

        private void addHash(int rule, long hash) {
            if (hashes[rule] == null) {
                return;
            }
            if (hashCount[rule] == maxUniqueValues) {
                undecide(rule, "the batch has more than " + maxUniqueValues + " values, more than Kiln hashes while writing");
                return;
            }
            if (hashCount[rule] == hashes[rule].length) {
                hashes[rule] = java.util.Arrays.copyOf(hashes[rule], (int) Math.min((long) hashCount[rule] * 2, maxUniqueValues));
            }
            hashes[rule][hashCount[rule]++] = hash;
        }

        public void merge(Profile other) {
            rows += other.rows;
            for (int i = 0; i < rules.size(); i++) {
                minimum[i] = Math.min(minimum[i], other.minimum[i]);
                maximum[i] = Math.max(maximum[i], other.maximum[i]);
                violations[i] += other.violations[i];
                if (rules.get(i).kind() == Kind.UNIQUE) {
                    if (other.undecided[i] != null) {
                        undecide(i, other.undecided[i]);
                    }
                    for (int h = 0; h < other.hashCount[i] && hashes[i] != null; h++) {
                        addHash(i, other.hashes[i][h]);
                    }
                }
            }
        }

        /**
         * For each {@code IsUnique} rule: whether the batch's values are distinct. Sorts the hashes
         * the first time, keeps them only for the distinct ones ({@link #sortedHashes}); call it when
         * the batch is complete.
         */
        public List<Uniqueness> uniqueness() {
            List<Uniqueness> results = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                if (rule.kind() != Kind.UNIQUE) {
                    continue;
                }
                if (hashes[i] != null && !settled) {
                    long[] sorted = hashes[i];
                    java.util.Arrays.sort(sorted, 0, hashCount[i]);
                    for (int h = 1; h < hashCount[i]; h++) {
                        if (sorted[h] == sorted[h - 1]) {
                            undecide(i, "two of the batch's values of " + rule.column() + " hash alike");
                            break;
                        }
                    }
                }
                results.add(new Uniqueness(rule, undecided[i] == null, hashCount[i], undecided[i] == null ? "" : undecided[i]));
            }
            settled = true;
            return results;
        }

        /** The ascending hashes of the batch's values of a distinct {@code IsUnique} rule, once {@link #uniqueness()} settled them. */
        public Optional<java.nio.LongBuffer> sortedHashes(Rule rule) {
            int i = rules.indexOf(rule);
            if (!settled || i < 0 || hashes[i] == null || undecided[i] != null) {
                return Optional.empty();
            }
            return Optional.of(java.nio.LongBuffer.wrap(hashes[i], 0, hashCount[i]).slice().asReadOnlyBuffer());
        }

        /** The outcome of each rule but the {@code IsUnique} ones ({@link #uniqueness()}) on the rows seen, as {@code source}'s results. */
        public List<CheckResult> results(String source) {
            List<CheckResult> results = new ArrayList<>(rules.size());
            for (int i = 0; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                if (rule.kind() == Kind.UNIQUE) {
                    continue;
                }
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("violations", (double) violations[i]);
                metrics.put("rows", (double) rows);
                if (rule.kind() == Kind.LENGTH && maximum[i] >= 0) {
                    metrics.put("minimumLength", (double) minimum[i]);
                    metrics.put("maximumLength", (double) maximum[i]);
                }
                String message = violations[i] == 0
                        ? "checked by Kiln on the " + rows + " rows of the batch while writing"
                        : violations[i] + " of the batch's " + rows + " rows break the rule" + (rule.kind() == Kind.LENGTH && maximum[i] >= 0
                                ? " (lengths " + minimum[i] + " to " + maximum[i] + ")" : "");
                results.add(new CheckResult(source, rule.text(), violations[i] == 0 ? CheckResult.Outcome.PASSED : CheckResult.Outcome.FAILED, message, metrics));
            }
            return results;
        }
    }
}
