package io.kiln.transform.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.Transform;

class LanguageStepTest {
    /** The first sentences of the DESCRIPTION of apropos(1) from man-db and its translations (Debian manpages, GPL). */
    static final Map<String, String> APROPOS = Map.of(
            "en", "Each manual page has a short description available within it. apropos searches the descriptions for instances of keyword.",
            "de", "Jede Handbuchseite enthält eine kurze Beschreibung. apropos durchsucht diese Beschreibungen nach dem Vorkommen von Schlüsselwort.",
            "fr", "Chaque page de manuel comporte une courte description. apropos recherche et affiche cette description pour chaque page "
                    + "correspondant à mot-clé.",
            "es", "Cada página de manual contiene una breve descripción. apropos busca las descripciones de las instancias de palabraclave.",
            "it", "Ogni pagina di manuale ha disponibile al suo interno una breve descrizione. apropos ricerca nelle descrizioni le istanze "
                    + "di parola_chiave.",
            "pl", "Każda strona podręcznika zawiera krótki opis. apropos przeszukuje te opisy, wyszukując podane słowo_kluczowe.",
            "pt", "Cada página do manual tem uma breve descrição disponível. apropos procura as descrições para instâncias de palavra-chave",
            "sv", "Varje manualsida har en kort beskrivning. apropos söker genom beskrivningarna efter nyckelord.");
    private static final List<String> EUROPEAN = List.of("en", "de", "fr", "es", "it", "pl", "pt", "sv");

    private static Transform bind(Map<String, Object> parameters) {
        Map<String, Object> withLanguages = new java.util.HashMap<>(parameters);
        withLanguages.putIfAbsent("languages", EUROPEAN);
        return new LanguageStep().bind(withLanguages);
    }

    private static Row detected(Transform transform, String text) {
        Outcome outcome = transform.apply(Row.text("r", text));
        assertThat(outcome).isInstanceOf(Outcome.Emit.class);
        return ((Outcome.Emit) outcome).row();
    }

    @Test
    void detectsGermanAndFrench() {
        Transform language = bind(Map.of());
        Row german = detected(language, APROPOS.get("de"));
        Row french = detected(language, APROPOS.get("fr"));

        assertThat(german.string("language")).contains("de");
        assertThat(french.string("language")).contains("fr");
        assertThat((Double) german.value("language_score").orElseThrow()).isBetween(0.0, 1.0);
    }

    @Test
    void detectsEveryTranslationOfTheSamePage() {
        Transform language = bind(Map.of());
        APROPOS.forEach((code, text) -> assertThat(detected(language, text).string("language")).as(code).contains(code));
    }

    @Test
    void detectsAmongAllLanguagesByDefault() {
        Transform language = new LanguageStep().bind(Map.of());
        assertThat(detected(language, APROPOS.get("de")).string("language")).contains("de");
        assertThat(detected(language, "Привет, мир! Это текст на русском языке.").string("language")).contains("ru");
    }

    @Test
    void roundsTheScoreToFourDecimals() {
        double score = (Double) detected(bind(Map.of()), APROPOS.get("en")).value("language_score").orElseThrow();
        assertThat(java.math.BigDecimal.valueOf(score).scale()).isLessThanOrEqualTo(4);
        assertThat(score).isGreaterThan(0.0);
    }

    @Test
    void marksTextWithoutLettersAndLowScoresAsUndetermined() {
        Row digits = detected(bind(Map.of()), "12345 678 + 9 = ?");
        assertThat(digits.string("language")).contains("und");
        assertThat(digits.value("language_score")).contains(0.0);

        Row unsure = detected(bind(Map.of("minScore", 0.99)), APROPOS.get("fr"));
        assertThat(unsure.string("language")).contains("und");
    }

    @Test
    void dropsDocumentInALanguageNotKept() {
        Transform keepEnglishAndFrench = bind(Map.of("keep", List.of("en", "fr")));
        assertThat(keepEnglishAndFrench.apply(Row.text("r", APROPOS.get("fr")))).isInstanceOf(Outcome.Emit.class);

        Outcome outcome = keepEnglishAndFrench.apply(Row.text("r", APROPOS.get("de")));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Drop.class, drop -> {
            assertThat(drop.by()).hasToString("language@1");
            assertThat(drop.reason()).isEqualTo("language-not-kept");
            assertThat(drop.detail()).matches("detected de with score 0\\.\\d{4}; keep: en, fr");
        });
    }

    @Test
    void givesTheSameResultOnEveryThreadAndInEveryMode() throws Exception {
        for (String accuracy : List.of("low", "high")) {
            Transform language = bind(Map.of("accuracy", accuracy, "languages", List.of("de", "fr")));
            List<Row> expected = new ArrayList<>();
            List<String> texts = List.of(APROPOS.get("de"), APROPOS.get("fr"), "Bonjour", "OK", "Guten Tag, Welt");
            texts.forEach(text -> expected.add(detected(language, text)));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Row>>> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    runs.add(pool.submit(() -> texts.stream().map(text -> detected(language, text)).toList()));
                }
                for (Future<List<Row>> run : runs) {
                    assertThat(run.get()).as(accuracy).isEqualTo(expected);
                }
            }
            finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void declaresItsColumnsAndDetector() {
        Transform language = bind(Map.of());
        assertThat(language.columns()).extracting(column -> column.name()).containsExactly("language", "language_score");
        assertThat(language.fingerprint()).containsEntry("language-detector", "lingua-1.2.2");
    }

    @Test
    void rejectsBadParametersByName() {
        assertThatThrownBy(() -> new LanguageStep().bind(Map.of("languages", List.of("en", "xx"))))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("languages");
                    assertThat(e.getMessage()).isEqualTo("not an ISO 639-1 code of a language that Lingua detects: xx");
                });
        assertThatThrownBy(() -> new LanguageStep().bind(Map.of("languages", List.of("en"))))
                .hasMessage("needs at least two languages to choose from, was [en]");
        assertThatThrownBy(() -> bind(Map.of("keep", List.of("ja"))))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("keep");
                    assertThat(e.getMessage()).isEqualTo("language ja is not among the languages the detector chooses from");
                });
        assertThatThrownBy(() -> bind(Map.of("accuracy", "medium"))).hasMessage("must be one of high, low, was medium");
    }
}
