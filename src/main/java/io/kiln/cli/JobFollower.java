package io.kiln.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * Polls a job until it ends, showing progress on standard error, then prints the summary on
 * standard output. On a terminal the progress is one line redrawn in place; otherwise (a pipe, a
 * log file, CI) it is a new line every {@link #LOG_INTERVAL} and at each change of state.
 */
final class JobFollower
{
    static final Duration POLL_INTERVAL = Duration.ofMillis(300);
    static final Duration LOG_INTERVAL = Duration.ofSeconds(2);

    private final KilnClient client;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    JobFollower(KilnClient client, PrintStream out, PrintStream err, boolean terminal)
    {
        this.client = requireNonNull(client, "client is null");
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
        this.terminal = terminal;
    }

    static JobFollower onConsole(KilnClient client)
    {
        return new JobFollower(client, System.out, System.err, System.console() != null);
    }

    /** Returns {@link ExitCode#SUCCESS} when the job is published, {@link ExitCode#NOT_PUBLISHED} when it ends otherwise. */
    int follow(String jobId)
            throws InterruptedException
    {
        requireNonNull(jobId, "jobId is null");
        long started = System.nanoTime();
        AtomicBoolean done = new AtomicBoolean();
        Thread interrupted = new Thread(() -> {
            if (!done.get()) {
                err.println();
                err.printf("kiln: stopped following job %s; it goes on in the service. Resume with: kiln follow %s%n", jobId, jobId);
                err.flush();
            }
        });
        Runtime.getRuntime().addShutdownHook(interrupted);
        Display display = terminal ? new Bar() : new Log();
        try {
            Job job = client.job(jobId);
            while (!job.terminal()) {
                display.show(job, Duration.ofNanos(System.nanoTime() - started));
                Thread.sleep(POLL_INTERVAL.toMillis());
                job = client.job(jobId);
            }
            display.show(job, Duration.ofNanos(System.nanoTime() - started));
            display.close();
            done.set(true);
            out.print(JobReport.summary(job));
            out.flush();
            return job.published() ? ExitCode.SUCCESS : ExitCode.NOT_PUBLISHED;
        }
        finally {
            display.close();
            done.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            }
            catch (IllegalStateException shuttingDown) {
                // the JVM is exiting already; the hook has run or will find done set
            }
        }
    }

    private interface Display
    {
        void show(Job job, Duration elapsed);

        void close();
    }

    private final class Bar
            implements Display
    {
        private int drawnLength;

        @Override
        public void show(Job job, Duration elapsed)
        {
            String line = JobReport.progressBar(job, elapsed);
            err.print("\r" + line + " ".repeat(Math.max(0, drawnLength - line.length())));
            err.flush();
            drawnLength = line.length();
        }

        @Override
        public void close()
        {
            if (drawnLength > 0) {
                err.println();
                err.flush();
                drawnLength = 0;
            }
        }
    }

    private final class Log
            implements Display
    {
        private String shownState;
        private long shownAt = Long.MIN_VALUE;

        @Override
        public void show(Job job, Duration elapsed)
        {
            long now = System.nanoTime();
            if (job.state().equals(shownState) && now - shownAt < LOG_INTERVAL.toNanos()) {
                return;
            }
            err.println(JobReport.progressLine(job, elapsed));
            err.flush();
            shownState = job.state();
            shownAt = now;
        }

        @Override
        public void close() {}
    }
}
