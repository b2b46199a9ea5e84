package io.kiln.api;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every request gets an id: the caller's {@code X-Request-Id} when it is a plain token (at most 64
 * letters, digits, {@code . _ : -}), else a new UUID. It is on the service's log lines for the
 * request (MDC {@code requestId}), in the answer's {@code X-Request-Id} header, and in every
 * error body ({@code error.requestId}), so that a user's report finds its log lines.
 */
public class RequestIds {
    public static final String HEADER = "X-Request-Id";
    /** The request property that holds the id, for filters that run after the MDC is cleared. */
    public static final String PROPERTY = "kiln.request-id";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @ServerRequestFilter(preMatching = true)
    public void assign(ContainerRequestContext request) {
        String given = request.getHeaderString(HEADER);
        String id = given != null && TOKEN.matcher(given).matches() ? given : UUID.randomUUID().toString();
        request.setProperty(PROPERTY, id);
        MDC.put("requestId", id);
    }

    @ServerResponseFilter
    @SuppressWarnings("unchecked")
    public void answer(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(PROPERTY);
        if (id == null) {
            return;
        }
        response.getHeaders().putSingle(HEADER, id);
        if (response.getEntity() instanceof Map<?, ?> body && body.get("error") instanceof Map<?, ?> error) {
            ((Map<String, Object>) error).put("requestId", id);
        }
        MDC.remove("requestId");
    }
}
