package io.kiln.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.kiln.error.ErrorCode;
import io.kiln.error.JsonProblems;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;

/**
 * The one place errors become HTTP responses: {@code {"error":{"code","message","violations"}}}.
 * Clients never see class names or stack traces; unexpected errors are logged here.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response kiln(KilnException e) {
        return response(e.code(), e.getMessage(), e.violations());
    }

    /** No credentials, where an endpoint needs a role. */
    @ServerExceptionMapper
    public Response unauthenticated(io.quarkus.security.UnauthorizedException e) {
        return unauthenticated("This call needs an API key: send Authorization: Bearer <key> (the CLI reads KILN_API_KEY)");
    }

    /** A key that is not configured; its value is never repeated. */
    @ServerExceptionMapper
    public Response badCredentials(io.quarkus.security.AuthenticationFailedException e) {
        return unauthenticated("The API key is not one this Kiln knows");
    }

    private static Response unauthenticated(String message) {
        Response response = response(ErrorCode.UNAUTHENTICATED, message, List.of());
        return Response.fromResponse(response).header("WWW-Authenticate", "Bearer realm=\"kiln\"").build();
    }

    /** A key whose role does not allow the call. */
    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e) {
        return response(ErrorCode.FORBIDDEN, "This call needs a role that the API key does not have (reader < writer < admin)", List.of());
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return response(ErrorCode.INVALID_JOB_SPEC, "The job spec is invalid", List.of(new Violation(path(e), "unknown field")));
    }

    @ServerExceptionMapper
    public Response wrongShape(MismatchedInputException e) {
        Optional<String> expected = expected(e.getTargetType());
        String message = expected.map(kind -> "must be " + kind + found(e).map(was -> ", was " + was).orElse("")).orElse("has the wrong type or shape");
        return response(ErrorCode.INVALID_JOB_SPEC, "The job spec is invalid", List.of(new Violation(field(e), message)));
    }

    @ServerExceptionMapper
    public Response wrongFormat(InvalidFormatException e) {
        return wrongShape(e);
    }

    /** A value the mapper read but could not use (a constructor refused it): the field, never the parser's words, which name classes. */
    @ServerExceptionMapper
    public Response invalidValue(JsonMappingException e) {
        return response(ErrorCode.INVALID_JOB_SPEC, "The job spec is invalid", List.of(new Violation(field(e), "has an invalid value")));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return response(ErrorCode.INVALID_REQUEST, "The request body is not valid JSON: " + JsonProblems.describe(e), List.of());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return response(ErrorCode.RESOURCE_NOT_FOUND, "No such resource; the API is under /v1 (see /q/openapi)", List.of());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("Request failed", e);
            return response(ErrorCode.INTERNAL_ERROR, "Internal error", List.of(), status);
        }
        if (status == 413) {
            return response(ErrorCode.REQUEST_TOO_LARGE, "The request body is too large", List.of(), status);
        }
        String message = status == 400
                ? "The request is malformed: its body must be the JSON (or, for a training config, YAML) that /q/openapi describes"
                : e.getResponse().getStatusInfo().getReasonPhrase();
        return response(ErrorCode.INVALID_REQUEST, message == null ? "Bad request" : message, List.of(), status);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Unexpected error", e);
        return response(ErrorCode.INTERNAL_ERROR, "Internal error; the service log has the details", List.of());
    }

    private static String field(JsonMappingException e) {
        String field = path(e);
        return field.isEmpty() ? "body" : field;
    }

    /** What a field of {@code type} must be, in JSON's words. */
    private static Optional<String> expected(Class<?> type) {
        if (type == null) {
            return Optional.empty();
        }
        if (type == String.class || type == Character.class || type == char.class) {
            return Optional.of("a string");
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class || type == Short.class || type == short.class
                || type == java.math.BigInteger.class) {
            return Optional.of("a whole number");
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return Optional.of("a number");
        }
        if (type == Boolean.class || type == boolean.class) {
            return Optional.of("true or false");
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return Optional.of("a list");
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return Optional.of("an object");
        }
        return Optional.empty();
    }

    /** What the body held instead: the refused value, or the parser's token where it stopped. */
    private static Optional<String> found(MismatchedInputException e) {
        if (e instanceof InvalidFormatException format && format.getValue() != null) {
            Object value = format.getValue();
            return Optional.ofNullable(value instanceof String ? "a string" : value instanceof Number ? "a number" : value instanceof Boolean ? "a boolean" : null);
        }
        if (!(e.getProcessor() instanceof JsonParser parser) || parser.currentToken() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(switch (parser.currentToken()) {
            case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
            case START_ARRAY, END_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> null;
        });
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static Response response(ErrorCode code, String message, List<Violation> violations) {
        return response(code, message, violations, code.type().httpStatus());
    }

    private static Response response(ErrorCode code, String message, List<Violation> violations, int status) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body(code, message, violations)).build();
    }

    /** The error body, {@code {"error":{"code","message","violations"}}}, for answers written outside JAX-RS too. */
    static Map<String, Object> body(ErrorCode code, String message, List<Violation> violations) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.name());
        error.put("message", message);
        if (!violations.isEmpty()) {
            error.put("violations", new ArrayList<>(violations));
        }
        return Map.of("error", error);
    }
}
