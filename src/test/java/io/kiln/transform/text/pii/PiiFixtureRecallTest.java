package io.kiln.transform.text.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Recall and false positives on a small fixture of real Debian changelog excerpts
 * ({@code pii/changelog-excerpts.txt}) with SYNTHETIC values planted into it, under each
 * {@link PhoneRules}. The full evaluation on the machine's changelogs and kernel docs is
 * {@code bench/pii-eval.sh}.
 */
class PiiFixtureRecallTest {
    private static final Map<PhoneRules, PiiEvaluation.Result> RESULTS = new EnumMap<>(PhoneRules.class);
    private static List<PiiEvaluation.Document> documents;

    @BeforeAll
    static void readFixture() throws IOException {
        String fixture;
        try (InputStream in = PiiFixtureRecallTest.class.getResourceAsStream("/pii/changelog-excerpts.txt")) {
            fixture = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        documents = new ArrayList<>();
        String[] blocks = fixture.split("\n\n(?=[a-z0-9.+-]+ \\()");
        for (int i = 0; i < blocks.length; i++) {
            documents.add(new PiiEvaluation.Document("excerpt-" + i, blocks[i]));
        }
    }

    private static synchronized PiiEvaluation.Result result(PhoneRules rules) {
        return RESULTS.computeIfAbsent(rules, key -> PiiEvaluation.evaluate(documents, PiiScanner.allKinds("US", key), 20261121L, 100));
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void findsPlantedEmailsCardsAndIbansWithRecallAtLeast99Percent(PhoneRules rules) {
        PiiEvaluation.Result result = result(rules);
        assertThat(result.recall(PiiKind.EMAIL)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
        assertThat(result.recall(PiiKind.CREDIT_CARD)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
        assertThat(result.recall(PiiKind.IBAN)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void findsPlantedPhonesWithRecallAtLeast95Percent(PhoneRules rules) {
        PiiEvaluation.Result result = result(rules);
        assertThat(result.recall(PiiKind.PHONE)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.95);
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void findsPlantedAddressesSsnsAndSecrets(PhoneRules rules) {
        PiiEvaluation.Result result = result(rules);
        assertThat(result.recall(PiiKind.IP_ADDRESS)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.95);
        assertThat(result.recall(PiiKind.US_SSN)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
        assertThat(result.recall(PiiKind.SECRET)).as("misses %s", result.misses).isGreaterThanOrEqualTo(0.99);
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void findsEveryNaturalEmailAddress(PhoneRules rules) {
        PiiEvaluation.Result result = result(rules);
        assertThat(result.naturalEmails).isGreaterThanOrEqualTo(10);
        assertThat(result.naturalMisses).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void leavesVersionsDatesAndCveIdsOfRealChangelogsAlone(PhoneRules rules) {
        assertThat(result(rules).falsePositiveSamples).isEmpty();
    }

    @Test
    void version2FindsPlantedMailShapedUsPhonesWithRecallAtLeast95PercentAndVersion1DoesNot() {
        SyntheticPii synthetic = new SyntheticPii(20261206L);
        List<SyntheticPii.Planted> plants = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            plants.add(synthetic.nextUsMailPhone());
        }
        PiiEvaluation.Result version1 = PiiEvaluation.evaluate(documents, PiiScanner.allKinds("US", PhoneRules.VERSION_1), 20261206L, plants);
        PiiEvaluation.Result version2 = PiiEvaluation.evaluate(documents, PiiScanner.allKinds("US", PhoneRules.VERSION_2), 20261206L, plants);
        assertThat(version2.recall(PiiKind.PHONE)).as("misses %s", version2.misses).isGreaterThanOrEqualTo(0.95);
        assertThat(version1.recall(PiiKind.PHONE)).isLessThan(0.8);
    }
}
