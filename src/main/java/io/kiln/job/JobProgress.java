package io.kiln.job;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of a running job, read by the API while the job writes them. */
public final class JobProgress {
    private final long startNanos = System.nanoTime();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong();
    private final AtomicLong recordsRead = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    public void addBytesRead(long bytes) {
        bytesRead.addAndGet(bytes);
    }

    public void setBytesTotal(long bytes) {
        bytesTotal.set(bytes);
    }

    public void addRecords(long read, long writtenRows, long rejectedRows) {
        recordsRead.addAndGet(read);
        written.addAndGet(writtenRows);
        rejected.addAndGet(rejectedRows);
    }

    public Snapshot snapshot() {
        double seconds = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-3);
        long total = bytesTotal.get();
        long read = bytesRead.get();
        double fraction = total == 0 ? 0.0 : Math.min(1.0, (double) read / total);
        long records = recordsRead.get();
        return new Snapshot(read, total, records, written.get(), rejected.get(), Math.round(records / seconds * 10) / 10.0, Math.round(fraction * 1000) / 1000.0);
    }

    /** Progress at one instant; {@code fraction} is of the input bytes (both passes: hashing, then reading). */
    public record Snapshot(long bytesRead, long bytesTotal, long recordsRead, long written, long rejected, double recordsPerSecond, double fraction) {}
}
