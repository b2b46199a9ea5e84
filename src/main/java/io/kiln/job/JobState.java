package io.kiln.job;

/** The life of a job. PUBLISHED, REJECTED, FAILED and CANCELLED are final. */
public enum JobState {
    QUEUED,
    RUNNING,
    AUDITING,
    PUBLISHED,
    REJECTED,
    FAILED,
    CANCELLED;

    public boolean isFinal() {
        return this == PUBLISHED || this == REJECTED || this == FAILED || this == CANCELLED;
    }
}
