package io.kiln.check;

/** The check engine is not running, did not answer, or answered something unusable. */
public class CheckEngineException extends RuntimeException {
    public CheckEngineException(String message) {
        super(message);
    }

    public CheckEngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
