package io.kiln.checks;

/**
 * Every error the engine reports, with the HTTP status it maps to. Codes are never reused.
 */
public enum ErrorCode {
    INVALID_REQUEST(400),
    INVALID_RULES(400),
    TABLE_NOT_FOUND(404),
    SNAPSHOT_NOT_FOUND(404),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    REQUEST_TOO_LARGE(413),
    CATALOG_FAILURE(502),
    SPARK_FAILURE(500),
    INTERNAL_ERROR(500),
    ENGINE_STARTING(503),
    ENGINE_FAILED(503);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
