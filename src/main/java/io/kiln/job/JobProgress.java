package io.kiln.job;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of a running job, read by the API while the job writes them. */
public final class JobProgress {
    /** What a running job is doing now. */
    public enum Phase { PLANNING, DEDUPLICATING, READING, COMMITTING }

    private final long startNanos = System.nanoTime();
    private volatile Phase phase = Phase.PLANNING;
    private volatile long readingStartNanos;
    private final AtomicLong bytesHashed = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong();
    private final AtomicLong recordsRead = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile java.util.function.Supplier<java.util.List<io.kiln.transform.TransformChain.StepStatistics>> steps = java.util.List::of;

    /** Where the live per-step counts come from (the job's chain). */
    void steps(java.util.function.Supplier<java.util.List<io.kiln.transform.TransformChain.StepStatistics>> source) {
        steps = source;
    }

    void planning(long inputBytes) {
        bytesTotal.set(inputBytes);
        phase = Phase.PLANNING;
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
        // every input is read twice: hashed while planning, then parsed
        double fraction = total == 0 ? 0.0 : Math.min(1.0, (bytesHashed.get() + bytesRead.get()) / (2.0 * total));
        long records = recordsRead.get();
        double rate = readingSeconds == 0 ? 0 : Math.round(records / readingSeconds * 10) / 10.0;
        return new Snapshot(phase, bytesHashed.get(), bytesRead.get(), total, records, written.get(), rejected.get(), rate,
                Math.round(fraction * 1000) / 1000.0, (now - startNanos) / 1_000_000, steps.get());
    }

    /** Progress at one instant; {@code fraction} counts both passes over the input (hashing, then parsing). */
    public record Snapshot(Phase phase, long bytesHashed, long bytesRead, long bytesTotal, long recordsRead, long written, long rejected,
            double recordsPerSecond, double fraction, long elapsedMillis, java.util.List<io.kiln.transform.TransformChain.StepStatistics> steps) {}
}
