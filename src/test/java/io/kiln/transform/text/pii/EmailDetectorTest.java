package io.kiln.transform.text.pii;

import static io.kiln.transform.text.pii.DetectorTesting.found;
import static io.kiln.transform.text.pii.DetectorTesting.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmailDetectorTest {
    private final EmailDetector detector = new EmailDetector();

    @Test
    void findsAddressesInDebianChangelogTrailers() {
        assertThat(found(detector, " -- Jane Doe <jane.doe@example.org>  Mon, 12 May 2025 17:26:59 +0200"))
                .containsExactly("jane.doe@example.org");
    }

    @Test
    void findsPlusTagsSubdomainsAndAddressesEndingASentence() {
        assertThat(found(detector, "Write to anna+bugs@lists.example.co.uk. Or 'b_c-d@x.example.de', mailto:Z.Y@example.io! Settings-->me@server.example-->"))
                .containsExactly("anna+bugs@lists.example.co.uk", "b_c-d@x.example.de", "Z.Y@example.io", "me@server.example");
    }

    @Test
    void normalizesToLowerCase() {
        assertThat(normalized(detector, "Anna.Novak@Example.COM")).containsExactly("anna.novak@example.com");
    }

    @Test
    void leavesDecoratorsScopesHostsAndFileNamesAlone() {
        assertThat(found(detector, "@Override, npm i @scope/pkg, root@localhost, icon@2x.png, pkg@1.2.3, user@host, a@b.c, x@y.com_z"))
                .isEmpty();
    }
}
