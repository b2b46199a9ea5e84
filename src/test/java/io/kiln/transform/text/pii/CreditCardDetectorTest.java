package io.kiln.transform.text.pii;

import static io.kiln.transform.text.pii.DetectorTesting.found;
import static io.kiln.transform.text.pii.DetectorTesting.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CreditCardDetectorTest {
    private final CreditCardDetector detector = new CreditCardDetector();

    @Test
    void findsCardsContiguousAndInPrintedGroups() {
        String text = "Visa 4111111111111111, MC 5555 5555 5555 4444, Amex 3782-822463-10005, Diners 3056 930902 5904, JCB 3530111333300000.";
        assertThat(normalized(detector, text)).containsExactly("4111111111111111", "5555555555554444", "378282246310005", "30569309025904", "3530111333300000");
    }

    @Test
    void refusesNumbersFailingLuhn() {
        assertThat(found(detector, "4111 1111 1111 1112")).isEmpty();
    }

    @Test
    void refusesUnknownIssuersAndWrongLengths() {
        // Luhn-valid, but 9 and 1 start no card, and a 15-digit Visa does not exist
        assertThat(found(detector, "9111111111111119 1000000000000008 411111111111113")).isEmpty();
    }

    @Test
    void refusesMixedSeparatorsOddGroupsAndLongerNumbers() {
        assertThat(found(detector, "4111 1111-1111 1111, 41111 11111 11111 1, 0.4111111111111111, 4111111111111111.5, 24111111111111111, x4111111111111111, DM_UUID=mpath-35333333000002328"))
                .isEmpty();
    }

    @Test
    void findsACardInsideARunOfOtherNumbers() {
        assertThat(found(detector, "order 12 4111 1111 1111 1111 2025")).containsExactly("4111 1111 1111 1111");
        assertThat(found(detector, "version 26.4.3 3710-993063-87344 and 4.6.1 6563 2404 1227 0389 4.5")).containsExactly("3710-993063-87344", "6563 2404 1227 0389");
    }

    @Test
    void knowsTheLuhnCheck() {
        assertThat(CreditCardDetector.luhn("79927398713")).isTrue();
        assertThat(CreditCardDetector.luhn("79927398710")).isFalse();
    }
}
