package io.kiln.transform.text.pii;

import static io.kiln.transform.text.pii.DetectorTesting.found;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsSsnDetectorTest {
    private final UsSsnDetector detector = new UsSsnDetector();

    @Test
    void findsDashedNumbers() {
        assertThat(found(detector, "SSN 536-22-8726, and (212-09-1234).")).containsExactly("536-22-8726", "212-09-1234");
    }

    @Test
    void refusesRangesTheSsaNeverIssues() {
        assertThat(found(detector, "000-12-3456 666-12-3456 900-12-3456 999-12-3456 123-00-4567 123-45-0000 078-05-1120 219-09-9999")).isEmpty();
    }

    @Test
    void leavesOtherDashedNumbersAlone() {
        assertThat(found(detector, "123456789 2023-10-05 CVE-123-45-6789 123-45-6789-0 978-3-16-148410-0 1.123-45-6789 123-45-67890 x123-45-6789")).isEmpty();
    }
}
