package io.kiln.embed;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * Embedding throughput by execution provider (CPU or CUDA) and modality, in Micrometer's global
 * registry (the service's Prometheus registry is part of it): {@code kiln.embedding.rows} and
 * {@code kiln.embedding.seconds}, whose rates divide into rows per second.
 */
public final class EmbeddingMetrics {
    private EmbeddingMetrics() {}

    /** {@code rows} embedded by {@code provider} in {@code nanos} (one thread's time). */
    public static void record(ExecutionProvider provider, String modality, int rows, long nanos) {
        if (rows > 0) {
            record(Metrics.globalRegistry, provider, modality, rows, nanos);
        }
    }

    /** With no rows, registers the series at zero. */
    public static void record(MeterRegistry registry, ExecutionProvider provider, String modality, int rows, long nanos) {
        Counter.builder("kiln.embedding.rows").tag("provider", provider.name()).tag("modality", modality).description("Rows embedded, by execution provider")
                .register(registry).increment(rows);
        Counter.builder("kiln.embedding.seconds").tag("provider", provider.name()).tag("modality", modality)
                .description("Seconds spent embedding (all threads), by execution provider").register(registry)
                .increment(nanos / (double) TimeUnit.SECONDS.toNanos(1));
    }
}
