package io.kiln.transform.text;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;

import io.kiln.transform.Column;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.TextStep;
import io.kiln.transform.Transform;

/**
 * {@code language}: detects the language of the text with Lingua 1.2.2 and records it in the
 * columns {@code language} (ISO 639-1 code, or {@code und} when undetermined) and
 * {@code language_score}.
 *
 * <p>The score: Lingua 1.2.2's confidence values are relative (the most likely language always
 * has 1.0, the others the ratio of log-probabilities), so the "confidence of the top language" is
 * always 1. The score recorded is instead the relative distance from the top language to the
 * runner-up, {@code 1 - confidence(second)}: 0 for a tie, near 1 when no other language comes
 * close; it is the quantity that Lingua's own {@code minimumRelativeDistance} thresholds. With a
 * single candidate left (Lingua's rules decided by the script), it is 1. It is rounded to 4
 * decimals. Text without letters gives {@code und} with score 0.
 *
 * <p>Parameters: {@code languages} (ISO 639-1 codes the detector chooses among, at least two;
 * default all 75 that Lingua knows), {@code accuracy} ({@code low}, the default, or {@code high}:
 * high accuracy also uses 1- to 5-gram models and is better on short texts, but for all languages
 * its models take about 1.5 GB of heap and 45 s to load, against about 90 MB and 5 s in low
 * accuracy; see BENCHMARKS.md), {@code minScore} (below it the language is {@code und}; default 0),
 * {@code keep} (ISO codes, {@code und} allowed; a text in another language is dropped as
 * {@code language-not-kept}; default: keep all), {@code maxCharacters} (only the first that many
 * characters are looked at, default 2000, since Lingua's cost grows with the length of the text;
 * 0: all).
 *
 * <p>The detector is built with its models preloaded when the step is bound, and shared by every
 * transform with the same languages and accuracy (Lingua keeps its models in static maps, so they
 * stay loaded for the life of the JVM). Detection only reads them and is thread-safe; the result
 * depends only on the text.
 */
public final class LanguageStep implements StepDefinition {
    public static final String NAME = "language";
    public static final int VERSION = 1;
    private static final StepId ID = new StepId(NAME, VERSION);
    public static final String UNDETERMINED = "und";
    static final String LINGUA_VERSION = "1.2.2";

    private static final Set<String> PARAMETERS = Set.of("languages", "accuracy", "minScore", "keep", "maxCharacters", "column");
    private static final Map<DetectorKey, LanguageDetector> DETECTORS = new ConcurrentHashMap<>();
    private static final List<Column> COLUMNS = List.of(
            Column.string("language", "ISO 639-1 code of the detected language, und when undetermined"),
            Column.doubleColumn("language_score", "relative distance of the detected language to the runner-up (0-1, 4 decimals)"));

