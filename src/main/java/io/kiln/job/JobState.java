package io.kiln.job;

/**
 * The life of a job. PUBLISHED, REJECTED, FAILED and CANCELLED are final. CANCELLING is never
 * stored: it is how the API shows a RUNNING job whose cancel was asked for, until it stops.
 */
public enum JobState {
    QUEUED,
    RUNNING,
    CANCELLING,
    AUDITING,
    PUBLISHED,
    REJECTED,
    FAILED,
    CANCELLED;

    public boolean isFinal() {
        return this == PUBLISHED || this == REJECTED || this == FAILED || this == CANCELLED;
    }
}
