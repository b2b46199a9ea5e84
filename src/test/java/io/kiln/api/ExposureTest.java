package io.kiln.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import io.kiln.KilnConfig;
import io.kiln.api.auth.ApiKeys;
import io.kiln.api.auth.Authentication;

import org.junit.jupiter.api.Test;

class ExposureTest {
    @Test
    void withoutAuthenticationOnlyTheLoopbackInterfaceIsServed() {
        for (String host : new String[] {"127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"}) {
            assertThatCode(() -> Exposure.check(host, new Authentication(Optional.empty(), NO_KEYS))).as(host).doesNotThrowAnyException();
        }
        for (String host : new String[] {"0.0.0.0", "::", "10.1.2.3"}) {
            assertThatThrownBy(() -> Exposure.check(host, new Authentication(Optional.empty(), NO_KEYS))).as(host)
                    .hasMessageContaining("would listen on " + host + " without authentication")
                    .hasMessageContaining("kiln.auth.mode=none");
        }
    }

    @Test
    void anExplicitNoneServesEveryInterfaceAndAnUnknownModeIsRefused() {
        assertThatCode(() -> Exposure.check("0.0.0.0", new Authentication(Optional.of("none"), NO_KEYS))).doesNotThrowAnyException();
        assertThatThrownBy(() -> Exposure.check("127.0.0.1", new Authentication(Optional.of("ldap"), NO_KEYS))).hasMessageContaining("kiln.auth.mode must be api-key, oidc or none");
        assertThatThrownBy(() -> Exposure.check("127.0.0.1", new Authentication(Optional.of("api-key"), NO_KEYS))).hasMessageContaining("needs at least one key");
        assertThatThrownBy(() -> Exposure.check("0.0.0.0", new Authentication(Optional.of("oidc"), NO_KEYS, false))).hasMessageContaining("mp.jwt.verify.publickey.location");
        assertThatCode(() -> Exposure.check("0.0.0.0", new Authentication(Optional.of("oidc"), NO_KEYS, true))).doesNotThrowAnyException();
    }

    @Test
    void withApiKeysEveryInterfaceIsServedAndABadKeyIsRefusedAtStart() {
        ApiKeys keys = new ApiKeys(Map.of("ci", key("a".repeat(64), "writer")));
        assertThatCode(() -> Exposure.check("0.0.0.0", new Authentication(Optional.empty(), keys))).doesNotThrowAnyException();
        assertThatCode(() -> Exposure.check("0.0.0.0", new Authentication(Optional.of("api-key"), keys))).doesNotThrowAnyException();
        assertThatThrownBy(() -> new ApiKeys(Map.of("ci", key("secret", "writer")))).hasMessageContaining("kiln.auth.api-keys.ci.sha256 must be the 64 hex digits");
        assertThatThrownBy(() -> new ApiKeys(Map.of("ci", key("a".repeat(64), "root")))).hasMessageContaining("kiln.auth.api-keys.ci.role must be one of reader, writer, admin");
    }

    private static final ApiKeys NO_KEYS = new ApiKeys(Map.of());

    private static KilnConfig.ApiKey key(String sha256, String role) {
        return new KilnConfig.ApiKey() {
            @Override
            public String sha256() {
                return sha256;
            }

            @Override
            public Optional<String> name() {
                return Optional.empty();
            }

            @Override
            public String role() {
                return role;
            }
        };
    }
}
