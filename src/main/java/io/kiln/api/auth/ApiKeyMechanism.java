package io.kiln.api.auth;

import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a client's API key from {@code Authorization: Bearer <key>} (or {@code X-Kiln-Api-Key}) and
 * has {@link ApiKeyIdentityProvider} check it. Without authentication ({@link Authentication.Mode#NONE})
 * every request is {@value #ANONYMOUS}, with every role.
 */
@ApplicationScoped
public class ApiKeyMechanism implements HttpAuthenticationMechanism {
    public static final String ANONYMOUS = "anonymous";
    public static final String KEY_HEADER = "X-Kiln-Api-Key";
    private static final String BEARER = "Bearer ";

    @Inject
    Authentication authentication;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        if (authentication.mode() == Authentication.Mode.OIDC) {
            // SmallRye JWT's mechanism verifies the bearer token
            return Uni.createFrom().nullItem();
        }
        if (authentication.mode() == Authentication.Mode.NONE) {
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(ANONYMOUS)).addRoles(Set.copyOf(Roles.ALL)).build());
        }
        Optional<String> key = key(context);
        if (key.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(new ApiKeyRequest(key.get()));
    }

    private static Optional<String> key(RoutingContext context) {
        String header = context.request().getHeader(KEY_HEADER);
        if (header != null && !header.isBlank()) {
            return Optional.of(header.strip());
        }
        String authorization = context.request().getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of(authorization.substring(BEARER.length()).strip()).filter(value -> !value.isEmpty());
        }
        return Optional.empty();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"kiln\""));
    }

    /** Before SmallRye JWT's mechanism, which would take an API key for a token it cannot verify. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }

    /** Thrown for a key that is not configured; the message never repeats the key. */
    static AuthenticationFailedException unknownKey() {
        return new AuthenticationFailedException("The API key is not one this Kiln knows");
    }
}
