package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A running job's fraction counts every pass over its input and never shows done before the job has ended. */
class JobProgressTest {
    @Test
    void theFractionCountsEveryPassAndStopsShortOfDone() {
        JobProgress progress = new JobProgress();
        progress.planning(1000);
        progress.passes(3); // hashing, one fitted (dedup) pass, writing
        progress.addBytesHashed(1000);
        assertThat(progress.snapshot().fraction()).as("hashed, nothing parsed yet").isEqualTo(0.333);
        assertThat(progress.snapshot().etaSeconds()).isNotNull();
        progress.deduplicating();
        progress.addBytesRead(1000);
        assertThat(progress.snapshot().fraction()).isEqualTo(0.667);
        progress.reading();
        progress.addBytesRead(1000);
        progress.committing();
        assertThat(progress.snapshot().fraction()).as("every byte read, the commit and audit to come").isEqualTo(JobProgress.MAX_RUNNING_FRACTION);
        assertThat(progress.snapshot().etaSeconds()).isZero();
        assertThat(progress.snapshot().passes()).isEqualTo(3);
    }
}
