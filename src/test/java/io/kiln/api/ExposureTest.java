package io.kiln.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class ExposureTest {
    @Test
    void withoutAuthenticationOnlyTheLoopbackInterfaceIsServed() {
        for (String host : new String[] {"127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"}) {
            assertThatCode(() -> Exposure.check(host, Optional.empty())).as(host).doesNotThrowAnyException();
        }
        for (String host : new String[] {"0.0.0.0", "::", "10.1.2.3"}) {
            assertThatThrownBy(() -> Exposure.check(host, Optional.empty())).as(host)
                    .hasMessageContaining("would listen on " + host + " without authentication")
                    .hasMessageContaining("kiln.auth.mode=none");
        }
    }

    @Test
    void anExplicitNoneServesEveryInterfaceAndAnUnknownModeIsRefused() {
        assertThatCode(() -> Exposure.check("0.0.0.0", Optional.of("none"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> Exposure.check("127.0.0.1", Optional.of("api-key"))).hasMessageContaining("kiln.auth.mode must be none");
    }
}
