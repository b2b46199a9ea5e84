import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The limit for ingest throughput: reads FILE once the way Kiln must at minimum (buffered read
 * of every byte, SHA-256 over them, split into lines at '\n') and prints the rate in MB/s
 * (1 MB = 10^6 bytes). For reference it first reads the file without hashing or splitting, like
 * {@code cat FILE > /dev/null}. Nothing is dropped from the page cache: run it right before the
 * job it is compared with, so that both see the same (warm) cache.
 *
 * <p>The last lines are machine-readable: {@code read_only_mb_s}, {@code limit_mb_s} and
 * {@code limit_mb_per_cpu_s} (the limit per CPU second of the reading thread, which contention
 * from other processes on a shared machine changes less than the wall-clock rate).
 *
 * <pre>java bench/RawRead.java FILE</pre>
 */
public final class RawRead {
    private static final int BUFFER = 1 << 16;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java bench/RawRead.java FILE");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long size = Files.size(file);
        warmUp();

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        long bytes = readOnly(file);
        double readOnlySeconds = (System.nanoTime() - start) / 1e9;

        long cpuStart = threads.getCurrentThreadCpuTime();
        start = System.nanoTime();
        Result result = hashAndSplit(file);
        double limitSeconds = (System.nanoTime() - start) / 1e9;
        double limitCpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;

        if (bytes != size || result.bytes != size) {
            throw new IllegalStateException("read " + bytes + " and " + result.bytes + " bytes of a file of " + size);
        }
        double readOnly = size / 1e6 / readOnlySeconds;
        double limit = size / 1e6 / limitSeconds;
        System.out.printf(Locale.ROOT, "raw-read: %s, %d bytes, %d lines, sha256 %s%n", file, size, result.lines, result.sha256);
        System.out.printf(Locale.ROOT, "raw-read: read only (cat > /dev/null):       %8.1f MB/s (%.2f s)%n", readOnly, readOnlySeconds);
        System.out.printf(Locale.ROOT, "raw-read: read + sha256 + lines (the limit): %8.1f MB/s (%.2f s, %.2f s CPU: %.1f MB per CPU second)%n",
                limit, limitSeconds, limitCpuSeconds, size / 1e6 / limitCpuSeconds);
        System.out.printf(Locale.ROOT, "read_only_mb_s=%.1f%n", readOnly);
        System.out.printf(Locale.ROOT, "limit_mb_s=%.1f%n", limit);
        System.out.printf(Locale.ROOT, "limit_mb_per_cpu_s=%.1f%n", size / 1e6 / limitCpuSeconds);
    }

    static long readOnly(Path file) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
                total += n;
            }
        }
        return total;
    }

    record Result(long bytes, long lines, String sha256) {}

    static Result hashAndSplit(Path file) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        long lines = 0;
        boolean pending = false;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
                sha256.update(buffer, 0, n);
                lines += countLines(buffer, n);
                pending = n > 0 ? buffer[n - 1] != '\n' : pending;
                total += n;
            }
        }
        if (pending) {
            lines++;
        }
        return new Result(total, lines, HexFormat.of().formatHex(sha256.digest()));
    }

    static long countLines(byte[] buffer, int length) {
        long lines = 0;
        for (int i = 0; i < length; i++) {
            if (buffer[i] == '\n') {
                lines++;
            }
        }
        return lines;
    }

    /** Compiles the hashing and scanning loops before the clock starts; Kiln's service is warm when a job runs. */
    static void warmUp() throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[BUFFER];
        for (int i = 0; i < buffer.length; i++) {
            buffer[i] = (byte) (i % 97 == 0 ? '\n' : 'a' + i % 26);
        }
        long sink = 0;
        for (int i = 0; i < 2000; i++) {
            sha256.update(buffer, 0, buffer.length);
            sink += countLines(buffer, buffer.length);
        }
        if (sink == 42 && sha256.digest()[0] == 42) {
            System.out.print("");
        }
    }
}
