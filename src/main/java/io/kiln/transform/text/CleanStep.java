package io.kiln.transform.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.TextStep;
import io.kiln.transform.Transform;

/**
 * {@code clean}: repairs mojibake, then removes boilerplate lines and repeated header/footer lines.
 * A text that ends up empty is dropped as {@code empty-after-clean}. Run it before
 * {@code normalize}: normalization removes the control characters and folds the no-break spaces
 * that some mojibake consists of.
 *
 * <p><b>Mojibake</b> ({@code mojibake}, default true): UTF-8 read as Windows-1252 or Latin-1 is
 * decoded again, see {@link Mojibake}. Counted as {@code mojibake-repaired} (sequences).
 *
 * <p><b>Boilerplate</b> ({@code boilerplate}: the names of the patterns to apply, default all of
 * {@link #BOILERPLATE}; {@code []} turns them off; {@code extraPatterns}: more Java regular
 * expressions, each matched case-insensitively against the whole trimmed line). A pattern only
 * removes a line of at most its length limit, so a paragraph that mentions cookies stays. Counted
 * as {@code boilerplate-<pattern name>} (lines), {@code boilerplate-extra} for extra patterns.
 * The patterns (see the source for the exact expressions):
 * <ul>
 *   <li>{@code cookie-banner} (lines up to 300 characters): "we use cookies", "this site uses
 *       cookies", "accept/reject/allow (all) cookies", "cookie policy/settings/preferences/consent",
 *       "manage cookies/consent", "by continuing to use/browse";</li>
 *   <li>{@code all-rights-reserved} (200): any line with "all rights reserved";</li>
 *   <li>{@code share-buttons} (120): "Share on Facebook", "Follow us on Twitter", "Tweet this",
 *       "Share this post";</li>
 *   <li>{@code breadcrumbs} (200): "Home > Docs > Page" (also with {@code » › / → |}), "You are
 *       here: ...";</li>
 *   <li>{@code click-here} (120): a short line around "click here";</li>
 *   <li>{@code navigation} (60): "Skip to (main) content", "Back to top", "Jump to navigation",
 *       "Toggle navigation", "Main menu";</li>
 *   <li>{@code newsletter} (150): "subscribe to / sign up for ... newsletter";</li>
 *   <li>{@code page-number} (40): "Page 3", "Page 3 of 12", "Seite 3 von 12", "—3—".</li>
 * </ul>
 *
 * <p><b>Repeated lines</b> ({@code repeatedLines}, default true): page headers and footers that a
 * PDF repeats on every page. A line is removed, every occurrence of it, when its trimmed text
 * occurs at least {@code minRepeats} times (default 3) in the document and it is
 * <ul>
 *   <li>short: 1 to {@code maxRepeatedLineLength} characters (default 60), at least two words
 *       (a one-word line is more often a heading such as "EXAMPLE" than a page header), a letter, and
 *       starting with an upper-case letter or a digit (a wrapped sentence's continuation, a shell
 *       keyword like {@code fi} or {@code done}, starts in lower case);</li>
 *   <li>not sentence-like, code-like or a table row: it does not end with {@code . ! ? : ; ,},
 *       contains none of {@code { } ( ) [ ] ; = < > | ` \}, no {@code ", "}, no tab and no run of
 *       two spaces, and does not start with {@code # // -- * - > .. :} (Markdown, comments,
 *       bullets, quotes, reStructuredText directives and fields);</li>
 *   <li>not inside a fenced code block ({@code ```} or {@code ~~~}) nor indented by a tab or 4
 *       spaces, and not a reStructuredText heading (a line followed by an underline of
 *       {@code = - ~ ^ * #}).</li>
 * </ul>
 * Lines are compared after trimming, and a page number at the start or end of a line of at least
 * two more words, and no other number, does not count ("Kiln User Guide 7" and "Kiln User Guide
 * 8" are the same line; "Figure 7" and "Figure 8" are not). Page numbers on lines of their own are left to the
 * {@code page-number} boilerplate pattern. Counted as {@code repeated-line} (lines).
 *
 * <p>When lines were removed, blank lines at the start and end are dropped and runs of blank
 * lines fold to one; a text from which nothing was removed keeps its lines as they were.
 */
public final class CleanStep implements StepDefinition {
    public static final String NAME = "clean";
    public static final int VERSION = 1;
    private static final StepId ID = new StepId(NAME, VERSION);

    /** The boilerplate patterns by name, each with the longest (trimmed) line it may remove. */
    public static final Map<String, LinePattern> BOILERPLATE = boilerplate();

