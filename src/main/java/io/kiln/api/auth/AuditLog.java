package io.kiln.api.auth;

import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.RoutingContext;

/**
 * One line in the audit log ({@value #CATEGORY}) for every call that may change state (any method
 * but GET, HEAD and OPTIONS), refused or not: who (the API key's name, or {@code anonymous}),
 * with which role, what, the status, and the request id. Never a key, a body or a query string.
 */
public class AuditLog {
    public static final String CATEGORY = "io.kiln.audit";
    private static final Logger LOG = Logger.getLogger(CATEGORY);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    RoutingContext routing;

    @ServerResponseFilter
    public void audit(ContainerRequestContext request, ContainerResponseContext response) {
        String method = request.getMethod();
        if (READS.contains(method)) {
            return;
        }
        // the identity the call was authenticated with, if it was: asking for it here could block (or fail again for a bad key)
        SecurityIdentity identity = routing.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        String who = identity == null || identity.isAnonymous() ? "unauthenticated" : identity.getPrincipal().getName();
        String role = identity == null || identity.isAnonymous() ? "-" : Roles.ALL.stream().filter(identity::hasRole).reduce((low, high) -> high).orElse("-");
        Object requestId = request.getProperty(io.kiln.api.RequestIds.PROPERTY);
        LOG.infof("%s (%s) %s /%s -> %d request %s", who, role, method, request.getUriInfo().getPath().replaceFirst("^/", ""), response.getStatus(),
                requestId == null ? "-" : requestId);
    }
}
