package io.kiln.embed;

/**
 * How big one inference batch may be: at most {@code maxBatchSize} texts and at most
 * {@code maxBatchTokens} tokens counting padding (texts x the longest text of the batch). A text
 * longer than {@code maxBatchTokens} alone still gets a batch of its own. Limits change speed,
 * never fp32 vectors.
 */
public record BatchLimits(int maxBatchTokens, int maxBatchSize) {
    /**
     * CPU: small batches keep a batch's activations in the CPU caches; measured on all-MiniLM-L6-v2
     * (BENCHMARKS.md), 256-512 tokens per batch embed ~1.7x more sentences per CPU-second than 16k.
     */
    public static final BatchLimits CPU = new BatchLimits(512, 64);
    /** CUDA: big batches keep the GPU busy. */
    public static final BatchLimits CUDA = new BatchLimits(16_384, 256);
    /** The CPU limits: what {@link Embedder#embed(java.util.List)} uses on an unknown provider. */
    public static final BatchLimits DEFAULT = CPU;

    public static BatchLimits defaultFor(ExecutionProvider provider) {
        return provider == ExecutionProvider.CUDA ? CUDA : CPU;
    }

    public BatchLimits {
        if (maxBatchTokens < 1 || maxBatchSize < 1) {
            throw new IllegalArgumentException("Batch limits must be positive: maxBatchTokens " + maxBatchTokens + ", maxBatchSize " + maxBatchSize);
        }
    }
}