    private static final Set<String> PARAMETERS = Set.of("boilerplate", "extraPatterns", "repeatedLines", "minRepeats",
            "maxRepeatedLineLength", "mojibake", "column");
    private static final Pattern CODE_LIKE = Pattern.compile("[{}()\\[\\];=<>|`\\\\\t]|, |  |^(#|//|--|\\*|- |>|\\.\\.|:)");
    private static final Pattern UNDERLINE = Pattern.compile("([=\\-~^*#])\\1{2,}");
    private static final Pattern NUMBER_WORD = Pattern.compile("(?<!\\S)\\d+(?!\\S)");
    private static final Pattern LEADING_NUMBER = Pattern.compile("\\d{1,4} (\\S+ \\S.*)");
    private static final Pattern TRAILING_NUMBER = Pattern.compile("(.*\\S \\S+) \\d{1,4}");

    /**
     * A named line pattern: matched case-insensitively against a whole trimmed line of at most
     * {@code maxLength} characters; only tried on lines whose lower case contains one of
     * {@code keywords} (none: every line).
     */
    public record LinePattern(String name, Pattern pattern, int maxLength, List<String> keywords) {
        public LinePattern {
            keywords = List.copyOf(keywords);
        }

        boolean matches(String trimmed, String lowerCase) {
            if (trimmed.length() > maxLength) {
                return false;
            }
            if (!keywords.isEmpty() && keywords.stream().noneMatch(lowerCase::contains)) {
                return false;
            }
            return pattern.matcher(trimmed).matches();
        }
    }

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, PARAMETERS);
        List<LinePattern> patterns = new ArrayList<>();
        for (String name : StepParameters.strings(parameters, "boilerplate", List.copyOf(BOILERPLATE.keySet()))) {
            LinePattern pattern = BOILERPLATE.get(name);
            if (pattern == null) {
                throw new InvalidStepParameterException("boilerplate", "unknown pattern " + name + "; known patterns are "
                        + String.join(", ", BOILERPLATE.keySet()));
            }
            if (!patterns.contains(pattern)) {
                patterns.add(pattern);
            }
        }
        for (String regex : StepParameters.strings(parameters, "extraPatterns", List.of())) {
            try {
                patterns.add(new LinePattern("extra", Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE), Integer.MAX_VALUE,
                        List.of()));
            }
            catch (PatternSyntaxException e) {
                throw new InvalidStepParameterException("extraPatterns", "not a regular expression: " + regex + " (" + e.getDescription() + ")");
            }
        }
        boolean repeatedLines = StepParameters.flag(parameters, "repeatedLines", true);
        int minRepeats = StepParameters.integer(parameters, "minRepeats", 3, 2, Integer.MAX_VALUE);
        int maxRepeatedLineLength = StepParameters.integer(parameters, "maxRepeatedLineLength", 60, 1, Integer.MAX_VALUE);
        boolean mojibake = StepParameters.flag(parameters, "mojibake", true);
        return new Clean(id(), List.copyOf(patterns), repeatedLines, minRepeats, maxRepeatedLineLength, mojibake, StepParameters.column(parameters, "column"));
    }

    private record Clean(StepId id, List<LinePattern> patterns, boolean repeatedLines, int minRepeats, int maxRepeatedLineLength,
                         boolean mojibake, String column) implements TextStep {
        @Override
        public Outcome apply(Row row, String original) {
            Map<String, Long> counts = new TreeMap<>();
            String text = original;
            if (mojibake) {
                Mojibake.Repair repair = Mojibake.repair(text);
                text = repair.text();
                counts.merge("mojibake-repaired", (long) repair.repaired(), Long::sum);
            }
            String[] lines = text.split("\n", -1);
            boolean[] removed = new boolean[lines.length];
            int removedLines = 0;
            int longestPattern = patterns.stream().mapToInt(LinePattern::maxLength).max().orElse(0);
            if (!patterns.isEmpty()) {
                for (int i = 0; i < lines.length; i++) {
                    String trimmed = lines[i].strip();
                    if (trimmed.isEmpty() || trimmed.length() > longestPattern) {
                        continue;
                    }
                    String lowerCase = trimmed.toLowerCase(Locale.ROOT);
                    for (LinePattern pattern : patterns) {
                        if (pattern.matches(trimmed, lowerCase)) {
                            removed[i] = true;
                            removedLines++;
                            counts.merge("boilerplate-" + pattern.name(), 1L, Long::sum);
                            break;
                        }
                    }
                }
            }
            if (repeatedLines) {
                int repeated = markRepeatedLines(lines, removed);
                removedLines += repeated;
                counts.merge("repeated-line", (long) repeated, Long::sum);
            }
            if (removedLines > 0) {
                text = join(lines, removed);
            }
            if (text.isBlank()) {
                return Outcome.drop(id, "empty-after-clean", "nothing is left after removing " + removedLines + " boilerplate or repeated lines");
            }
            Outcome.Emit emit = Outcome.emit(text.equals(original) ? row : row.with(column, text));
            for (Map.Entry<String, Long> count : counts.entrySet()) {
                emit = emit.counting(count.getKey(), count.getValue());
            }
            return emit;
        }

        private int markRepeatedLines(String[] lines, boolean[] removed) {
            boolean[] candidate = new boolean[lines.length];
            Map<String, Integer> occurrences = new HashMap<>();
            boolean fenced = false;
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                String trimmed = line.strip();
                if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced || removed[i] || line.startsWith("\t") || line.startsWith("    ") || !isCandidate(trimmed)) {
                    continue;
                }
                if (i + 1 < lines.length && UNDERLINE.matcher(lines[i + 1].strip()).matches()) {
                    continue;
                }
                candidate[i] = true;
                occurrences.merge(repeatKey(trimmed), 1, Integer::sum);
            }
            int count = 0;
            for (int i = 0; i < lines.length; i++) {
                if (candidate[i] && occurrences.get(repeatKey(lines[i].strip())) >= minRepeats) {
                    removed[i] = true;
                    count++;
                }
            }
            return count;
        }

        private boolean isCandidate(String trimmed) {
            if (trimmed.isEmpty() || trimmed.length() > maxRepeatedLineLength) {
                return false;
            }
            char last = trimmed.charAt(trimmed.length() - 1);
            if (".!?:;,".indexOf(last) >= 0 || CODE_LIKE.matcher(trimmed).find()) {
                return false;
            }
            int first = trimmed.codePointAt(0);
            if (!Character.isUpperCase(first) && !Character.isTitleCase(first) && !Character.isDigit(first)) {
                return false;
            }
            return trimmed.indexOf(' ') > 0 && trimmed.codePoints().anyMatch(Character::isLetter);
        }
    }

    private static String repeatKey(String trimmed) {
        if (NUMBER_WORD.matcher(trimmed).results().count() != 1) {
            return trimmed; // a table row ("0 2 linear /dev/loop0 512"), not a running head
        }
        Matcher leading = LEADING_NUMBER.matcher(trimmed);
        if (leading.matches()) {
            return "# " + leading.group(1);
        }
        Matcher trailing = TRAILING_NUMBER.matcher(trimmed);
        return trailing.matches() ? trailing.group(1) + " #" : trimmed;
    }

    private static String join(String[] lines, boolean[] removed) {
        StringBuilder out = new StringBuilder();
        boolean pendingBlank = false;
        for (int i = 0; i < lines.length; i++) {
            if (removed[i]) {
                continue;
            }
            if (lines[i].isBlank()) {
                pendingBlank = out.length() > 0;
                continue;
            }
            if (out.length() > 0) {
                out.append(pendingBlank ? "\n\n" : "\n");
            }
            pendingBlank = false;
            out.append(lines[i]);
        }
        return out.toString();
    }

    private static Map<String, LinePattern> boilerplate() {
        Map<String, LinePattern> patterns = new LinkedHashMap<>();
        add(patterns, "cookie-banner", 300, List.of("cookie", "consent", "continuing"),
                ".*\\b(we use cookies|(this|our) (web)?site uses cookies|uses cookies to|(accept|reject|allow) (all )?cookies"
                        + "|cookie (policy|settings|preferences|consent)|manage (cookies|consent)|consent preferences"
                        + "|by continuing to (use|browse))\\b.*");
        add(patterns, "all-rights-reserved", 200, List.of("rights reserved"), ".*\\ball rights reserved\\b.*");
        add(patterns, "share-buttons", 120, List.of("share", "tweet", "pin it", "follow us", "like us"),
                "\\W*(share|tweet|pin it|follow us|like us)\\b[^.!?]{0,40}?\\b(facebook|twitter|linkedin|pinterest|reddit|whatsapp|telegram"
                        + "|instagram|youtube|mastodon|e-?mail|x)\\b.*"
                        + "|\\W*(share( this( (post|article|page|story))?)?|tweet( this)?)\\W*");
        add(patterns, "breadcrumbs", 200, List.of("home", "you are here"), "(you are here:?\\s*)?home\\s*(>|»|›|/|→|\\|)\\s*\\S.*|you are here:.*");
        add(patterns, "click-here", 120, List.of("click here"), ".{0,40}\\bclick here\\b.{0,80}");
        add(patterns, "navigation", 60, List.of("skip to", "top", "jump to", "navigation", "menu"),
                "\\W*(skip to (the )?(main )?(content|navigation|search)|back to top|return to top|jump to (navigation|search|content)"
                        + "|toggle navigation|main menu|(open|close) menu)\\W*");
        add(patterns, "newsletter", 150, List.of("newsletter"), ".*\\b(subscribe|sign up)\\b.*\\bnewsletter\\b.*");
        add(patterns, "page-number", 40, List.of("page", "seite", "página", "pagina", "p.", "-", "–", "—"), "(page|seite|página|pagina|p\\.)\\s*\\d+(\\s*(of|/|von|de|di|sur)\\s*\\d+)?|[-–—]\\s*\\d{1,4}\\s*[-–—]");
        return java.util.Collections.unmodifiableMap(patterns);
    }

    private static void add(Map<String, LinePattern> patterns, String name, int maxLength, List<String> keywords, String regex) {
        patterns.put(name, new LinePattern(name, Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE), maxLength, keywords));
    }
}
