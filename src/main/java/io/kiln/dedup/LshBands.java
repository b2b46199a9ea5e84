package io.kiln.dedup;

/**
 * Locality-sensitive hashing by banding: a signature of {@code bands * rowsPerBand} MinHash values
 * is cut into {@code bands} bands of {@code rowsPerBand} consecutive values, and each band is hashed
 * to a 32-bit band key (salted with its band number). Two texts whose signatures agree on a whole
 * band share that band's key and become a candidate pair; for Jaccard similarity {@code s} that
 * happens with probability {@code 1 - (1 - s^r)^b} (the S-curve), whose steepest point is near
 * {@code (1/b)^(1/r)} ({@link #threshold()}).
 *
 * <p>32-bit keys: a false key match between two unrelated bands has probability 2⁻³²; it only costs
 * one signature comparison (candidates are checked against the Jaccard threshold), never a wrong decision.
 */
public record LshBands(int bands, int rowsPerBand) {
    public LshBands {
        if (bands < 1 || rowsPerBand < 1) {
            throw new IllegalArgumentException("Cannot band signatures into %d bands of %d rows: both must be at least 1".formatted(bands, rowsPerBand));
        }
    }

    public int hashCount() {
        return bands * rowsPerBand;
    }

    /** The band keys of {@code signature}, band 0 first. */
    public int[] bandKeys(long[] signature) {
        if (signature.length != hashCount()) {
            throw new IllegalArgumentException("Cannot band a signature of %d hashes into %d bands of %d rows".formatted(signature.length, bands, rowsPerBand));
        }
        int[] keys = new int[bands];
        for (int band = 0; band < bands; band++) {
            long hash = Murmur3.fmix64(band + 0x6a09e667f3bcc909L);
            int at = band * rowsPerBand;
            for (int row = 0; row < rowsPerBand; row++) {
                hash = Long.rotateLeft((hash ^ signature[at + row]) * 0x9E3779B97F4A7C15L, 29);
            }
            keys[band] = (int) (Murmur3.fmix64(hash) >>> 32);
        }
        return keys;
    }

    /** {@code (1/b)^(1/r)}: about where the S-curve is steepest. */
    public double threshold() {
        return Math.pow(1.0 / bands, 1.0 / rowsPerBand);
    }

    /** The probability that two texts with Jaccard similarity {@code similarity} share at least one band key. */
    public double candidateProbability(double similarity) {
        return 1 - Math.pow(1 - Math.pow(similarity, rowsPerBand), bands);
    }
}
