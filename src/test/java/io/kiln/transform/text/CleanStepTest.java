package io.kiln.transform.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.Transform;

class CleanStepTest {
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
    private final Transform clean = new CleanStep().bind(Map.of());

    /** The text's UTF-8 bytes read as {@code as}; bytes that Windows-1252 leaves undefined become C1 controls, as Windows does. */
    private static String misdecoded(String text, Charset as) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char decoded = new String(new byte[] {b}, as).charAt(0);
            out.append(decoded == '\uFFFD' ? (char) (b & 0xFF) : decoded);
        }
        return out.toString();
    }

    private Outcome.Emit emitted(Transform transform, String text) {
        Outcome outcome = transform.apply(Row.text("r", text));
        assertThat(outcome).isInstanceOf(Outcome.Emit.class);
        return (Outcome.Emit) outcome;
    }

    @Test
    void repairsUtf8ReadAsCp1252() {
        String original = "Café au lait, don’t worry — Grüße aus Köln “quoted” 5 €";
        String broken = misdecoded(original, WINDOWS_1252);
        assertThat(broken).contains("CafÃ©", "donâ€™t", "GrÃ¼ÃŸe");

        Outcome.Emit emit = emitted(clean, broken);

        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo(original);
        assertThat(emit.counts()).containsEntry("mojibake-repaired", 9L);
    }

    @Test
    void repairsUtf8ReadAsLatin1WithC1Controls() {
        String original = "l’été à Zürich";
        String broken = misdecoded(original, StandardCharsets.ISO_8859_1);
        assertThat(broken).contains("\u0080\u0099");

        assertThat(emitted(clean, broken).row().string(Row.TEXT).orElseThrow()).isEqualTo(original);
    }

    @Test
    void repairsTextMisdecodedTwice() {
        String original = "naïve café";
        String twice = misdecoded(misdecoded(original, WINDOWS_1252), WINDOWS_1252);
        assertThat(twice).isEqualTo("naÃƒÂ¯ve cafÃƒÂ©");

        assertThat(emitted(clean, twice).row().string(Row.TEXT).orElseThrow()).isEqualTo(original);
    }

    @Test
    void repairsCyrillicReadAsCp1252() {
        String original = "Привет, мир! Это текст на русском языке.";
        String broken = misdecoded(original, WINDOWS_1252);
        assertThat(broken).startsWith("ÐŸÑ€Ð¸Ð²ÐµÑ‚");

        assertThat(emitted(clean, broken).row().string(Row.TEXT).orElseThrow()).isEqualTo(original);
    }

    @Test
    void leavesCorrectLatinTextAlone() {
        String text = "»Der Fuß« sagte er. ÇA VA? NÃO, Ñandú, Ø°C, © 2024 Ærø — “fine” ’quotes’ ß» Ü«";
        assertThat(Mojibake.countMarkers(text)).isZero();
        Row row = Row.text("r", text);

        Outcome.Emit emit = (Outcome.Emit) clean.apply(row);

        assertThat(emit.row()).isSameAs(row);
        assertThat(emit.counts()).isEmpty();
    }

    @Test
    void removesBoilerplateLinesAndCountsThemByPattern() {
        String text = String.join("\n",
                "Home > Docs > Installing Kiln",
                "Skip to main content",
                "Installing Kiln takes one command and a few minutes of patience.",
                "We use cookies to improve your experience. Accept all cookies",
                "Click here to subscribe to our newsletter!",
                "The service starts on port 8080 by default.",
                "Share on Facebook",
                "Tweet this",
                "© 2024 Example Corp. All rights reserved.");

        Outcome.Emit emit = emitted(clean, text);

        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo("Installing Kiln takes one command and a few minutes of patience.\n"
                + "The service starts on port 8080 by default.");
        assertThat(emit.counts()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "boilerplate-breadcrumbs", 1L, "boilerplate-navigation", 1L, "boilerplate-cookie-banner", 1L,
                "boilerplate-click-here", 1L, "boilerplate-share-buttons", 2L, "boilerplate-all-rights-reserved", 1L));
    }

    @Test
    void keepsLongParagraphsThatMentionCookiesOrRights() {
        String text = "HTTP cookies are small blocks of data created by a web server while a user is browsing a website and placed "
                + "on the user's computer; the http.cookies module of Python defines classes for abstracting the concept of cookies, "
                + "and we use cookies in this example to show how a server can remember a session across requests without any state. "
                + "This paragraph is long enough that no boilerplate pattern removes it, although it says: we use cookies.";
        assertThat(emitted(clean, text).row().string(Row.TEXT).orElseThrow()).isEqualTo(text);
    }

    @Test
    void removesRepeatedPageHeadersAndPageNumbers() {
        StringBuilder pdf = new StringBuilder();
        for (int page = 1; page <= 4; page++) {
            pdf.append("Kiln User Guide\n");
            pdf.append("Paragraph ").append(page).append(" says something different about ingestion.\n");
            pdf.append("Page ").append(page).append(" of 4\n");
        }

        Outcome.Emit emit = emitted(clean, pdf.toString());

        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo("Paragraph 1 says something different about ingestion.\n"
                + "Paragraph 2 says something different about ingestion.\n"
                + "Paragraph 3 says something different about ingestion.\n"
                + "Paragraph 4 says something different about ingestion.");
        assertThat(emit.counts()).containsEntry("repeated-line", 4L).containsEntry("boilerplate-page-number", 4L);
    }

    @Test
    void removesRunningHeadsWithPageNumbersButKeepsFigureCaptions() {
        StringBuilder pdf = new StringBuilder();
        for (int page = 1; page <= 3; page++) {
            pdf.append("Kiln User Guide ").append(page).append('\n');
            pdf.append("Figure ").append(page).append('\n');
            pdf.append("Text of page ").append(page).append(".\n");
            pdf.append("—").append(page).append("—\n");
        }

        Outcome.Emit emit = emitted(clean, pdf.toString());

        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo("Figure 1\nText of page 1.\nFigure 2\nText of page 2.\nFigure 3\nText of page 3.");
        assertThat(emit.counts()).containsEntry("repeated-line", 3L).containsEntry("boilerplate-page-number", 3L);
    }

    @Test
    void keepsRepeatedCodeLinesHeadingsAndSentences() {
        String text = String.join("\n",
                "Parameters", "----------", "The first function.",
                "```", "if ready", "    return result", "else", "    return other", "if ready", "else", "if ready", "else", "```",
                "Parameters", "----------", "The second function.",
                "    return result", "    return result",
                "for item in items:", "for item in items:", "for item in items:",
                "Parameters", "----------", "The third function.",
                "Yes.", "Yes.", "Yes.",
                "- one", "- one", "- one",
                "}", "}", "}",
                "EXAMPLE", "EXAMPLE", "EXAMPLE",
                "fi", "done", "fi", "done", "fi", "done",
                "Driver  Name", "Driver  Name", "Driver  Name",
                ".. code-block:: c", ".. code-block:: c", ".. code-block:: c");

        Outcome.Emit emit = emitted(clean, text);

        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo(text);
        assertThat(emit.counts()).isEmpty();
    }

    @Test
    void dropsTextThatIsOnlyBoilerplate() {
        Outcome outcome = clean.apply(Row.text("r", "Skip to content\n\nAll rights reserved.\nShare on Twitter\n"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Drop.class, drop -> {
            assertThat(drop.by()).hasToString("clean@1");
            assertThat(drop.reason()).isEqualTo("empty-after-clean");
            assertThat(drop.detail()).contains("3 boilerplate or repeated lines");
        });
    }

    @Test
    void eachRemovalCanBeTurnedOff() {
        Transform nothing = new CleanStep().bind(Map.of("boilerplate", List.of(), "repeatedLines", false, "mojibake", false));
        String text = "Skip to content\nCafÃ©\nheader\nheader\nheader";
        assertThat(emitted(nothing, text).row().string(Row.TEXT).orElseThrow()).isEqualTo(text);

        Transform onlyClickHere = new CleanStep().bind(Map.of("boilerplate", List.of("click-here"), "repeatedLines", false));
        assertThat(emitted(onlyClickHere, "Skip to content\nClick here to download.\nCafÃ©").row().string(Row.TEXT).orElseThrow()).isEqualTo("Skip to content\nCafé");
    }

    @Test
    void appliesExtraPatternsAndAFewerRepeatsThreshold() {
        Transform custom = new CleanStep().bind(Map.of("extraPatterns", List.of("advertisement"), "minRepeats", 2));
        Outcome.Emit emit = emitted(custom, "Advertisement\nKiln Guide\nText one.\nKiln Guide\nText two.");

        assertThat(emit.row().string(Row.TEXT).orElseThrow()).isEqualTo("Text one.\nText two.");
        assertThat(emit.counts()).containsEntry("boilerplate-extra", 1L).containsEntry("repeated-line", 2L);
    }

    @Test
    void rejectsBadParametersByName() {
        assertThatThrownBy(() -> new CleanStep().bind(Map.of("boilerplate", List.of("cookies"))))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> {
                    assertThat(e.parameter()).isEqualTo("boilerplate");
                    assertThat(e.getMessage()).startsWith("unknown pattern cookies; known patterns are cookie-banner, all-rights-reserved");
                });
        assertThatThrownBy(() -> new CleanStep().bind(Map.of("extraPatterns", List.of("(unclosed"))))
                .isInstanceOfSatisfying(InvalidStepParameterException.class, e -> assertThat(e.parameter()).isEqualTo("extraPatterns"));
        assertThatThrownBy(() -> new CleanStep().bind(Map.of("minRepeats", 1)))
                .hasMessage("must be between 2 and 2147483647, was 1");
        assertThatThrownBy(() -> new CleanStep().bind(Map.of("mojibake", "yes")))
                .hasMessage("must be true or false, was yes");
    }
}
