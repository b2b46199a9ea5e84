package io.kiln.embed;

/**
 * How big one inference batch may be: at most {@code maxBatchSize} texts and at most
 * {@code maxBatchTokens} tokens counting padding (texts x the longest text of the batch). A text
 * longer than {@code maxBatchTokens} alone still gets a batch of its own.
 */
public record BatchLimits(int maxBatchTokens, int maxBatchSize) {
    public static final BatchLimits DEFAULT = new BatchLimits(16_384, 128);

    public BatchLimits {
        if (maxBatchTokens < 1 || maxBatchSize < 1) {
            throw new IllegalArgumentException("Batch limits must be positive: maxBatchTokens " + maxBatchTokens + ", maxBatchSize " + maxBatchSize);
        }
    }
}
