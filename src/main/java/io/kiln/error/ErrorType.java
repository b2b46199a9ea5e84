package io.kiln.error;

/** What kind of failure an {@link ErrorCode} is; each type maps to one HTTP status. */
public enum ErrorType {
    USER_ERROR(400),
    UNAUTHENTICATED(401),
    FORBIDDEN(403),
    REQUEST_TOO_LARGE(413),
    NOT_FOUND(404),
    CONFLICT(409),
    EXTERNAL(502),
    INSUFFICIENT_RESOURCES(503),
    INTERNAL_ERROR(500);

    private final int httpStatus;

    ErrorType(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
