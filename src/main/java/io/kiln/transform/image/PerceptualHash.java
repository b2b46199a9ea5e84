package io.kiln.transform.image;

import java.util.Arrays;

/**
 * 64-bit perceptual hashes of an image's luma, for near-duplicate search by Hamming distance.
 *
 * <p>{@link #phash}: the DCT hash. The image is resized to 32x32 (triangle filter, after averaging
 * whole blocks of a large image down to four times that size) and taken as luma, its 2-D DCT-II
 * is taken, and of the 8x8 lowest frequencies (the DC term included) each bit says whether the
 * coefficient is above their median; bit 63 is the DC term, then row by row. {@link #dhash}: the
 * difference hash. The image is resized to 9x8 and each bit says whether a pixel's luma is above
 * its left neighbour. Both are the definitions the ImageHash library uses; the DCT runs in strict
 * double precision with a cosine table from {@link StrictMath}, so the hashes are the same on every
 * machine. Thread-safe.
 */
public final class PerceptualHash {
    private static final int SIZE = 32;
    private static final int LOW = 8;
    private static final double[][] COSINES = new double[LOW][SIZE];
    /** Blocks of a large image are averaged only while four times the hash's size is left: close to a full convolution, at a bounded cost. */
    private static final int REDUCING_GAP = 4;

    static {
        for (int u = 0; u < LOW; u++) {
            for (int x = 0; x < SIZE; x++) {
                COSINES[u][x] = StrictMath.cos(StrictMath.PI * (2 * x + 1) * u / (2.0 * SIZE));
            }
        }
    }

    private PerceptualHash() {}

    /** Both hashes of one image, from one pass of block averaging over it. */
    public record Hashes(long phash, long dhash) {
    }

    public static Hashes hashes(Pixels image) {
        return hashesOfReduced(reduced(image));
    }

    /**
     * The hashes of an image that {@link Resampler#reduce} has already averaged by the factors of {@link #reduction}: the same
     * values as {@link #hashes} of the original, for a caller that averaged it once for several uses.
     */
    public static Hashes hashesOfReduced(Pixels reduced) {
        return new Hashes(phashOfReduced(reduced), dhashOfReduced(reduced));
    }

    public static long phash(Pixels image) {
        return phashOfReduced(reduced(image));
    }

    public static long dhash(Pixels image) {
        return dhashOfReduced(reduced(image));
    }

    /** The block-averaging factors {@code {x, y}} the hashes apply to an image of this size first: about four times the hash's size is left. */
    public static int[] reduction(int width, int height) {
        return new int[] {Math.max(1, width / (SIZE * REDUCING_GAP)), Math.max(1, height / (SIZE * REDUCING_GAP))};
    }

    /** A large image with whole blocks averaged until about four times the hash's size is left. */
    private static Pixels reduced(Pixels image) {
        int[] factors = reduction(image.width(), image.height());
        return Resampler.reduce(image, factors[0], factors[1]);
    }

    private static long phashOfReduced(Pixels image) {
        int[] small = Resampler.resize(image, SIZE, SIZE, Resampler.Filter.BILINEAR, REDUCING_GAP).luma();
        double[] rows = new double[LOW * SIZE];
        // rows[v][x] = sum over y of cos_v(y) * p(x, y): the vertical transform of each column, low frequencies only
        for (int v = 0; v < LOW; v++) {
            for (int x = 0; x < SIZE; x++) {
                double sum = 0;
                for (int y = 0; y < SIZE; y++) {
                    sum += COSINES[v][y] * small[y * SIZE + x];
                }
                rows[v * SIZE + x] = sum;
            }
        }
        double[] coefficients = new double[LOW * LOW];
        for (int v = 0; v < LOW; v++) {
            for (int u = 0; u < LOW; u++) {
                double sum = 0;
                for (int x = 0; x < SIZE; x++) {
                    sum += COSINES[u][x] * rows[v * SIZE + x];
                }
                coefficients[v * LOW + u] = sum;
            }
        }
        double[] sorted = coefficients.clone();
        Arrays.sort(sorted);
        double median = (sorted[31] + sorted[32]) / 2;
        long hash = 0;
        for (double coefficient : coefficients) {
            hash = hash << 1 | (coefficient > median ? 1 : 0);
        }
        return hash;
    }

    private static long dhashOfReduced(Pixels image) {
        int[] small = Resampler.resize(image, LOW + 1, LOW, Resampler.Filter.BILINEAR, REDUCING_GAP).luma();
        long hash = 0;
        for (int y = 0; y < LOW; y++) {
            for (int x = 0; x < LOW; x++) {
                hash = hash << 1 | (small[y * (LOW + 1) + x + 1] > small[y * (LOW + 1) + x] ? 1 : 0);
            }
        }
        return hash;
    }

    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }
}
