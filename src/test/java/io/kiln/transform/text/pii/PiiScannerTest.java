package io.kiln.transform.text.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
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

    @Test
    void anExtensionBearingPhoneNumberLeavesTheNeighbouringEmailAddressWhole() {
        PiiScanner version2 = PiiScanner.allKinds("US", PhoneRules.VERSION_2);
        String text = "T: 415-555-0133 x101 jane.doe@acme.example, 415-555-0134 x102@acme.example, sam415-555-0135@acme.example";
        List<PiiMatch> matches = version2.scan(text);
        assertThat(matches).extracting(match -> match.kind() + " " + text.substring(match.start(), match.end())).containsExactly(
                "PHONE 415-555-0133 x101", "EMAIL jane.doe@acme.example", "PHONE 415-555-0134", "EMAIL x102@acme.example",
                "EMAIL sam415-555-0135@acme.example");
    }

    @Test
    void theThreeArgumentConstructorAndAllKindsKeepVersion1PhoneRules() {
        String text = "T: (949) 555-0150 ext. 213, order to1-415-555-0100";
        PiiScanner version1 = new PiiScanner(EnumSet.allOf(PiiKind.class), "US", PiiScanner.AddressScope.PUBLIC);
        assertThat(version1.scan(text)).isEmpty();
        assertThat(PiiScanner.allKinds("US").scan(text)).isEmpty();
        assertThat(PiiScanner.allKinds("US", PhoneRules.VERSION_1).scan(text)).isEmpty();
        assertThat(new PiiScanner(EnumSet.of(PiiKind.PHONE), "US", PiiScanner.AddressScope.PUBLIC, PhoneRules.VERSION_2).scan(text))
                .extracting(PiiMatch::normalized).containsExactly("+19495550150;ext=213", "+14155550100");
    }

    @Test
    void refusesMissingPhoneRules() {
        assertThatThrownBy(() -> new PiiScanner(EnumSet.allOf(PiiKind.class), "US", PiiScanner.AddressScope.PUBLIC, null))
                .isInstanceOf(NullPointerException.class).hasMessage("phoneRules is null");
    }
}