    private record DetectorKey(Set<Language> languages, boolean lowAccuracy) {}

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, PARAMETERS);
        Set<Language> languages = EnumSet.noneOf(Language.class);
        List<String> codes = StepParameters.strings(parameters, "languages", List.of());
        if (codes.isEmpty()) {
            for (Language language : Language.values()) {
                if (language != Language.UNKNOWN) {
                    languages.add(language);
                }
            }
        }
        else {
            for (String code : codes) {
                languages.add(language("languages", code));
            }
            if (languages.size() < 2) {
                throw new InvalidStepParameterException("languages", "needs at least two languages to choose from, was " + codes);
            }
        }
        boolean lowAccuracy = StepParameters.oneOf(parameters, "accuracy", "low", Set.of("low", "high")).equals("low");
        double minScore = StepParameters.number(parameters, "minScore", 0, 0, 1);
        SortedSet<String> keep = new TreeSet<>();
        for (String code : StepParameters.strings(parameters, "keep", List.of())) {
            if (code.equals(UNDETERMINED)) {
                keep.add(code);
                continue;
            }
            Language language = language("keep", code);
            if (!languages.contains(language)) {
                throw new InvalidStepParameterException("keep", "language " + code + " is not among the languages the detector chooses from");
            }
            keep.add(isoCode(language));
        }
        int maxCharacters = StepParameters.integer(parameters, "maxCharacters", 2_000, 0, Integer.MAX_VALUE);
        LanguageDetector detector = DETECTORS.computeIfAbsent(new DetectorKey(Set.copyOf(languages), lowAccuracy), key -> {
            LanguageDetectorBuilder builder = LanguageDetectorBuilder.fromLanguages(key.languages().toArray(new Language[0]))
                    .withPreloadedLanguageModels();
            return (key.lowAccuracy() ? builder.withLowAccuracyMode() : builder).build();
        });
        return new Detect(id(), detector, minScore, keep, maxCharacters, StepParameters.column(parameters, "column"));
    }

    private static Language language(String parameter, String code) {
        for (IsoCode639_1 iso : IsoCode639_1.values()) {
            if (iso != IsoCode639_1.NONE && iso.toString().equals(code.toLowerCase(Locale.ROOT))) {
                return Language.getByIsoCode639_1(iso);
            }
        }
        throw new InvalidStepParameterException(parameter, "not an ISO 639-1 code of a language that Lingua detects: " + code);
    }

    private static String isoCode(Language language) {
        return language.getIsoCode639_1().toString().toLowerCase(Locale.ROOT);
    }

    /** The detected language and its score, before {@code minScore}. */
    record Detection(String language, double score) {}

    static Detection detect(LanguageDetector detector, String text) {
        Map<Language, Double> confidences = detector.computeLanguageConfidenceValues(text);
        Language top = null;
        double topValue = Double.NEGATIVE_INFINITY;
        List<Map.Entry<Language, Double>> entries = new ArrayList<>(confidences.entrySet());
        for (Map.Entry<Language, Double> entry : entries) {
            if (entry.getValue() > topValue || (entry.getValue() == topValue && isoCode(entry.getKey()).compareTo(isoCode(top)) < 0)) {
                top = entry.getKey();
                topValue = entry.getValue();
            }
        }
        if (top == null) {
            return new Detection(UNDETERMINED, 0);
        }
        double second = 0;
        for (Map.Entry<Language, Double> entry : entries) {
            if (entry.getKey() != top) {
                second = Math.max(second, entry.getValue());
            }
        }
        double distance = topValue <= 0 ? 0 : Math.max(0, Math.min(1, (topValue - second) / topValue));
        return new Detection(isoCode(top), Math.round(distance * 10_000) / 10_000.0);
    }

    private record Detect(StepId id, LanguageDetector detector, double minScore, SortedSet<String> keep, int maxCharacters, String column)
            implements TextStep {
        @Override
        public Outcome apply(Row row, String text) {
            if (maxCharacters > 0 && text.length() > maxCharacters) {
                int end = Character.isHighSurrogate(text.charAt(maxCharacters - 1)) ? maxCharacters - 1 : maxCharacters;
                text = text.substring(0, end);
            }
            Detection detection = detect(detector, text);
            String language = detection.score() < minScore ? UNDETERMINED : detection.language();
            if (!keep.isEmpty() && !keep.contains(language)) {
                String detected = language.equals(UNDETERMINED) && !detection.language().equals(UNDETERMINED)
                        ? "und (best guess " + detection.language() + ", score below minScore " + minScore + ")"
                        : language;
                return Outcome.drop(id, "language-not-kept", String.format(Locale.ROOT, "detected %s with score %.4f; keep: %s",
                        detected, detection.score(), String.join(", ", keep)));
            }
            return Outcome.emit(row.with(Map.of("language", language, "language_score", detection.score())));
        }

        @Override
        public List<Column> columns() {
            return COLUMNS;
        }

        @Override
        public Map<String, String> fingerprint() {
            return Map.of("language-detector", "lingua-" + LINGUA_VERSION);
        }
    }
}
