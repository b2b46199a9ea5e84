package io.kiln.api.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/** The identity of a configured API key: its name, its role and the roles below it, and its id as an attribute. */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {
    public static final String KEY_ID = "kiln.api-key-id";
    public static final String ROLE = "kiln.role";

    @Inject
    Authentication authentication;

    @Override
    public Class<ApiKeyRequest> getRequestType() {
        return ApiKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyRequest request, AuthenticationRequestContext context) {
        return authentication.keys().find(request.key())
                .map(key -> Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(key.name()))
                        .addRoles(Roles.implied(key.role()))
                        .addAttribute(KEY_ID, key.id())
                        .addAttribute(ROLE, key.role())
                        .build()))
                .orElseGet(() -> Uni.createFrom().failure(ApiKeyMechanism.unknownKey()));
    }
}
