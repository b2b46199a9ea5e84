package io.kiln.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kiln.error.ErrorCode;
import io.kiln.error.Violation;

/**
 * Every error's body, as {@link ErrorMappers} writes it: {@code {"error": {"code", "message", "violations", "requestId"}}}.
 * It exists for the OpenAPI document (the answers are built by {@link ErrorMappers#body}).
 */
@Schema(name = "Error", description = "Every error answer: a stable code, a message in plain words, and for a bad request each field that is wrong")
public record ErrorBody(@Schema(required = true) Detail error) {
    @Schema(name = "ErrorDetail")
    public record Detail(
            @Schema(required = true, description = "stable, for programs") ErrorCode code,
            @Schema(required = true, description = "for people; never a class name or a stack trace") String message,
            @Schema(description = "present when fields of the request are wrong: each field and what is wrong with it") List<Violation> violations,
            @Schema(description = "the request's id, also in the X-Request-Id header and on the service's log lines for it") String requestId) {}
}
