package io.kiln.error;

import static io.kiln.error.ErrorType.CONFLICT;
import static io.kiln.error.ErrorType.EXTERNAL;
import static io.kiln.error.ErrorType.NOT_FOUND;
import static io.kiln.error.ErrorType.USER_ERROR;

/** Every error Kiln reports, to API clients and in job results. Codes are never reused. */
public enum ErrorCode {
    INVALID_JOB_SPEC(USER_ERROR),
    INVALID_REQUEST(USER_ERROR),
    UNAUTHENTICATED(ErrorType.UNAUTHENTICATED),
    FORBIDDEN(ErrorType.FORBIDDEN),
    JOB_NOT_FOUND(NOT_FOUND),
    TABLE_NOT_FOUND(NOT_FOUND),
    IDEMPOTENCY_KEY_REUSED(CONFLICT),
    JOB_NOT_CANCELLABLE(CONFLICT),
    SOURCE_UNREADABLE(EXTERNAL),
    SOURCE_CHANGED(EXTERNAL),
    JOIN_TOO_LARGE(ErrorType.INSUFFICIENT_RESOURCES),
    RECONCILIATION_FAILED(ErrorType.INTERNAL_ERROR),
    COMMIT_FAILED(EXTERNAL),
    COMMIT_STATE_UNKNOWN(EXTERNAL),
    TAG_EXISTS(CONFLICT),
    RESOURCE_NOT_FOUND(NOT_FOUND),
    SNAPSHOT_NOT_FOUND(NOT_FOUND),
    CHECK_ENGINE_UNAVAILABLE(ErrorType.INSUFFICIENT_RESOURCES),
    CHECK_ENGINE_FAILED(EXTERNAL),
    PIN_NOT_FOUND(NOT_FOUND),
    PIN_EXISTS(CONFLICT),
    INVALID_FILTER(USER_ERROR),
    INVALID_EXPORT(USER_ERROR),
    EXPORT_FAILED(EXTERNAL),
    INVALID_TRAINING_CONFIG(USER_ERROR),
    INPUTS_CHANGED(CONFLICT),
    SCHEMA_CONFLICT(CONFLICT),
    REQUEST_TOO_LARGE(ErrorType.REQUEST_TOO_LARGE),
    /** A warehouse or table location that another catalog owns: Kiln neither creates a table there nor starts on it. */
    LOCATION_OWNED_BY_ANOTHER_CATALOG(CONFLICT),
    INTERNAL_ERROR(ErrorType.INTERNAL_ERROR);

    private final ErrorType type;

    ErrorCode(ErrorType type) {
        this.type = type;
    }

    public ErrorType type() {
        return type;
    }
}
