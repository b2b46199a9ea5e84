package io.kiln.transform.text.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recall and false positives on a small fixture of real Debian changelog excerpts
 * ({@code pii/changelog-excerpts.txt}) with SYNTHETIC values planted into it. The full
 * evaluation on the machine's changelogs and kernel docs is {@code bench/pii-eval.sh}.
 */
class PiiFixtureRecallTest {
    private static PiiEvaluation.Result result;

    @BeforeAll
    static void evaluate() throws IOException {
        String fixture;
        try (InputStream in = PiiFixtureRecallTest.class.getResourceAsStream("/pii/changelog-excerpts.txt")) {
            fixture = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<PiiEvaluation.Document> documents = new ArrayList<>();
        String[] blocks = fixture.split("\n\n(?=[a-z0-9.+-]+ \\()");
        for (int i = 0; i < blocks.length; i++) {
            documents.add(new PiiEvaluation.Document("excerpt-" + i, blocks[i]));
        }
        result = PiiEvaluation.evaluate(documents, PiiScanner.allKinds("US"), 20261121L, 100);
    }

    @Test
    void findsPlantedEmailsCardsAndIbansWithRecallAtLeast99Percent() {
        assertThat(result.recall(PiiKind.EMAIL)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
        assertThat(result.recall(PiiKind.CREDIT_CARD)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
        assertThat(result.recall(PiiKind.IBAN)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void findsPlantedPhonesWithRecallAtLeast95Percent() {
        assertThat(result.recall(PiiKind.PHONE)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void findsPlantedAddressesSsnsAndSecrets() {
        assertThat(result.recall(PiiKind.IP_ADDRESS)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.95);
        assertThat(result.recall(PiiKind.US_SSN)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
        assertThat(result.recall(PiiKind.SECRET)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void findsEveryNaturalEmailAddress() {
        assertThat(result.naturalEmails).isGreaterThanOrEqualTo(10);
        assertThat(result.naturalMisses).isEmpty();
    }

    @Test
    void leavesVersionsDatesAndCveIdsOfRealChangelogsAlone() {
        assertThat(result.falsePositiveSamples).isEmpty();
    }
}
