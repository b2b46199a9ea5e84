package io.kiln.api.auth;

import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.kiln.KilnConfig;

/**
 * How this Kiln authenticates its clients, decided once from {@code kiln.auth.mode} and the
 * configured keys: by API key (the mode {@code api-key}, or unset with keys configured); by OIDC
 * bearer tokens ({@code oidc}: JWTs that SmallRye JWT verifies against the identity provider's keys,
 * {@code mp.jwt.verify.publickey.location}, their roles from a claim, {@code smallrye.jwt.path.groups});
 * or not at all ({@code none}, or unset without keys, where {@link io.kiln.api.Exposure} keeps Kiln on
 * the loopback interface).
 */
@ApplicationScoped
public class Authentication {
    /** Whether clients authenticate, and how. */
    public enum Mode { NONE, API_KEY, OIDC }

    private final Mode mode;
    private final boolean explicit;
    private final ApiKeys keys;

    @Inject
    public Authentication(KilnConfig config) {
        this(config.authMode(), new ApiKeys(config.apiKeys()), tokenKeys());
    }

    public Authentication(Optional<String> configured, ApiKeys keys) {
        this(configured, keys, false);
    }

    /** Whether the keys that verify bearer tokens are configured (SmallRye JWT's own settings). */
    public static boolean tokenKeys() {
        org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        return java.util.stream.Stream.of("mp.jwt.verify.publickey.location", "mp.jwt.verify.publickey")
                .anyMatch(name -> config.getOptionalValue(name, String.class).filter(value -> !value.isBlank()).isPresent());
    }

    /** {@code tokenKeys}: whether the keys that verify OIDC bearer tokens are configured. */
    public Authentication(Optional<String> configured, ApiKeys keys, boolean tokenKeys) {
        this.keys = keys;
        Optional<String> mode = configured.map(String::strip).filter(value -> !value.isEmpty()).map(value -> value.toLowerCase(Locale.ROOT));
        this.explicit = mode.isPresent();
        if (mode.isEmpty()) {
            this.mode = keys.isEmpty() ? Mode.NONE : Mode.API_KEY;
        }
        else if (mode.get().equals("none")) {
            this.mode = Mode.NONE;
        }
        else if (mode.get().equals("api-key")) {
            if (keys.isEmpty()) {
                throw new IllegalStateException("kiln.auth.mode=api-key needs at least one key: kiln.auth.api-keys.<id>.sha256, .name and .role "
                        + "(kiln api-key prints a new key and the lines to configure it)");
            }
            this.mode = Mode.API_KEY;
        }
        else if (mode.get().equals("oidc")) {
            if (!tokenKeys) {
                throw new IllegalStateException("kiln.auth.mode=oidc needs the identity provider's keys to verify tokens: mp.jwt.verify.publickey.location "
                        + "(its JWKS URL, MP_JWT_VERIFY_PUBLICKEY_LOCATION) and mp.jwt.verify.issuer; smallrye.jwt.path.groups names the roles' claim");
            }
            this.mode = Mode.OIDC;
        }
        else {
            throw new IllegalStateException("kiln.auth.mode must be api-key, oidc or none (or unset), was '" + mode.get() + "'");
        }
    }

    public Mode mode() {
        return mode;
    }

    /** Whether {@code kiln.auth.mode} was set (rather than decided by whether keys are configured). */
    public boolean explicit() {
        return explicit;
    }

    public ApiKeys keys() {
        return keys;
    }
}
