package io.kiln.dedup;

import static java.util.Objects.requireNonNull;

/**
 * The parameters of near-duplicate detection: how texts are shingled and MinHashed, how the
 * signatures are banded, and the Jaccard threshold that a candidate pair must reach (estimated from
 * the signatures) to count as near-duplicates. {@code hashCount} must be a multiple of {@code bands};
 * each band has {@code hashCount / bands} rows.
 *
 * <p>Defaults ({@link #defaults()}): 5-word shingles, 112 hashes in 14 bands of 8 rows, threshold 0.8.
 * The S-curve of 14 x 8 is steepest near (1/14)^(1/8) = 0.72, below the threshold on purpose: a pair at
 * Jaccard 0.8 becomes a candidate with probability 0.92, at 0.85 with 0.99, at 0.9 with 0.9996,
 * while pairs below 0.6 rarely do (0.2); the threshold check on the estimate then removes the
 * candidates below 0.8. With the S-curve's steep point at 0.8 itself (for example 9 bands of 13 rows,
 * (1/9)^(1/13) = 0.84) half the pairs at 0.8 would never be compared. See {@code BENCHMARKS.md} for
 * the measured precision and recall of several settings.
 *
 * <p>Segments of the persistent history are only compatible with the same shingling, shingle size,
 * hash count, bands and seed ({@link #isCompatibleWith}); the threshold may change freely.
 */
public record NearDuplicateParameters(Shingling shingling, int shingleSize, int hashCount, int bands, double threshold, long seed) {
    public static final long DEFAULT_SEED = 0x4b494c4e_44445550L;

    public NearDuplicateParameters {
        requireNonNull(shingling, "shingling is null");
        if (shingleSize < 1 || shingleSize > 64) {
            throw new IllegalArgumentException("shingleSize %d: must be 1 to 64".formatted(shingleSize));
        }
        if (hashCount < 1 || hashCount > 4096) {
            throw new IllegalArgumentException("hashCount %d: must be 1 to 4096".formatted(hashCount));
        }
        if (bands < 1 || hashCount % bands != 0) {
            throw new IllegalArgumentException("bands %d: must divide hashCount %d".formatted(bands, hashCount));
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold %s: must be in (0, 1]".formatted(threshold));
        }
    }

    public static NearDuplicateParameters defaults() {
        return new NearDuplicateParameters(Shingling.WORDS, 5, 112, 14, 0.8, DEFAULT_SEED);
    }

    public int rowsPerBand() {
        return hashCount / bands;
    }

    public MinHasher minHasher() {
        return new MinHasher(shingling, shingleSize, hashCount, seed);
    }

    public LshBands lshBands() {
        return new LshBands(bands, rowsPerBand());
    }

    /** Whether signatures made with {@code other} can be compared with signatures made with these. */
    public boolean isCompatibleWith(NearDuplicateParameters other) {
        return shingling == other.shingling && shingleSize == other.shingleSize && hashCount == other.hashCount
                && bands == other.bands && seed == other.seed;
    }

    /** The least number of equal (16-bit) signature entries for an estimated similarity at or above the threshold. */
    int requiredMatches() {
        return (int) Math.ceil(threshold * hashCount - 1e-9);
    }
}
