package io.kiln.transform.text.pii;

import static io.kiln.transform.text.pii.DetectorTesting.found;
import static io.kiln.transform.text.pii.DetectorTesting.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PhoneDetectorTest {
    private final PhoneDetector detector = new PhoneDetector("US");

    @Test
    void findsInternationalNumbersOfAnyCountry() {
        assertThat(normalized(detector, "London +44 20 7946 0958, Berlin +49 30 901820, Tokyo +81 3-1234-5678, [+27711699254]"))
                .containsExactly("+442079460958", "+4930901820", "+81312345678", "+27711699254");
    }

    @Test
    void findsAnInternationalNumberFollowedByOtherNumbers() {
        // libphonenumber gives up on the whole stretch; the detector retries from the '+'
        assertThat(found(detector, "x@example.com +44 20 7946 0958 45.33.32.156 4111111111111111 y")).containsExactly("+44 20 7946 0958");
    }

    @Test
    void findsNationalNumbersOfTheDefaultRegionInTheUsualLayouts() {
        assertThat(found(detector, "call (415) 555-0132, 415-555-0132 or 415.555.0132; fax 1-415-555-0199"))
                .containsExactly("(415) 555-0132", "415-555-0132", "415.555.0132", "1-415-555-0199");
    }

    @Test
    void takesABareRunOfDigitsOnlyAfterAPhoneWord() {
        assertThat(found(detector, "INT_MAX is 2147483647")).isEmpty();
        assertThat(found(detector, "Phone: 4155550132")).containsExactly("4155550132");
    }

    @Test
    void leavesTimestampsCveIdsVersionsAndTableColumnsAlone() {
        String text = "[ 17284.993652] sys_close; CVE-2026-116303; gcc-12 (12-20220428-1) unstable; 2023-10-05 14:22:01; "
                + "temperatures: 42 42 45 41 36; 20.77.199.154; ISBN 978-3-16-148410-0; 31    28    24    20    16";
        assertThat(found(detector, text)).isEmpty();
    }

    @Test
    void usesTheConfiguredRegionForNationalNumbers() {
        assertThat(found(new PhoneDetector("GB"), "Ring 020 7946 0958 today")).containsExactly("020 7946 0958");
        assertThat(found(detector, "Ring 020 7946 0958 today")).isEmpty();
    }
}
