package io.kiln.transform.text.pii;

import static io.kiln.transform.text.pii.DetectorTesting.found;
import static io.kiln.transform.text.pii.DetectorTesting.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IbanDetectorTest {
    private final IbanDetector detector = new IbanDetector();

    @Test
    void findsCompactAndPrintedIbans() {
        String text = "Pay DE89370400440532013000 or GB29 NWBK 6016 1331 9268 19, FR14 2004 1010 0505 0001 3M02 606; NO9386011117947.";
        assertThat(normalized(detector, text)).containsExactly("DE89370400440532013000", "GB29NWBK60161331926819", "FR1420041010050500013M02606", "NO9386011117947");
    }

    @Test
    void refusesWrongChecksums() {
        assertThat(found(detector, "DE89370400440532013001 GB28 NWBK 6016 1331 9268 19")).isEmpty();
    }

    @Test
    void refusesWrongLengthsAndUnknownCountries() {
        assertThat(found(detector, "DE8937040044053201300 DE893704004405320130001 XX89370400440532013000 DE89370400440532013000X")).isEmpty();
    }

    @Test
    void stopsAtTheCountrysLengthWhenAWordFollows() {
        assertThat(found(detector, "IBAN: GB29 NWBK 6016 1331 9268 19 AND MORE")).containsExactly("GB29 NWBK 6016 1331 9268 19");
    }
}
