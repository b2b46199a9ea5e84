package io.kiln.transform.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.TextStep;
import io.kiln.transform.Transform;

/**
 * {@code quality-filter}: the Gopher quality and repetition heuristics (Rae et al. 2021, "Scaling
 * Language Models: Methods, Analysis & Insights from Training Gopher", appendix A) and the C4
 * heuristics (Raffel et al. 2020), with the thresholds of datatrove's
 * {@code GopherRepetitionFilter}, {@code GopherQualityFilter} and {@code C4QualityFilter} as
 * defaults. They run in that order (as in datatrove's FineWeb pipeline); the first failing rule
 * drops the document with its own reason code, and the detail gives the measured value, the
 * threshold and the parameter. Groups: {@code repetition}, {@code gopher}, {@code c4} (each
 * default true). Every threshold is a parameter, with these defaults:
 * <ul>
 *   <li>repetition: {@code maxDuplicateParagraphFraction} 0.3, {@code maxDuplicateParagraphCharFraction}
 *       0.2, {@code maxDuplicateLineFraction} 0.3, {@code maxDuplicateLineCharFraction} 0.2,
 *       {@code maxTopNgramCharFraction} {@code {"2": 0.2, "3": 0.18, "4": 0.16}},
 *       {@code maxDuplicateNgramCharFraction} {@code {"5": 0.15, "6": 0.14, "7": 0.13, "8": 0.12,
 *       "9": 0.11, "10": 0.10}} (an object replaces the whole default);</li>
 *   <li>gopher: {@code minWords} 50, {@code maxWords} 100000, {@code minMeanWordLength} 3,
 *       {@code maxMeanWordLength} 10, {@code maxHashRatio} 0.1 and {@code maxEllipsisRatio} 0.1
 *       (per word), {@code maxBulletLineFraction} 0.9 (lines starting with {@code •} or {@code -}),
 *       {@code maxEllipsisLineFraction} 0.3, {@code minAlphabeticWordFraction} 0.8,
 *       {@code minStopWords} 2 (occurrences) of {@code stopWords} "the be to of and that have with";</li>
 *   <li>c4: {@code c4MinSentences} 5, {@code c4MinWordsPerLine} 3, {@code c4MaxWordLength} 1000,
 *       and the switches {@code c4TerminalPunctuation}, {@code c4RemoveCitations},
 *       {@code c4LoremIpsum}, {@code c4CurlyBracket}, {@code c4Javascript}, {@code c4Policy} (all
 *       true).</li>
 * </ul>
 * A rule is off when its threshold cannot be crossed (a fraction of 1, a minimum of 0).
 *
 * <p><b>Words.</b> A word is a maximal run of non-white-space characters (Java
 * {@link Character#isWhitespace}). Its <em>core</em> is the word without the characters that are
 * neither letters nor digits at its start and end ({@code "(hello),"} -> {@code hello}). Gopher's
 * word count and mean word length count only the words with a letter or digit, and use the
 * length of the core (in {@code char}s); stop words are matched on the lower-cased core. The
 * repetition n-grams are n consecutive whole words. datatrove splits words with a language-aware
 * tokenizer that makes punctuation its own token; the whitespace rule is simpler, deterministic
 * and language-independent, at the cost of a little fidelity.
 *
 * <p><b>Repetition</b> (reasons {@code gopher-dup-paragraph-fraction},
 * {@code gopher-dup-paragraph-char-fraction}, {@code gopher-dup-line-fraction},
 * {@code gopher-dup-line-char-fraction}, {@code gopher-top-<n>-gram-fraction},
 * {@code gopher-dup-<n>-gram-fraction}): paragraphs are split at two or more newlines, lines at
 * newlines, on the trimmed text; a duplicate is an element equal to an earlier one; fractions of
 * characters are over the length of the whole text. The top n-gram fraction is the length of the
 * most frequent n-gram (words joined by a space; ties: the longer) times its count; unlike
 * datatrove it only applies when that n-gram occurs at least twice. The duplicate n-gram fraction
 * follows datatrove: walking the words, an n-gram seen before adds its characters (words joined
 * without spaces) and skips n words.
 *
 * <p><b>Gopher quality</b> (reasons {@code gopher-word-count}, {@code gopher-mean-word-length},
 * {@code gopher-hash-ratio}, {@code gopher-ellipsis-ratio}, {@code gopher-bullet-lines},
 * {@code gopher-ellipsis-lines}, {@code gopher-alphabetic-words}, {@code gopher-stop-words}).
 *
 * <p><b>C4</b> changes the text: it keeps only the lines that end in terminal punctuation
 * ({@code . ? ! " ' ” ’}, not {@code ...}), have at least {@code c4MinWordsPerLine} words, no word
 * longer than {@code c4MaxWordLength}, and do not mention javascript or a policy ("terms of use",
 * "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"); citation
 * marks ({@code [1]}, {@code [edit]}, {@code [citation needed]}) are removed. Removed lines are
 * counted as {@code c4-line-<why>}. A kept line with "lorem ipsum" drops the document
 * ({@code c4-lorem-ipsum}), as does a kept line with a curly bracket ({@code c4-curly-bracket}), or
 * fewer than {@code c4MinSentences} sentences in the kept lines ({@code c4-too-few-sentences}; a
 * sentence ends with a run of {@code . ! ?} before white space, a closing quote or bracket, or the
 * end of the line; a kept line has at least one). Kept lines are joined with one newline. C4
 * expects a paragraph per line, as text extracted from HTML has: hard-wrapped plain text loses
 * most of its lines to the terminal punctuation rule (unwrap it first, or turn the rule off).
 */
