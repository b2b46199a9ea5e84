package io.kiln.transform.text.pii;

import static io.kiln.transform.text.pii.DetectorTesting.found;
import static io.kiln.transform.text.pii.DetectorTesting.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PhoneDetectorTest {
    private final PhoneDetector detector = new PhoneDetector("US");
    private final PhoneDetector version2 = new PhoneDetector("US", PhoneRules.VERSION_2);

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void findsInternationalNumbersOfAnyCountry(PhoneRules rules) {
        assertThat(normalized(new PhoneDetector("US", rules), "London +44 20 7946 0958, Berlin +49 30 901820, Tokyo +81 3-1234-5678, [+27711699254]"))
                .containsExactly("+442079460958", "+4930901820", "+81312345678", "+27711699254");
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void findsAnInternationalNumberFollowedByOtherNumbers(PhoneRules rules) {
        // libphonenumber gives up on the whole stretch; the detector retries from the '+'
        assertThat(found(new PhoneDetector("US", rules), "x@example.com +44 20 7946 0958 45.33.32.156 4111111111111111 y"))
                .containsExactly("+44 20 7946 0958");
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void findsNationalNumbersOfTheDefaultRegionInTheUsualLayouts(PhoneRules rules) {
        assertThat(found(new PhoneDetector("US", rules), "call (415) 555-0132, 415-555-0132 or 415.555.0132; fax 1-415-555-0199"))
                .containsExactly("(415) 555-0132", "415-555-0132", "415.555.0132", "1-415-555-0199");
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void takesABareRunOfDigitsOnlyAfterAPhoneWord(PhoneRules rules) {
        PhoneDetector phones = new PhoneDetector("US", rules);
        assertThat(found(phones, "INT_MAX is 2147483647")).isEmpty();
        assertThat(found(phones, "Phone: 4155550132")).containsExactly("4155550132");
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void leavesTimestampsCveIdsVersionsAndTableColumnsAlone(PhoneRules rules) {
        String text = "[ 17284.993652] sys_close; CVE-2026-116303; gcc-12 (12-20220428-1) unstable; 2023-10-05 14:22:01; "
                + "temperatures: 42 42 45 41 36; 20.77.199.154; ISBN 978-3-16-148410-0; 31    28    24    20    16";
        assertThat(found(new PhoneDetector("US", rules), text)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void leavesOrderIdsAndVersionNumbersShapedLikePhoneNumbersAlone(PhoneRules rules) {
        String text = "Thanks for order #4155550132 (ref ORD-415-555-0132-7), built from v1.415.555.0132 and x.415.555.0132, "
                + "see rev415-555-0132, 0x415-555-0132, ORD-A415-555-0132 and 415-555-0132abc.d; item 415-555-0132-7 ships.";
        assertThat(found(new PhoneDetector("US", rules), text)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PhoneRules.class)
    void usesTheConfiguredRegionForNationalNumbers(PhoneRules rules) {
        assertThat(found(new PhoneDetector("GB", rules), "Ring 020 7946 0958 today")).containsExactly("020 7946 0958");
        assertThat(found(new PhoneDetector("US", rules), "Ring 020 7946 0958 today")).isEmpty();
    }

    @Test
    void version2TakesTheExtensionIntoTheMatchInASignature() {
        String signature = "Jane Doe | Sales\nAcme Corp\nT: (949) 555-0150 ext. 213 | M: 415-555-0133\nhttps://acme.example";
        assertThat(found(version2, signature)).containsExactly("(949) 555-0150 ext. 213", "415-555-0133");
    }

    @Test
    void version2TakesEveryExtensionMarkerInAnyCase() {
        String footer = "Sam Lee\nSupport Engineer\nOffice: 408.555.0136 x 4138\nDirect: 415-555-0133 x101\nToll-free: 800-555-0177 ext. 0\n"
                + "Front desk 415-555-0144 extension 12, lab (212) 555-0145 Ext 7, mail room 312-555-0166 #204.\n"
                + "Fax 646-555-0178 EXT:55 or 646-555-0179, x.9 or 646-555-0180X123456";
        assertThat(found(version2, footer)).containsExactly("408.555.0136 x 4138", "415-555-0133 x101", "800-555-0177 ext. 0",
                "415-555-0144 extension 12", "(212) 555-0145 Ext 7", "312-555-0166 #204", "646-555-0178 EXT:55", "646-555-0179, x.9",
                "646-555-0180X123456");
    }

    @Test
    void version2NormalizesAnExtensionTheRfc3966Way() {
        assertThat(normalized(version2, "Office: 408.555.0136 x 4138 | +44 20 7946 0958 ext. 12 | 415-555-0133"))
                .containsExactly("+14085550136;ext=4138", "+442079460958;ext=12", "+14155550133");
    }

    @Test
    void version2TakesNumbersGluedToTheWordOrPunctuationBeforeThem() {
        String mail = "Questions? call:888-555-0139 or Tel.:(415) 555-0132\nSupport phone=415-555-0134\n"
                + "We sent the order to1-415-555-0100 yesterday. Tel.415-555-0135, Mobile-415-555-0136, reach me at415-555-0137.";
        assertThat(found(version2, mail)).containsExactly("888-555-0139", "(415) 555-0132", "415-555-0134", "1-415-555-0100",
                "415-555-0135", "415-555-0136", "415-555-0137");
    }

    @Test
    void version2TakesNumbersGluedToThePunctuationOrWordAfterThem() {
        String mail = "Call me at 415-555-0132.Thanks, Sam\nFax: 415-555-0199; cell 415-555-0133!\nor 415-555-0134Thanks. Or 415-555-0135";
        assertThat(found(version2, mail)).containsExactly("415-555-0132", "415-555-0199", "415-555-0133", "415-555-0134", "415-555-0135");
    }

    @Test
    void version2TakesTheTrunkPrefixWithTheAreaCode() {
        String mail = "US: 1-415-555-0100, 1 (415) 555-0101, +1-415-555-0102 x12, and the old card says 1847-555-0134";
        assertThat(found(version2, mail)).containsExactly("1-415-555-0100", "1 (415) 555-0101", "+1-415-555-0102 x12", "1847-555-0134");
        assertThat(normalized(version2, mail)).containsExactly("+14155550100", "+14155550101", "+14155550102;ext=12", "+18475550134");
    }

    @Test
    void version2TakesAPlusOneNumberWithTheAreaCodeInParenthesesInsideParentheses() {
        // libphonenumber refuses nested parentheses; version 1 misses these
        String mail = "Sam (+1 (512) 209-1182 ext. 674) and Ana ([+1 (718) 248-0739]), or (+1(415)555-0132)";
        assertThat(found(version2, mail)).containsExactly("+1 (512) 209-1182 ext. 674", "+1 (718) 248-0739", "+1(415)555-0132");
        assertThat(found(detector, mail)).isEmpty();
    }

    @Test
    void version2KeepsANumberApartFromTheDigitsOfAGluedWordAfterIt() {
        assertThat(found(version2, "libjpeg Tel.:(877) 628-6928  v7- until the program")).containsExactly("(877) 628-6928");
    }

    @Test
    void version2TakesAHashAndDigitsAsAnExtensionOnlyRightAfterANumberOnTheSameLine() {
        assertThat(found(version2, "Thanks for order #4155550132, ticket #204")).isEmpty();
        assertThat(found(version2, "see 415-555-0133 and PR #204")).containsExactly("415-555-0133");
        assertThat(found(version2, "T: 415-555-0133\n#204 Main Street")).containsExactly("415-555-0133");
        assertThat(found(version2, "T: 415-555-0133 #4155550134")).containsExactly("415-555-0133");
    }

    @Test
    void version2LeavesAnExtensionThatRunsOnIntoAnotherTokenOutOfTheMatch() {
        assertThat(found(version2, "T: 415-555-0132 x12-4, 415-555-0133 x12.5, 415-555-0134 ext 1234567, 415-555-0135 x12abc"))
                .containsExactly("415-555-0132", "415-555-0133", "415-555-0134", "415-555-0135");
    }

    @Test
    void version1MissesTheExtensionsAndGluedNumbersThatVersion2Finds() {
        String mail = "T: (949) 555-0150 ext. 213 | O: 408.555.0136 x 4138\nWe sent the order to1-415-555-0100. Tel.415-555-0135";
        assertThat(found(detector, mail)).isEmpty();
        assertThat(found(version2, mail)).containsExactly("(949) 555-0150 ext. 213", "408.555.0136 x 4138", "1-415-555-0100", "415-555-0135");
    }

    @Test
    void version2FindsSyntheticMailShapedNumbersWithTheirExtensions() {
        SyntheticPii synthetic = new SyntheticPii(20261206L);
        List<String> misses = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            SyntheticPii.Planted planted = synthetic.nextUsMailPhone();
            String sentence = planted.sentence();
            int at = sentence.indexOf("%s");
            String text = "Regards, " + sentence.substring(0, at) + planted.value() + sentence.substring(at + 2) + " --";
            List<PiiMatch> matches = new ArrayList<>();
            version2.find(text, matches);
            int start = "Regards, ".length() + at;
            int end = start + planted.value().length();
            if (matches.stream().noneMatch(match -> match.start() <= start && match.end() >= end)) {
                misses.add(text);
            }
        }
        assertThat(misses).as("missed %s", misses).isEmpty();
    }
}
