package io.kiln.contamination;

import java.util.Arrays;

/**
 * The dot products of {@link ExactCosine}: one summation order for every pair of vectors, whether
 * computed alone ({@link #dot}) or in blocks ({@link #dots}).
 *
 * <p>The order, for vectors zero-padded to a multiple of {@value #CHUNK} elements: for each chunk
 * {@code c} in ascending order, {@code t = a[4c] * b[4c]}, then {@code t = fma(a[4c + i], b[4c + i], t)}
 * for {@code i = 1, 2, 3}, then {@code sum = sum + t}, from {@code sum = +0.0f}; all in float. The
 * rounding error is at most about {@code (d / 4 + 4) * 2^-24} for unit vectors (6e-6 at 384 dimensions).
 *
 * <p>The blocks vectorize the other way round: eval items are stored dimension-major ({@code
 * block[k][j]} is element {@code k} of item {@code j} of the block), and one loop over the block's items
 * adds one chunk of two rows to every item's two sums. C2 (JDK 17) vectorizes that loop only when every
 * array in it is indexed by the loop variable alone (an offset would make it assume the arrays may
 * overlap), and only when its body is small (it cannot unroll a larger one 16 times for 16 float lanes);
 * hence the separate arrays per dimension, the chunk of four and the two rows (four rows do not
 * vectorize; each row reloads the items because its store might alias them). Sums stay in memory (L1)
 * between chunks, so the loop does 10 vector loads and 2 stores per 8 fused multiply-adds: about half
 * of a BLAS kernel's rate, which keeps its sums in registers.
 */
final class ExactCosineKernel {
    /** Elements per chunk of the summation order. */
    static final int CHUNK = 4;
    /** Eval items per block (the last block may have fewer): one loop of the kernel runs over them. */
    static final int ITEMS_PER_BLOCK = 1024;
    /** Dimensions done for a whole row block before the next ones: 64 x 1024 floats stay in L2. */
    static final int DIMENSIONS_PER_PASS = 64;
    /** Rows whose sums are kept while a pass of dimensions is done for each of them. */
    static final int ROWS_PER_BLOCK = 16;

    private ExactCosineKernel() {
    }

    static int paddedDimension(int dimension) {
        return (dimension + CHUNK - 1) / CHUNK * CHUNK;
    }

    /** The dot product of {@code a} and {@code b} (same length) in the summation order above. */
    static float dot(float[] a, float[] b) {
        int dimension = a.length;
        float sum = 0f;
        int k = 0;
        for (; k + CHUNK <= dimension; k += CHUNK) {
            float chunk = a[k] * b[k];
            chunk = Math.fma(a[k + 1], b[k + 1], chunk);
            chunk = Math.fma(a[k + 2], b[k + 2], chunk);
            chunk = Math.fma(a[k + 3], b[k + 3], chunk);
            sum += chunk;
        }
        if (k < dimension) {
            float chunk = a[k] * b[k];
            for (int i = 1; i < CHUNK; i++) {
                chunk = Math.fma(k + i < dimension ? a[k + i] : 0f, k + i < dimension ? b[k + i] : 0f, chunk);
            }
            sum += chunk;
        }
        return sum;
    }

    /**
     * The eval vectors as blocks of {@link #ITEMS_PER_BLOCK} items (the last one of the rest),
     * dimension-major, each vector zero-padded to {@code paddedDimension}.
     */
    static float[][][] blocks(float[][] vectors, int paddedDimension) {
        int count = (vectors.length + ITEMS_PER_BLOCK - 1) / ITEMS_PER_BLOCK;
        float[][][] blocks = new float[count][][];
        for (int block = 0; block < count; block++) {
            int first = block * ITEMS_PER_BLOCK;
            int width = Math.min(ITEMS_PER_BLOCK, vectors.length - first);
            blocks[block] = new float[paddedDimension][width];
            for (int j = 0; j < width; j++) {
                float[] vector = vectors[first + j];
                for (int k = 0; k < vector.length; k++) {
                    blocks[block][k][j] = vector[k];
                }
            }
        }
        return blocks;
    }

    /**
     * Sets {@code sums[r - from][j]} to the dot product of {@code rows[r]} (padded) and item {@code j}
     * of {@code block}, for {@code from <= r < to} (at most {@link #ROWS_PER_BLOCK} rows) and {@code
     * first <= j < end}.
     */
    static void dots(float[][] rows, int from, int to, float[][] block, int first, int end, float[][] sums) {
        for (int r = from; r < to; r++) {
            Arrays.fill(sums[r - from], first, end, 0f);
        }
        int paddedDimension = block.length;
        for (int start = 0; start < paddedDimension; start += DIMENSIONS_PER_PASS) {
            int stop = Math.min(paddedDimension, start + DIMENSIONS_PER_PASS);
            int r = from;
            for (; r + 1 < to; r += 2) {
                for (int k = start; k < stop; k += CHUNK) {
                    addChunk(rows[r], rows[r + 1], k, block, first, end, sums[r - from], sums[r + 1 - from]);
                }
            }
            if (r < to) {
                for (int k = start; k < stop; k += CHUNK) {
                    addChunk(rows[r], k, block, first, end, sums[r - from]);
                }
            }
        }
    }

    private static void addChunk(float[] row, float[] otherRow, int k, float[][] block, int first, int end, float[] sum, float[] otherSum) {
        float x0 = row[k];
        float x1 = row[k + 1];
        float x2 = row[k + 2];
        float x3 = row[k + 3];
        float y0 = otherRow[k];
        float y1 = otherRow[k + 1];
        float y2 = otherRow[k + 2];
        float y3 = otherRow[k + 3];
        float[] e0 = block[k];
        float[] e1 = block[k + 1];
        float[] e2 = block[k + 2];
        float[] e3 = block[k + 3];
        for (int j = first; j < end; j++) {
            sum[j] += Math.fma(x3, e3[j], Math.fma(x2, e2[j], Math.fma(x1, e1[j], x0 * e0[j])));
            otherSum[j] += Math.fma(y3, e3[j], Math.fma(y2, e2[j], Math.fma(y1, e1[j], y0 * e0[j])));
        }
    }

    private static void addChunk(float[] row, int k, float[][] block, int first, int end, float[] sum) {
        float x0 = row[k];
        float x1 = row[k + 1];
        float x2 = row[k + 2];
        float x3 = row[k + 3];
        float[] e0 = block[k];
        float[] e1 = block[k + 1];
        float[] e2 = block[k + 2];
        float[] e3 = block[k + 3];
        for (int j = first; j < end; j++) {
            sum[j] += Math.fma(x3, e3[j], Math.fma(x2, e2[j], Math.fma(x1, e1[j], x0 * e0[j])));
        }
    }
}
