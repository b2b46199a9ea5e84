package io.kiln.api;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A request body over {@code quarkus.http.limits.max-body-size} is answered 413 with the usual error
 * body; Quarkus's own limit, which runs after this one, answers with an empty body. A declared
 * length is refused before anything is read; a streamed (chunked) body is buffered up to the limit.
 */
@ApplicationScoped
public class RequestLimits {
    /** Before Quarkus's body-size route (order -2). */
    private static final int ORDER = -3;

    void install(@Observes Router router, @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize limit,
            ObjectMapper json) {
        long max = limit.asLongValue();
        String answer = answer(json, max);
        BodyHandler streamed = BodyHandler.create(false).setBodyLimit(max);
        router.route().order(ORDER).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                if (declaredLength(length) > max) {
                    // the rest of the body is not read: close the connection after the answer, as Quarkus does
                    context.response().putHeader(HttpHeaders.CONNECTION, "close");
                    tooLarge(context, answer);
                    return;
                }
                context.next();
            }
            else if (context.request().headers().contains(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED, true)) {
                streamed.handle(context);
            }
            else {
                context.next();
            }
        });
        router.route().order(ORDER).failureHandler(context -> {
            if (context.statusCode() == 413 && !context.response().ended()) {
                tooLarge(context, answer);
            }
            else {
                context.next();
            }
        });
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.trim());
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void tooLarge(RoutingContext context, String answer) {
        context.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(answer);
    }

    private static String answer(ObjectMapper json, long max) {
        try {
            return json.writeValueAsString(ErrorMappers.body(ErrorCode.REQUEST_TOO_LARGE, "The request body is too large: the limit is " + max + " bytes", List.of()));
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the error body", e);
        }
    }
}
