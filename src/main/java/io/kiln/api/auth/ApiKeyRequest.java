package io.kiln.api.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A request authenticated by the API key it presents. */
public final class ApiKeyRequest extends BaseAuthenticationRequest {
    private final String key;

    public ApiKeyRequest(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }

    @Override
    public String toString() {
        return "ApiKeyRequest[key hidden]";
    }
}
