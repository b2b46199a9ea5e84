package io.kiln.job;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.kiln.transform.TransformChain.StepStatistics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Kiln's metrics, in Micrometer (served by the Prometheus registry at {@code /q/metrics}). Counters
 * move when a job ends, from what the job records (so a restarted service counts each job once, the
 * way it ended): jobs by final state, rows read, written and rejected (by table, and rejects by
 * reason), input bytes, rows through each step and its seconds, and the audit's duration. Gauges
 * read the live state on each scrape: jobs queued, running and auditing. Exports and the rows
 * endpoint count the bytes they write. Thread-safe.
 */
@ApplicationScoped
public class KilnMetrics {
    @Inject
    MeterRegistry registry;

    /** Registers a gauge of jobs in a live state (QUEUED, RUNNING, AUDITING), read by {@code count} at each scrape. */
    void liveJobs(JobState state, Supplier<Number> count) {
        Gauge.builder("kiln.jobs", count).tag("state", state.name()).description("Jobs in this state now").register(registry);
    }

    /** Makes the embedding series of {@code provider} visible before the first embedding (at zero), as dashboards expect. */
    public void embeddingProvider(io.kiln.embed.ExecutionProvider provider) {
        for (String modality : java.util.List.of("text", "image", "audio")) {
            io.kiln.embed.EmbeddingMetrics.record(registry, provider, modality, 0, 0);
        }
    }

    /** Registers a gauge read at each scrape. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** A job reached a final state: counts what it did. */
    void ended(Job job) {
        String table = job.table();
        Counter.builder("kiln.jobs.ended").tag("state", job.state().name()).description("Jobs that ended, by their final state").register(registry).increment();
        if (job.counts() != null) {
            count("kiln.rows.read", table, "Records read from the inputs", job.counts().read());
            count("kiln.rows.written", table, "Rows published (or staged, for a rejected batch)", job.counts().written());
            count("kiln.rows.rejected", table, "Records kept in the rejects table", job.counts().rejected());
        }
        job.rejectedByReason().forEach((reason, rows) -> Counter.builder("kiln.rows.rejected.by.reason").tag("table", table).tag("reason", reason)
                .description("Rejected records by reason").register(registry).increment(rows));
        if (job.inputBytes() != null) {
            count("kiln.input.bytes", table, "Bytes of input read", job.inputBytes());
        }
        for (StepStatistics step : job.steps()) {
            Counter.builder("kiln.step.rows").tag("step", step.step()).description("Rows that went into each step").register(registry)
                    .increment(step.rowsIn());
            Counter.builder("kiln.step.seconds").tag("step", step.step()).description("Seconds each step took (all threads)").register(registry)
                    .increment(step.seconds());
        }
        if (job.auditStartedAt() != null && job.finishedAt() != null) {
            Timer.builder("kiln.audit.duration").tag("outcome", job.state().name()).description("Time from the start of the audit to the publish or rejection")
                    .register(registry).record(Duration.between(job.auditStartedAt(), job.finishedAt()));
        }
    }

    /**
     * A commit tried again: {@code restage} when main moved between the audit and the publish (the batch is
     * staged and audited again on the new main), {@code rerun} when a job with fitted steps ran again because
     * another process published to its table meanwhile.
     */
    void commitRetries(String kind, int retries) {
        Counter.builder("kiln.commit.retries").tag("kind", kind).description("Commits tried again, by why").register(registry).increment(retries);
    }

    /** Bytes an export or a response of the rows endpoint wrote, by what ({@code export}, {@code rows}) and format. */
    public void bytesOut(String what, String format, long bytes) {
        Counter.builder("kiln." + what + ".bytes").tag("format", format.toLowerCase(Locale.ROOT)).baseUnit("bytes")
                .description("Bytes written by " + (what.equals("export") ? "exports" : "the rows endpoint")).register(registry).increment(bytes);
    }

    private void count(String name, String table, String description, long value) {
        Counter.builder(name).tag("table", table).description(description).register(registry).increment(value);
    }
}
