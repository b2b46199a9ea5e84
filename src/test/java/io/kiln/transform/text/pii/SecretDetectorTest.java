package io.kiln.transform.text.pii;

import static io.kiln.transform.text.pii.DetectorTesting.found;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretDetectorTest {
    private final SecretDetector detector = new SecretDetector();

    @Test
    void findsTokensByTheirPrefixes() {
        String text = String.join("\n",
                "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
                "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 used",
                "GITHUB_TOKEN=github_pat_11ABCDEFG0123456789abc_defghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW",
                "slack: xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "key=AIzaSyA1234567890abcdefghijklmnopqrstuv");
        assertThat(found(detector, text)).containsExactly(
                "AKIAIOSFODNN7EXAMPLE",
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                "github_pat_11ABCDEFG0123456789abc_defghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW",
                "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "AIzaSyA1234567890abcdefghijklmnopqrstuv");
    }

    @Test
    void findsTheAwsSecretKeyOnlyAfterItsName() {
        String key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assertThat(found(detector, "aws_secret_access_key = " + key)).containsExactly(key);
        assertThat(found(detector, "checksum " + key)).isEmpty();
    }

    @Test
    void findsJsonWebTokens() {
        String jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assertThat(found(detector, "Authorization: Bearer " + jwt + "\n")).containsExactly(jwt);
    }

    @Test
    void findsWholePrivateKeyBlocks() {
        String block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi8nHxkVOPMqGz4XEzYbqUNZNFg\n"
                + "Lx3KSkJNmX0LJXb6fA5Vsa0xQ8mGb3y7VWkqVg9aXrUNzFpEabcdefghijklmnop\n-----END RSA PRIVATE KEY-----";
        assertThat(found(detector, "key:\n" + block + "\nend")).containsExactly(block);
    }

    @Test
    void findsAPrivateKeyBlockWithoutItsEndLine() {
        String start = "-----BEGIN PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi8nHxkVOPMqGz4XEzYbqUNZNFg\n"
                + "Lx3KSkJNmX0LJXb6fA5Vsa0xQ8mGb3y7VWkqVg9aXrUNzFpE";
        assertThat(found(detector, start + "\n\n(truncated)")).containsExactly(start);
    }

    @Test
    void leavesMentionsOfKeyFormatsAndLookalikesAlone() {
        String text = "A file starts with -----BEGIN PRIVATE KEY----- and ends with -----END PRIVATE KEY-----. "
                + "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0\n-----END PUBLIC KEY-----\n"
                + "AKIA is a prefix; ghp_short; xoxb-1; sk_live_short; AIzaShort; eyJhbGciOiJIUzI1NiJ9.notjson.sig; xAKIAIOSFODNN7EXAMPLE";
        assertThat(found(detector, text)).isEmpty();
    }
}
