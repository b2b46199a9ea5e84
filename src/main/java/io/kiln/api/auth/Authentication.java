package io.kiln.api.auth;

import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.kiln.KilnConfig;

/**
 * How this Kiln authenticates its clients, decided once from {@code kiln.auth.mode} and the
 * configured keys: by API key (the mode {@code api-key}, or unset with keys configured), or not at
 * all ({@code none}, or unset without keys, where {@link io.kiln.api.Exposure} keeps Kiln on the
 * loopback interface). OIDC bearer tokens are not available yet.
 */
@ApplicationScoped
public class Authentication {
    /** Whether clients authenticate, and how. */
    public enum Mode { NONE, API_KEY }

    private final Mode mode;
    private final boolean explicit;
    private final ApiKeys keys;

    @Inject
    public Authentication(KilnConfig config) {
        this(config.authMode(), new ApiKeys(config.apiKeys()));
    }

    public Authentication(Optional<String> configured, ApiKeys keys) {
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
        else {
            throw new IllegalStateException("kiln.auth.mode must be api-key or none (or unset), was '" + mode.get() + "'; OIDC bearer tokens are not available yet");
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