public final class QualityFilterStep implements StepDefinition {
    public static final String NAME = "quality-filter";
    public static final int VERSION = 1;
    private static final StepId ID = new StepId(NAME, VERSION);
    public static final List<String> DEFAULT_STOP_WORDS = List.of("the", "be", "to", "of", "and", "that", "have", "with");
    public static final Set<String> PARAMETERS = Set.of("gopher", "repetition", "c4",
            "minWords", "maxWords", "minMeanWordLength", "maxMeanWordLength", "maxHashRatio", "maxEllipsisRatio",
            "maxBulletLineFraction", "maxEllipsisLineFraction", "minAlphabeticWordFraction", "minStopWords", "stopWords",
            "maxDuplicateLineFraction", "maxDuplicateParagraphFraction", "maxDuplicateLineCharFraction",
            "maxDuplicateParagraphCharFraction", "maxTopNgramCharFraction", "maxDuplicateNgramCharFraction",
            "c4MinSentences", "c4MinWordsPerLine", "c4MaxWordLength", "c4TerminalPunctuation", "c4RemoveCitations",
            "c4LoremIpsum", "c4CurlyBracket", "c4Javascript", "c4Policy", "column");

    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\n{2,}");
    private static final Pattern LINE_BREAK = Pattern.compile("\n+");
    private static final Pattern ANY_LINE_BREAK = Pattern.compile("\r\n|\r|\n");
    private static final Pattern CITATION = Pattern.compile("\\[\\d*]|\\[edit]|\\[citation needed]");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?]+(?=\\s|$|[\"'”’)\\]])");
    private static final List<String> POLICY = List.of("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies");

    @Override
    public StepId id() {
        return ID;
    }

    record Settings(boolean gopher, boolean repetition, boolean c4,
                    int minWords, int maxWords, double minMeanWordLength, double maxMeanWordLength, double maxHashRatio,
                    double maxEllipsisRatio, double maxBulletLineFraction, double maxEllipsisLineFraction,
                    double minAlphabeticWordFraction, int minStopWords, Set<String> stopWords,
                    double maxDuplicateLineFraction, double maxDuplicateParagraphFraction, double maxDuplicateLineCharFraction,
                    double maxDuplicateParagraphCharFraction, SortedMap<Integer, Double> maxTopNgramCharFraction,
                    SortedMap<Integer, Double> maxDuplicateNgramCharFraction,
                    int c4MinSentences, int c4MinWordsPerLine, int c4MaxWordLength, boolean c4TerminalPunctuation,
                    boolean c4RemoveCitations, boolean c4LoremIpsum, boolean c4CurlyBracket, boolean c4Javascript, boolean c4Policy) {}

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, PARAMETERS);
        int max = Integer.MAX_VALUE;
        int minWords = StepParameters.integer(parameters, "minWords", 50, 0, max);
        int maxWords = StepParameters.integer(parameters, "maxWords", 100_000, 0, max);
        if (maxWords < minWords) {
            throw new InvalidStepParameterException("maxWords", "must be at least minWords (" + minWords + "), was " + maxWords);
        }
        double minMean = StepParameters.number(parameters, "minMeanWordLength", 3, 0, Double.MAX_VALUE);
        double maxMean = StepParameters.number(parameters, "maxMeanWordLength", 10, 0, Double.MAX_VALUE);
        if (maxMean < minMean) {
            throw new InvalidStepParameterException("maxMeanWordLength", "must be at least minMeanWordLength (" + minMean + "), was " + maxMean);
        }
        Set<String> stopWords = new TreeSet<>();
        StepParameters.strings(parameters, "stopWords", DEFAULT_STOP_WORDS).forEach(word -> stopWords.add(word.toLowerCase(Locale.ROOT)));
        Settings settings = new Settings(
                StepParameters.flag(parameters, "gopher", true),
                StepParameters.flag(parameters, "repetition", true),
                StepParameters.flag(parameters, "c4", true),
                minWords, maxWords, minMean, maxMean,
                StepParameters.number(parameters, "maxHashRatio", 0.1, 0, Double.MAX_VALUE),
                StepParameters.number(parameters, "maxEllipsisRatio", 0.1, 0, Double.MAX_VALUE),
                fraction(parameters, "maxBulletLineFraction", 0.9),
                fraction(parameters, "maxEllipsisLineFraction", 0.3),
                fraction(parameters, "minAlphabeticWordFraction", 0.8),
                StepParameters.integer(parameters, "minStopWords", 2, 0, max),
                Set.copyOf(stopWords),
                fraction(parameters, "maxDuplicateLineFraction", 0.3),
                fraction(parameters, "maxDuplicateParagraphFraction", 0.3),
                fraction(parameters, "maxDuplicateLineCharFraction", 0.2),
                fraction(parameters, "maxDuplicateParagraphCharFraction", 0.2),
                ngramFractions(parameters, "maxTopNgramCharFraction", Map.of(2, 0.20, 3, 0.18, 4, 0.16)),
                ngramFractions(parameters, "maxDuplicateNgramCharFraction", Map.of(5, 0.15, 6, 0.14, 7, 0.13, 8, 0.12, 9, 0.11, 10, 0.10)),
                StepParameters.integer(parameters, "c4MinSentences", 5, 0, max),
                StepParameters.integer(parameters, "c4MinWordsPerLine", 3, 0, max),
                StepParameters.integer(parameters, "c4MaxWordLength", 1000, 1, max),
                StepParameters.flag(parameters, "c4TerminalPunctuation", true),
                StepParameters.flag(parameters, "c4RemoveCitations", true),
                StepParameters.flag(parameters, "c4LoremIpsum", true),
                StepParameters.flag(parameters, "c4CurlyBracket", true),
                StepParameters.flag(parameters, "c4Javascript", true),
                StepParameters.flag(parameters, "c4Policy", true));
        return new QualityFilter(id(), settings, StepParameters.column(parameters, "column"));
    }

    private static double fraction(Map<String, Object> parameters, String name, double defaultValue) {
        return StepParameters.number(parameters, name, defaultValue, 0, 1);
    }

    private static SortedMap<Integer, Double> ngramFractions(Map<String, Object> parameters, String name, Map<Integer, Double> defaults) {
        Object value = parameters.get(name);
        if (value == null) {
            return new TreeMap<>(defaults);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidStepParameterException(name, "must be an object from n (a whole number 1 to 100) to a fraction, e.g. {\"2\": 0.2}, was " + value);
        }
        SortedMap<Integer, Double> result = new TreeMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            int n;
            try {
                n = Integer.parseInt(String.valueOf(entry.getKey()));
            }
            catch (NumberFormatException e) {
                throw new InvalidStepParameterException(name, "keys must be n-gram sizes (whole numbers), was " + entry.getKey());
            }
            if (n < 1 || n > 100) {
                throw new InvalidStepParameterException(name, "n-gram sizes must be between 1 and 100, was " + n);
            }
            if (!(entry.getValue() instanceof Number number) || number.doubleValue() < 0 || number.doubleValue() > 1) {
                throw new InvalidStepParameterException(name, "the fraction for " + n + "-grams must be a number between 0 and 1, was " + entry.getValue());
            }
            result.put(n, number.doubleValue());
        }
        return result;
    }

    private record QualityFilter(StepId id, Settings settings, String column) implements TextStep {
        @Override
        public Outcome apply(Row row, String text) {
            List<String> words = words(text);
            if (settings.repetition()) {
                Optional<Outcome> drop = repetition(text, words);
                if (drop.isPresent()) {
                    return drop.get();
                }
            }
            if (settings.gopher()) {
                Optional<Outcome> drop = gopher(text, words);
                if (drop.isPresent()) {
                    return drop.get();
                }
            }
            if (settings.c4()) {
                return c4(row);
            }
            return Outcome.emit(row);
        }

        private Optional<Outcome> repetition(String text, List<String> words) {
            String trimmed = text.strip();
            double length = Math.max(1, text.length());
            String[] paragraphs = PARAGRAPH_BREAK.split(trimmed, -1);
            long[] paragraphDuplicates = duplicates(paragraphs);
            Optional<Outcome> drop = above("gopher-dup-paragraph-fraction", "duplicate paragraphs", (double) paragraphDuplicates[0] / paragraphs.length,
                    settings.maxDuplicateParagraphFraction(), "maxDuplicateParagraphFraction")
                    .or(() -> above("gopher-dup-paragraph-char-fraction", "characters in duplicate paragraphs", paragraphDuplicates[1] / length,
                            settings.maxDuplicateParagraphCharFraction(), "maxDuplicateParagraphCharFraction"));
            if (drop.isPresent()) {
                return drop;
            }
            String[] lines = LINE_BREAK.split(trimmed, -1);
            long[] lineDuplicates = duplicates(lines);
            drop = above("gopher-dup-line-fraction", "duplicate lines", (double) lineDuplicates[0] / lines.length,
                    settings.maxDuplicateLineFraction(), "maxDuplicateLineFraction")
                    .or(() -> above("gopher-dup-line-char-fraction", "characters in duplicate lines", lineDuplicates[1] / length,
                            settings.maxDuplicateLineCharFraction(), "maxDuplicateLineCharFraction"));
            if (drop.isPresent()) {
                return drop;
            }
            if (words.isEmpty()) {
                return Optional.empty();
            }
            Ngrams ngrams = new Ngrams(words);
            for (Map.Entry<Integer, Double> limit : settings.maxTopNgramCharFraction().entrySet()) {
                int n = limit.getKey();
                drop = above("gopher-top-" + n + "-gram-fraction", "characters in the most frequent " + n + "-gram",
                        ngrams.topCharacters(n) / length, limit.getValue(), "maxTopNgramCharFraction." + n);
                if (drop.isPresent()) {
                    return drop;
                }
            }
            for (Map.Entry<Integer, Double> limit : settings.maxDuplicateNgramCharFraction().entrySet()) {
                int n = limit.getKey();
                drop = above("gopher-dup-" + n + "-gram-fraction", "characters in duplicate " + n + "-grams",
                        ngrams.duplicateCharacters(n) / length, limit.getValue(), "maxDuplicateNgramCharFraction." + n);
                if (drop.isPresent()) {
                    return drop;
                }
            }
            return Optional.empty();
        }

        private Optional<Outcome> gopher(String text, List<String> words) {
            int wordCount = 0;
            long coreLength = 0;
            int alphabetic = 0;
            int stopWords = 0;
            int longestStopWord = settings.stopWords().stream().mapToInt(String::length).max().orElse(0);
            for (String word : words) {
                int start = 0;
                int end = word.length();
                boolean letter = false;
                for (int i = 0; i < end; i++) {
                    if (Character.isLetter(word.charAt(i)) || (Character.isSurrogate(word.charAt(i)) && Character.isLetter(word.codePointAt(i)))) {
                        letter = true;
                        break;
                    }
                }
                if (letter) {
                    alphabetic++;
                }
                while (start < end && !Character.isLetterOrDigit(word.codePointAt(start))) {
                    start += Character.charCount(word.codePointAt(start));
                }
                while (end > start && !Character.isLetterOrDigit(word.codePointBefore(end))) {
                    end -= Character.charCount(word.codePointBefore(end));
                }
                if (end > start) {
                    wordCount++;
                    coreLength += end - start;
                    if (end - start <= longestStopWord && settings.stopWords().contains(word.substring(start, end).toLowerCase(Locale.ROOT))) {
                        stopWords++;
                    }
                }
            }
            if (wordCount < settings.minWords()) {
                return Optional.of(drop("gopher-word-count", String.format(Locale.ROOT, "%d words < min %d (minWords)", wordCount, settings.minWords())));
            }
            if (wordCount > settings.maxWords()) {
                return Optional.of(drop("gopher-word-count", String.format(Locale.ROOT, "%d words > max %d (maxWords)", wordCount, settings.maxWords())));
            }
            if (wordCount > 0) {
                double mean = (double) coreLength / wordCount;
                if (mean < settings.minMeanWordLength()) {
                    return Optional.of(drop("gopher-mean-word-length", String.format(Locale.ROOT, "mean word length %.4f < min %.4f (minMeanWordLength)",
                            mean, settings.minMeanWordLength())));
                }
                if (mean > settings.maxMeanWordLength()) {
                    return Optional.of(drop("gopher-mean-word-length", String.format(Locale.ROOT, "mean word length %.4f > max %.4f (maxMeanWordLength)",
                            mean, settings.maxMeanWordLength())));
                }
            }
            double tokens = Math.max(1, words.size());
            Optional<Outcome> drop = above("gopher-hash-ratio", "'#' per word", count(text, "#") / tokens, settings.maxHashRatio(), "maxHashRatio")
                    .or(() -> above("gopher-ellipsis-ratio", "ellipses per word", (count(text, "...") + count(text, "…")) / tokens,
                            settings.maxEllipsisRatio(), "maxEllipsisRatio"));
            if (drop.isPresent()) {
                return drop;
            }
            String[] lines = ANY_LINE_BREAK.split(text);
            int bullets = 0;
            int ellipses = 0;
            for (String line : lines) {
                String start = line.stripLeading();
                if (start.startsWith("•") || start.startsWith("-")) {
                    bullets++;
                }
                String end = line.stripTrailing();
                if (end.endsWith("...") || end.endsWith("…")) {
                    ellipses++;
                }
            }
            double lineCount = Math.max(1, lines.length);
            double ellipsisLines = ellipses / lineCount;
            drop = above("gopher-bullet-lines", "lines starting with a bullet", bullets / lineCount, settings.maxBulletLineFraction(), "maxBulletLineFraction")
                    .or(() -> above("gopher-ellipsis-lines", "lines ending with an ellipsis", ellipsisLines,
                            settings.maxEllipsisLineFraction(), "maxEllipsisLineFraction"));
            if (drop.isPresent()) {
                return drop;
            }
            double alphabeticFraction = alphabetic / tokens;
            if (alphabeticFraction < settings.minAlphabeticWordFraction()) {
                return Optional.of(drop("gopher-alphabetic-words", String.format(Locale.ROOT,
                        "words with a letter %.4f < min %.4f (minAlphabeticWordFraction)", alphabeticFraction, settings.minAlphabeticWordFraction())));
            }
            if (stopWords < settings.minStopWords()) {
                return Optional.of(drop("gopher-stop-words", String.format(Locale.ROOT, "%d stop words < min %d (minStopWords; stop words: %s)",
                        stopWords, settings.minStopWords(), String.join(" ", new TreeSet<>(settings.stopWords())))));
            }
            return Optional.empty();
        }

        private Outcome c4(Row row) {
            Map<String, Long> counts = new TreeMap<>();
            List<String> kept = new ArrayList<>();
            int sentences = 0;
            for (String raw : ANY_LINE_BREAK.split(row.string(column).orElseThrow(), -1)) {
                String line = raw.strip();
                if (line.isEmpty()) {
                    continue;
                }
                int[] wordStatistics = wordCountAndLongest(line);
                if (wordStatistics[1] > settings.c4MaxWordLength()) {
                    counts.merge("c4-line-too-long-word", 1L, Long::sum);
                    continue;
                }
                if (settings.c4RemoveCitations()) {
                    Matcher citations = CITATION.matcher(line);
                    int removed = 0;
                    while (citations.find()) {
                        removed++;
                    }
                    if (removed > 0) {
                        counts.merge("c4-citation", (long) removed, Long::sum);
                        line = citations.replaceAll("");
                    }
                }
                if (settings.c4TerminalPunctuation() && (!endsWithTerminalPunctuation(line) || line.endsWith("..."))) {
                    counts.merge("c4-line-no-terminal-punctuation", 1L, Long::sum);
                    continue;
                }
                if (wordStatistics[0] < settings.c4MinWordsPerLine()) {
                    counts.merge("c4-line-too-few-words", 1L, Long::sum);
                    continue;
                }
                String lower = line.toLowerCase(Locale.ROOT);
                if (settings.c4LoremIpsum() && lower.contains("lorem ipsum")) {
                    return drop("c4-lorem-ipsum", "a line contains \"lorem ipsum\" (c4LoremIpsum): " + excerpt(line));
                }
                if (settings.c4Javascript() && lower.contains("javascript")) {
                    counts.merge("c4-line-javascript", 1L, Long::sum);
                    continue;
                }
                if (settings.c4CurlyBracket() && line.indexOf('{') >= 0) {
                    return drop("c4-curly-bracket", "a line contains '{' (c4CurlyBracket): " + excerpt(line));
                }
                if (settings.c4Policy() && POLICY.stream().anyMatch(lower::contains)) {
                    counts.merge("c4-line-policy", 1L, Long::sum);
                    continue;
                }
                sentences += Math.max(1, count(SENTENCE_END, line));
                kept.add(line);
            }
            if (sentences < settings.c4MinSentences()) {
                return drop("c4-too-few-sentences", String.format(Locale.ROOT, "%d sentences in the kept lines < min %d (c4MinSentences)",
                        sentences, settings.c4MinSentences()));
            }
            String text = String.join("\n", kept).strip();
            if (text.isEmpty()) {
                return drop("c4-empty", "no line is left after the C4 line filters");
            }
            Outcome.Emit emit = Outcome.emit(text.equals(row.string(column).orElseThrow()) ? row : row.with(column, text));
            for (Map.Entry<String, Long> count : counts.entrySet()) {
                emit = emit.counting(count.getKey(), count.getValue());
            }
            return emit;
        }

        private Optional<Outcome> above(String reason, String measure, double value, double max, String parameter) {
            if (value > max) {
                return Optional.of(drop(reason, String.format(Locale.ROOT, "%s %.4f > max %.4f (%s)", measure, value, max, parameter)));
            }
            return Optional.empty();
        }

        private Outcome drop(String reason, String detail) {
            return Outcome.drop(id, reason, detail);
        }
    }

    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int length = text.length();
        int start = -1;
        for (int i = 0; i < length; i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                if (start >= 0) {
                    words.add(text.substring(start, i));
                    start = -1;
                }
            }
            else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            words.add(text.substring(start));
        }
        return words;
    }

    /** The number of words of a line and the length of its longest word. */
    private static int[] wordCountAndLongest(String line) {
        int count = 0;
        int longest = 0;
        int start = -1;
        int length = line.length();
        for (int i = 0; i <= length; i++) {
            if (i == length || Character.isWhitespace(line.charAt(i))) {
                if (start >= 0) {
                    count++;
                    longest = Math.max(longest, i - start);
                    start = -1;
                }
            }
            else if (start < 0) {
                start = i;
            }
        }
        return new int[] {count, longest};
    }

    static String core(String word) {
        int start = 0;
        int end = word.length();
        while (start < end && !Character.isLetterOrDigit(word.codePointAt(start))) {
            start += Character.charCount(word.codePointAt(start));
        }
        while (end > start && !Character.isLetterOrDigit(word.codePointBefore(end))) {
            end -= Character.charCount(word.codePointBefore(end));
        }
        return word.substring(start, end);
    }

    private static boolean endsWithTerminalPunctuation(String line) {
        if (line.isEmpty()) {
            return false;
        }
        return ".?!\"'”’".indexOf(line.charAt(line.length() - 1)) >= 0;
    }

    /** Count of duplicate elements (equal to an earlier one) and of their characters. */
    private static long[] duplicates(String[] elements) {
        Set<String> seen = new HashSet<>();
        long count = 0;
        long characters = 0;
        for (String element : elements) {
            if (!seen.add(element)) {
                count++;
                characters += element.length();
            }
        }
        return new long[] {count, characters};
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            count++;
        }
        return count;
    }

    private static int count(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    private static String excerpt(String line) {
        return line.length() <= 80 ? line : line.substring(0, 80) + "...";
    }

    /**
     * The words of a text as ids (equal words, equal ids), for exact n-gram counting without
     * building strings: n-grams are found by a 64-bit polynomial hash in an open-addressing table
     * and compared word by word when hashes are equal, so a hash collision never merges two n-grams.
     */
    private static final class Ngrams {
        private static final long BASE = 0x9E3779B97F4A7C15L;
        private final int[] ids;
        private final int[] lengths;
        private final long[] prefix;
        private final long[] powers;

        Ngrams(List<String> words) {
            int size = words.size();
            ids = new int[size];
            lengths = new int[size];
            prefix = new long[size + 1];
            powers = new long[size + 1];
            powers[0] = 1;
            Map<String, Integer> vocabulary = new HashMap<>();
            for (int i = 0; i < size; i++) {
                String word = words.get(i);
                Integer id = vocabulary.get(word);
                if (id == null) {
                    id = vocabulary.size();
                    vocabulary.put(word, id);
                }
                ids[i] = id;
                lengths[i] = word.length();
                prefix[i + 1] = prefix[i] * BASE + id + 1;
                powers[i + 1] = powers[i] * BASE;
            }
        }

        /** Characters of the most frequent n-gram (words joined by single spaces) times its count; 0 when none occurs twice. */
        double topCharacters(int n) {
            if (ids.length < n) {
                return 0;
            }
            Table table = new Table(ids.length - n + 1, n);
            long best = 0;
            int bestCount = 1;
            for (int start = 0; start + n <= ids.length; start++) {
                int slot = table.slot(start);
                int count = ++table.counts[slot];
                if (count < 2 || count < bestCount) {
                    continue;
                }
                long characters = (long) characters(table.starts[slot], n) + n - 1;
                if (count > bestCount || characters > best) {
                    best = characters;
                    bestCount = count;
                }
            }
            return bestCount < 2 ? 0 : (double) best * bestCount;
        }

        /** datatrove's duplicate n-gram characters: an n-gram seen before adds its characters and skips n words. */
        double duplicateCharacters(int n) {
            if (ids.length < n) {
                return 0;
            }
            Table table = new Table(ids.length - n + 1, n);
            long characters = 0;
            int start = 0;
            while (start + n <= ids.length) {
                int slot = table.slot(start);
                if (table.counts[slot]++ == 0) {
                    start++;
                }
                else {
                    characters += characters(start, n);
                    start += n;
                }
            }
            return characters;
        }

        private long hash(int start, int n) {
            return prefix[start + n] - prefix[start] * powers[n];
        }

        private int characters(int start, int n) {
            int sum = 0;
            for (int i = start; i < start + n; i++) {
                sum += lengths[i];
            }
            return sum;
        }

        /** Open addressing from an n-gram to the slot holding its first start and its count. */
        private final class Table {
            final int n;
            final long[] hashes;
            final int[] starts;
            final int[] counts;
            final int mask;

            Table(int expected, int n) {
                this.n = n;
                int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
                hashes = new long[capacity];
                starts = new int[capacity];
                counts = new int[capacity];
                java.util.Arrays.fill(starts, -1);
                mask = capacity - 1;
            }

            /** The slot of the n-gram at {@code start}, claimed (count 0) when it is new. */
            int slot(int start) {
                long hash = hash(start, n);
                int slot = (int) (hash ^ (hash >>> 32)) * 0x9E3779B9 >>> 1 & mask;
                while (starts[slot] >= 0) {
                    if (hashes[slot] == hash && sameWords(starts[slot], start)) {
                        return slot;
                    }
                    slot = (slot + 1) & mask;
                }
                hashes[slot] = hash;
                starts[slot] = start;
                return slot;
            }

            private boolean sameWords(int first, int second) {
                for (int i = 0; i < n; i++) {
                    if (ids[first + i] != ids[second + i]) {
                        return false;
                    }
                }
                return true;
            }
        }
    }
}
