package io.kiln.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.kiln.error.ErrorCode;
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

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return response(ErrorCode.INVALID_JOB_SPEC, "The job spec is invalid", List.of(new Violation(path(e), "unknown field")));
    }

    @ServerExceptionMapper
    public Response wrongShape(MismatchedInputException e) {
        String field = path(e);
        return response(ErrorCode.INVALID_JOB_SPEC, "The job spec is invalid",
                List.of(new Violation(field.isEmpty() ? "body" : field, "has the wrong type or shape")));
    }

    @ServerExceptionMapper
    public Response wrongFormat(InvalidFormatException e) {
        return wrongShape(e);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return response(ErrorCode.INVALID_REQUEST, "The request body is not valid JSON: " + e.getOriginalMessage(), List.of());
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
        String message = status == 400
                ? "The request is malformed; a job must be posted as a JSON JobSpec"
                : e.getResponse().getStatusInfo().getReasonPhrase();
        return response(ErrorCode.INVALID_REQUEST, message == null ? "Bad request" : message, List.of(), status);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Unexpected error", e);
        return response(ErrorCode.INTERNAL_ERROR, "Internal error; the service log has the details", List.of());
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
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.name());
        error.put("message", message);
        if (!violations.isEmpty()) {
            error.put("violations", new ArrayList<>(violations));
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", error)).build();
    }
}
