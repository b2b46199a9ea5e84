package io.kiln.transform.text.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class PiiScannerTest {
    private final PiiScanner scanner = PiiScanner.allKinds("US");

    @Test
    void theLongestOverlappingSpanWins() {
        // the IPv4 address inside the mapped IPv6 address, and digits of a phone-like run inside a card
        List<PiiMatch> matches = scanner.scan("peer ::ffff:45.33.32.156 paid 4111-1111-1111-1111");
        assertThat(matches).extracting(PiiMatch::kind).containsExactly(PiiKind.IP_ADDRESS, PiiKind.CREDIT_CARD);
        assertThat(matches.get(0).start()).isEqualTo(5);
    }

    @Test
    void returnsMatchesInTextOrderWithoutOverlaps() {
        List<PiiMatch> matches = scanner.scan("b@example.org 536-22-8726 a@example.org");
        assertThat(matches).extracting(PiiMatch::kind).containsExactly(PiiKind.EMAIL, PiiKind.US_SSN, PiiKind.EMAIL);
        for (int i = 1; i < matches.size(); i++) {
            assertThat(matches.get(i).start()).isGreaterThanOrEqualTo(matches.get(i - 1).end());
        }
    }

    @Test
    void givesTheSameMatchesWhateverTheRun() {
        String text = "x@example.com +44 20 7946 0958 45.33.32.156 4111111111111111 DE89370400440532013000 536-22-8726 AKIAIOSFODNN7EXAMPLE";
        assertThat(scanner.scan(text)).isEqualTo(PiiScanner.allKinds("US").scan(text)).hasSize(7);
    }
}
