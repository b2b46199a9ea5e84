package io.kiln.job;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of a running job, read by the API while the job writes them. */
public final class JobProgress {
    /** What a running job is doing now. */
    public enum Phase { PLANNING, DEDUPLICATING, READING, COMMITTING }

    /** The most a running job shows: it is done only when it has ended. */
    public static final double MAX_RUNNING_FRACTION = 0.99;

    private final long startNanos = System.nanoTime();
    private volatile Phase phase = Phase.PLANNING;
    private volatile long readingStartNanos;
    private final AtomicLong bytesHashed = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong();
    private final AtomicLong recordsRead = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    /** Passes over the input: the hashing pass, one per run of fitted steps, the writing pass. */
    private volatile int passes = 2;
    private volatile java.util.function.Supplier<java.util.List<io.kiln.transform.TransformChain.StepStatistics>> steps = java.util.List::of;

    /** Where the live per-step counts come from (the job's chain). */
    void steps(java.util.function.Supplier<java.util.List<io.kiln.transform.TransformChain.StepStatistics>> source) {
        steps = source;
    }

    void planning(long inputBytes) {
        bytesTotal.set(inputBytes);
        phase = Phase.PLANNING;
    }

    void passes(int count) {
        passes = count;
    }

    void reading() {
        readingStartNanos = System.nanoTime();
        phase = Phase.READING;
    }

    /** The first pass of a job that deduplicates: every row reaching the duplicate filters is signed. */
    void deduplicating() {
        phase = Phase.DEDUPLICATING;
    }

    void committing() {
        phase = Phase.COMMITTING;
    }

    void addBytesHashed(long bytes) {
        bytesHashed.addAndGet(bytes);
    }

    void addBytesRead(long bytes) {
        bytesRead.addAndGet(bytes);
    }

    void addRecords(long read, long writtenRows, long rejectedRows) {
        recordsRead.addAndGet(read);
        written.addAndGet(writtenRows);
        rejected.addAndGet(rejectedRows);
    }

    public Snapshot snapshot() {
        long now = System.nanoTime();
        long readingStart = readingStartNanos;
        double readingSeconds = readingStart == 0 ? 0 : Math.max((now - readingStart) / 1e9, 1e-3);
        long total = bytesTotal.get();
        // every pass reads every input (hashing, the fitted passes, writing); the commit and the audit come after
        // the last byte, so a running job never shows done
        long done = bytesHashed.get() + bytesRead.get();
        long work = (long) passes * total;
        double fraction = total == 0 ? 0.0 : Math.min(MAX_RUNNING_FRACTION, done / (double) work);
        long records = recordsRead.get();
        double rate = readingSeconds == 0 ? 0 : Math.round(records / readingSeconds * 10) / 10.0;
        double seconds = Math.max((now - startNanos) / 1e9, 1e-3);
        double bytesPerSecond = done / seconds;
        // the input still to read at the job's rate so far; the commit and the audit are not in it
        Long eta = done == 0 || total == 0 ? null : Math.round(Math.max(0, work - done) / bytesPerSecond);
        return new Snapshot(phase, bytesHashed.get(), bytesRead.get(), total, records, written.get(), rejected.get(), rate,
                Math.round(fraction * 1000) / 1000.0, (now - startNanos) / 1_000_000, steps.get(), passes, Math.round(bytesPerSecond), eta);
    }

    /**
     * Progress at one instant; {@code fraction} counts every pass over the input (hashing, any fitted
     * passes, writing) and stays below 1 until the job ends; {@code bytesRead} counts the passes after hashing;
     * {@code bytesPerSecond}: input bytes of every pass read per second since the job started; {@code etaSeconds}:
     * the input still to read at that rate (null before the first byte), without the commit and the audit.
     */
    public record Snapshot(Phase phase, long bytesHashed, long bytesRead, long bytesTotal, long recordsRead, long written, long rejected,
            double recordsPerSecond, double fraction, long elapsedMillis, java.util.List<io.kiln.transform.TransformChain.StepStatistics> steps,
            int passes, long bytesPerSecond, Long etaSeconds) {}
}
