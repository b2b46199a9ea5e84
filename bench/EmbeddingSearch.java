import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.kiln.contamination.ExactCosine;
import io.kiln.contamination.ExactCosine.Neighbour;
import io.kiln.contamination.ExactCosine.RowHits;
import io.kiln.contamination.ExactCosine.TopRows;

/**
 * Exact embedding search as a contamination check runs it: ROWS training vectors against EVAL eval
 * vectors of DIMENSION, in batches of BATCH rows, each batch through {@code TopRows.add(ordinals, rows,
 * threshold)} (the hits at or above the threshold and the top K rows per eval item, in one pass).
 *
 * <p>The vectors are seeded Gaussian (uniform directions); every 1,000th training row is a noisy copy of
 * an eval item (cosine about 0.96), so that the threshold has hits. Training rows are made from their
 * index, batch by batch, outside the timed part, so nothing holds them all.
 *
 * <p>Prints one line of {@code key=value} pairs: seconds (wall clock of the add calls), GFLOP/s (2 x
 * ROWS x EVAL x DIMENSION / seconds) in all and per thread, hits, and a digest of the top rows and hits
 * (equal digests: bit-identical results, whatever THREADS or BATCH).
 *
 * <pre>java -cp target/classes bench/EmbeddingSearch.java ROWS EVAL DIMENSION THREADS [BATCH [K [THRESHOLD [SEED]]]]</pre>
 */
public class EmbeddingSearch {
    static void gaussianUnit(SplittableRandom random, float[] vector) {
        double squares = 0;
        for (int k = 0; k < vector.length; k++) {
            vector[k] = (float) random.nextGaussian();
            squares += vector[k] * vector[k];
        }
        float scale = (float) (1 / Math.sqrt(squares));
        for (int k = 0; k < vector.length; k++) {
            vector[k] *= scale;
        }
    }

    /**
     * A row's own stream. Not {@code seed ^ (row * 0x9E3779B97F4A7C15L)}: SplittableRandom's state
     * advances by that constant, so such seeds often restart the eval vectors' stream and copy an item.
     */
    static void trainingRow(long row, float[][] eval, long seed, float[] vector) {
        SplittableRandom random = new SplittableRandom(fmix64(fmix64(seed) + row));
        if (row % 1000 == 0) {
            float[] item = eval[(int) (row / 1000 % eval.length)];
            for (int k = 0; k < vector.length; k++) {
                vector[k] = item[k] + (float) (random.nextGaussian() * 0.015);
            }
        }
        else {
            gaussianUnit(random, vector);
        }
    }

    static long fmix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[0]);
        int evalCount = Integer.parseInt(args[1]);
        int dimension = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 4096;
        int k = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        float threshold = args.length > 6 ? Float.parseFloat(args[6]) : 0.9f;
        long seed = args.length > 7 ? Long.parseLong(args[7]) : 42;

        SplittableRandom evalRandom = new SplittableRandom(seed);
        float[][] eval = new float[evalCount][dimension];
        for (float[] vector : eval) {
            gaussianUnit(evalRandom, vector);
        }
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, threads - 1));
        ExactCosine index = ExactCosine.of(eval);
        if (threads > 1) {
            index = index.parallel(executor, threads);
        }
        TopRows top = index.topRows(k);
        float[][] batchRows = new float[batch][dimension];
        long hits = 0;
        long digest = 17;
        long nanos = 0;
        for (long first = 0; first < rows; first += batch) {
            int count = (int) Math.min(batch, rows - first);
            float[][] input = count == batch ? batchRows : new float[count][];
            long[] ordinals = new long[count];
            for (int i = 0; i < count; i++) {
                ordinals[i] = first + i;
                input[i] = batchRows[i];
                trainingRow(first + i, eval, seed, input[i]);
            }
            long start = System.nanoTime();
            List<RowHits> screened = top.add(ordinals, input, threshold);
            nanos += System.nanoTime() - start;
            for (int i = 0; i < count; i++) {
                for (ExactCosine.Hit hit : screened.get(i).hits()) {
                    hits++;
                    digest = digest * 31 + ordinals[i] * 1_000_003L + hit.item() * 7L + Float.floatToRawIntBits(hit.similarity());
                }
            }
        }
        executor.shutdown();
        for (List<Neighbour> neighbours : top.result()) {
            for (Neighbour neighbour : neighbours) {
                digest = digest * 31 + neighbour.row() * 1_000_003L + Float.floatToRawIntBits(neighbour.similarity());
            }
        }
        double seconds = nanos / 1e9;
        double gflops = 2.0 * rows * evalCount * dimension / seconds / 1e9;
        System.out.printf(Locale.ROOT, "rows=%d eval=%d dimension=%d threads=%d batch=%d k=%d threshold=%s seconds=%.3f gflops=%.2f gflops_per_thread=%.2f hits=%d digest=%016x%n",
                rows, evalCount, dimension, threads, batch, k, threshold, seconds, gflops, gflops / threads, hits, digest);
    }
}
