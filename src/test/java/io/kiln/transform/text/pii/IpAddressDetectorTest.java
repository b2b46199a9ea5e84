package io.kiln.transform.text.pii;

import static io.kiln.transform.text.pii.DetectorTesting.found;
import static io.kiln.transform.text.pii.DetectorTesting.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IpAddressDetectorTest {
    private final IpAddressDetector publicOnly = new IpAddressDetector(PiiScanner.AddressScope.PUBLIC);
    private final IpAddressDetector all = new IpAddressDetector(PiiScanner.AddressScope.ALL);

    @Test
    void findsPublicIpv4Addresses() {
        assertThat(found(publicOnly, "from 45.33.32.156, to 8.26.56.26: ping 131.155.70.19. Range 81.2.69.1-81.2.69.9"))
                .containsExactly("45.33.32.156", "8.26.56.26", "131.155.70.19", "81.2.69.1", "81.2.69.9");
    }

    @Test
    void looksForVersionWordsOnlyWithinTheSentence() {
        assertThat(found(publicOnly, "New upstream release. - 60.137.94.251 is the mirror; Linux 21.33.32.156"))
                .containsExactly("60.137.94.251");
    }

    @Test
    void refusesOctetsAbove255AndLeadingZeros() {
        assertThat(found(publicOnly, "256.1.1.1 45.33.32.300 045.33.32.156")).isEmpty();
    }

    @Test
    void leavesVersionStringsAlone() {
        String text = "version 45.33.32.156, v45.33.32.156, Linux 21.33.32.156, debianutils (4.8.6.3) unstable, "
                + "2.13.90.0.18-1.7, 45.33.32.156-1, 45.33.32.156~rc1, 1:45.33.32.156, Policy 4.6.0.1, 2.6.8.1, OID 1.3.6.1.4.1.311, "
                + "x11proto-randr-dev (>= 1.2.99.2), Update from 1.2.99.2 to 21.33.32.156, 4.4.6 and 45.33.32.156, section        5.2.11.1, "
                + "POSIX 1003.1e: 2.2.2.39, Intel's SDM \"4.10.4.2 Recommended\", /* 36.2.1.3 */, util-linux-ng 21.13.1.1, Standards-Version: 45.33.32.157";
        assertThat(found(publicOnly, text)).isEmpty();
    }

    @Test
    void leavesAddressesThatIdentifyNoOneAlone() {
        String text = "0.0.0.0 127.0.0.1 255.255.255.0 255.255.255.255 10.0.0.1 172.16.4.2 192.168.0.1 192.0.2.7 198.51.100.3 203.0.113.9 224.0.0.251";
        assertThat(found(publicOnly, text)).isEmpty();
        assertThat(found(all, text)).containsExactly("10.0.0.1", "172.16.4.2", "192.168.0.1", "192.0.2.7", "198.51.100.3", "203.0.113.9", "224.0.0.251");
    }

    @Test
    void parsesIpv6Properly() {
        assertThat(normalized(publicOnly, "hosts 2a01:4f8:0:0::1:2, 2001:470:1F0B:2C7::2 and ::ffff:45.33.32.156."))
                .containsExactly("2a01:4f8:0:0:0:0:1:2", "2001:470:1f0b:2c7:0:0:0:2", "0:0:0:0:0:ffff:2d21:209c", "45.33.32.156"); // the scanner keeps the longer
        assertThat(found(publicOnly, "full 2a01:04f8:0000:0000:0000:0000:0001:0002 form")).containsExactly("2a01:04f8:0000:0000:0000:0000:0001:0002");
    }

    @Test
    void leavesTimesMacAddressesHashesAndCodeAlone() {
        String text = "at 12:30:45, mac 00:1a:2b:3c:4d:5e, fingerprint 9f:86:d0:81:88:4c:7d:65, md5 9f:86:d0:81:88:4c:7d:65:9a:2f:ea:a0:c5:5a:d0:15, "
                + "std::vector, a::b, cafe::1, ::, ::1, 1:2:3:4:5:6:7:8, 2001:db8::1, fe80::1, deadbeef:cafe:1234, 1:2:3:4:5:6:7:8:9, 12::34::56, a:b:0d.0, 1:2.3:4, 2001:470::1.2";
        assertThat(found(publicOnly, text)).isEmpty();
        assertThat(found(all, text)).containsExactly("2001:db8::1", "fe80::1");
    }

    @Test
    void leavesAnIpv6PlaceholderWithLettersForTheIpv4PartAlone() {
        // it threw NumberFormatException, failing the row, before
        assertThat(DetectorTesting.found(new IpAddressDetector(PiiScanner.AddressScope.ALL), "tunnel ::aa.bb.cc.dd and ::ffff:8.8.8.8")).containsExactly("::ffff:8.8.8.8");
    }
}
