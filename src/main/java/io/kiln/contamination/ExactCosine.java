package io.kiln.contamination;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Exact nearest-neighbour search by cosine similarity, for contamination checks: which training rows'
 * embeddings are at least as similar as a threshold to an eval item's embedding ({@link #above}), and, for
 * each eval item, its k most similar training rows ({@link #topRows}). Every pair is compared: no
 * approximate index.
 *
 * <p><b>Normalization.</b> Every vector is scaled to unit length once: its norm and each quotient in
 * double, the quotients rounded to float ({@link #normalize}). The similarity is then the dot product of
 * the two float unit vectors, within about 1e-5 of the exact cosine (it can be a little above 1 for equal
 * vectors).
 *
 * <p><b>Determinism.</b> Each dot product is summed in one fixed order that depends only on the two
 * vectors (see {@link #similarity}), so the similarity of a training row and an eval item is the same
 * float, bit for bit, whatever the batch, the row's position in it, the order rows arrive in, the block
 * sizes or the number of threads; so are the hits and the top rows, whose ties are broken by item or
 * row ordinal.
 *
 * <p><b>Bad vectors.</b> A null, empty, zero, NaN or infinite eval vector, or one of another dimension than
 * item 0's, is an error ({@link IllegalArgumentException} naming the item). A bad training row is data:
 * it has no similarity to anything, gets no hits and is left out of the top rows, and {@link #screen} and
 * {@link TopRows#skipped} say why ({@link VectorProblem}).
 *
 * <p><b>Speed and threads.</b> Rows are compared with blocks of up to 1024 eval items, in plain Java
 * that C2 vectorizes (fused multiply-adds: fast on x86-64 since Haswell and on ARMv8; slow without
 * hardware FMA, with the same results). By default a search runs on the calling thread; {@link
 * #parallel} spreads slices of the eval blocks over an executor.
 *
 * <p>Instances are immutable and thread-safe; a {@link TopRows} is not.
 */
public final class ExactCosine {
    private static final int ROWS_PER_CHUNK = 4096;
    private static final Comparator<Hit> BY_SIMILARITY_THEN_ITEM =
            Comparator.comparing(Hit::similarity, Comparator.reverseOrder()).thenComparingInt(Hit::item);
    private static final Comparator<Neighbour> BY_SIMILARITY_THEN_ROW =
            Comparator.comparing(Neighbour::similarity, Comparator.reverseOrder()).thenComparingLong(Neighbour::row);

    private final int dimension;
    private final int items;
    private final float[][][] blocks;
    private final Executor executor;
    private final int tasks;
    private final List<Slice> slices;

    private ExactCosine(int dimension, int items, float[][][] blocks, Executor executor, int tasks) {
        this.dimension = dimension;
        this.items = items;
        this.blocks = blocks;
        this.executor = executor;
        this.tasks = tasks;
        this.slices = slices(blocks, tasks);
    }

    /** Items {@code first} (inclusive) to {@code end} (exclusive) of a block: the unit of work. */
    private record Slice(int block, int first, int end) {
    }

    /**
     * The blocks whole on one thread; else cut into about two slices per task for balance, of at least 512
     * items (the kernel loses about 15 % at 512 and 30 % at 256, to loop overhead).
     */
    private static List<Slice> slices(float[][][] blocks, int tasks) {
        int perBlock = tasks == 1 ? 1 : (2 * tasks + blocks.length - 1) / blocks.length;
        List<Slice> slices = new ArrayList<>();
        for (int block = 0; block < blocks.length; block++) {
            int width = blocks[block][0].length;
            int parts = Math.max(1, Math.min(perBlock, width / 512));
            int size = ((width + parts - 1) / parts + 15) / 16 * 16;
            for (int first = 0; first < width; first += size) {
                slices.add(new Slice(block, first, Math.min(width, first + size)));
            }
        }
        return List.copyOf(slices);
    }

    /**
     * An index of the eval vectors, one per eval item ordinal (0, 1, ...); they are copied and
     * {@linkplain #normalize normalized}, and held in about {@code 4 * items * dimension} bytes (15 MB for
     * 10,000 items of 384 dimensions).
     *
     * @throws IllegalArgumentException when there is no vector, or one is null, empty, zero, NaN or
     *         infinite, or of another dimension than item 0's; the message names the item
     */
    public static ExactCosine of(float[][] evalVectors) {
        requireNonNull(evalVectors, "evalVectors is null");
        if (evalVectors.length == 0) {
            throw new IllegalArgumentException("Cannot search an empty eval set: there is no eval vector");
        }
        int dimension = evalVectors[0] == null ? 0 : evalVectors[0].length;
        int paddedDimension = ExactCosineKernel.paddedDimension(dimension);
        float[][] normalized = new float[evalVectors.length][];
        for (int item = 0; item < evalVectors.length; item++) {
            float[] vector = evalVectors[item];
            Optional<VectorProblem> problem = VectorProblem.of(vector, dimension);
            if (problem.isPresent()) {
                throw new IllegalArgumentException("Cannot use eval item %d: %s".formatted(item, problem.get().describe(vector, dimension)));
            }
            normalized[item] = new float[paddedDimension];
            normalizeInto(vector, normalized[item]);
        }
        return new ExactCosine(dimension, evalVectors.length, ExactCosineKernel.blocks(normalized, paddedDimension), null, 1);
    }

    /**
     * This index, searching with up to {@code tasks} tasks at once: the calling thread and up to {@code
     * tasks - 1} runs on {@code executor}, which take slices of the eval items until none is left. The
     * results do not depend on it. When the executor rejects a run, or is slow to start one, the calling
     * thread does the rest; a search returns only when every slice it started is done.
     */
    public ExactCosine parallel(Executor executor, int tasks) {
        requireNonNull(executor, "executor is null");
        if (tasks < 1) {
            throw new IllegalArgumentException("Cannot search with %d tasks: at least 1 is needed".formatted(tasks));
        }
        return new ExactCosine(dimension, items, blocks, executor, tasks);
    }

    public int dimension() {
        return dimension;
    }

    public int items() {
        return items;
    }

    /**
     * {@code vector} scaled to unit length, a new array: the sum of squares, the norm and each quotient in
     * double, the quotients rounded to float.
     *
     * @throws IllegalArgumentException when the vector is empty, zero, or has a NaN or infinite element
     */
    public static float[] normalize(float[] vector) {
        requireNonNull(vector, "vector is null");
        Optional<VectorProblem> problem = VectorProblem.of(vector, vector.length);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("Cannot normalize: " + problem.get().describe(vector, vector.length));
        }
        float[] normalized = new float[vector.length];
        normalizeInto(vector, normalized);
        return normalized;
    }

    private static void normalizeInto(float[] vector, float[] normalized) {
        double squares = 0;
        for (float element : vector) {
            squares += (double) element * element;
        }
        double norm = Math.sqrt(squares);
        for (int k = 0; k < vector.length; k++) {
            normalized[k] = (float) (vector[k] / norm);
        }
    }

    /**
     * The dot product of two vectors of the same dimension (for unit vectors, their cosine similarity),
     * summed in float in the order every search uses: the vectors zero-padded to a multiple of 4
     * elements; for each group of 4 in order, the product of the first elements, fused-multiply-added
     * with the next three ({@link Math#fma}); each group's result added to the sum, from +0.0.
     *
     * @throws IllegalArgumentException when the dimensions differ
     */
    public static float similarity(float[] normalizedA, float[] normalizedB) {
        requireNonNull(normalizedA, "normalizedA is null");
        requireNonNull(normalizedB, "normalizedB is null");
        if (normalizedA.length != normalizedB.length) {
            throw new IllegalArgumentException("Cannot compare vectors of dimensions %d and %d".formatted(normalizedA.length, normalizedB.length));
        }
        return ExactCosineKernel.dot(normalizedA, normalizedB);
    }

    /**
     * The similarities at or above {@code threshold} for each of {@code rows}: {@code result.get(r)} holds
     * the hits of {@code rows[r]}, by similarity descending, then item ascending. A null or bad row (see
     * {@link VectorProblem}) gets an empty list; {@link #screen} says which.
     *
     * @throws IllegalArgumentException when the threshold is NaN
     */
    public List<List<Hit>> above(float[][] rows, float threshold) {
        List<RowHits> screened = screen(rows, threshold);
        List<List<Hit>> hits = new ArrayList<>(screened.size());
        for (RowHits row : screened) {
            hits.add(row.hits());
        }
        return hits;
    }

    /**
     * {@link #above}, with the reason why a row has no similarity to anything.
     *
     * @throws IllegalArgumentException when the threshold is NaN
     */
    public List<RowHits> screen(float[][] rows, float threshold) {
        requireNonNull(rows, "rows is null");
        checkThreshold(threshold);
        return search(rows, threshold, null, null);
    }

    private static void checkThreshold(float threshold) {
        if (Float.isNaN(threshold)) {
            throw new IllegalArgumentException("Cannot search with a NaN threshold");
        }
    }

    /**
     * Keeps, for each eval item, the {@code k} training rows most similar to it, as rows are {@linkplain
     * TopRows#add added} in blocks.
     *
     * @throws IllegalArgumentException when {@code k} is not positive
     */
    public TopRows topRows(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("Cannot keep the top %d rows: k must be at least 1".formatted(k));
        }
        return new TopRows(this, k);
    }

    /** An eval item whose similarity to a training row is at or above the threshold. */
    public record Hit(int item, float similarity) {
    }

    /** A training row (its ordinal) among an eval item's most similar ones. */
    public record Neighbour(long row, float similarity) {
    }

    /** The hits of one training row; none, with the problem, when the row is bad. */
    public record RowHits(List<Hit> hits, Optional<VectorProblem> problem) {
        public RowHits {
            hits = List.copyOf(hits);
            requireNonNull(problem, "problem is null");
        }
    }

    /** Why a vector cannot be compared: a training row with one has no similarity to anything. */
    public enum VectorProblem {
        /** Null. */
        MISSING,
        /** No elements. */
        EMPTY,
        /** Another dimension than the eval set's. */
        WRONG_DIMENSION,
        /** A NaN or infinite element. */
        NOT_FINITE,
        /** Every element zero: no direction. */
        ZERO;

        static Optional<VectorProblem> of(float[] vector, int dimension) {
            if (vector == null) {
                return Optional.of(MISSING);
            }
            if (vector.length == 0) {
                return Optional.of(EMPTY);
            }
            if (vector.length != dimension) {
                return Optional.of(WRONG_DIMENSION);
            }
            boolean zero = true;
            for (float element : vector) {
                if (!Float.isFinite(element)) {
                    return Optional.of(NOT_FINITE);
                }
                zero &= element == 0f;
            }
            return zero ? Optional.of(ZERO) : Optional.empty();
        }

        String describe(float[] vector, int dimension) {
            return switch (this) {
                case MISSING -> "its vector is null";
                case EMPTY -> "its vector is empty";
                case WRONG_DIMENSION -> "its vector has dimension %d, not %d".formatted(vector.length, dimension);
                case NOT_FINITE -> "its vector has a NaN or infinite element";
                case ZERO -> "its vector is zero";
            };
        }
    }

    /**
     * For each eval item, the {@code k} training rows most similar to it among those added so far: by
     * similarity descending, ties by row ordinal ascending, so the result does not depend on how rows are
     * split into blocks or in what order the blocks come. Bad rows are skipped and counted. Holds about
     * {@code 12 * items * k} bytes. Not thread-safe: add from one thread at a time (an index made with
     * {@link ExactCosine#parallel} spreads each add over its executor).
     */
    public static final class TopRows {
        private final ExactCosine index;
        private final int k;
        private final float[] similarities;
        private final long[] rows;
        private final int[] sizes;
        private final float[] floors;
        private final Map<VectorProblem, Long> skipped = new EnumMap<>(VectorProblem.class);
        private long added;

        private TopRows(ExactCosine index, int k) {
            this.index = index;
            this.k = k;
            long slots = (long) index.items * k;
            if (slots > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("Cannot keep the top %d rows of %d items: more than %d rows in all".formatted(k, index.items, Integer.MAX_VALUE - 8));
            }
            this.similarities = new float[(int) slots];
            this.rows = new long[(int) slots];
            this.sizes = new int[index.items];
            this.floors = new float[index.items];
            Arrays.fill(floors, Float.NEGATIVE_INFINITY);
        }

        public int k() {
            return k;
        }

        /**
         * Compares {@code rows[i]}, identified by {@code rowOrdinals[i]}, with every eval item. The
         * ordinals break ties (the smaller first); give each row its own.
         *
         * @throws IllegalArgumentException when the two arrays differ in length
         */
        public void add(long[] rowOrdinals, float[][] rows) {
            add(rowOrdinals, rows, Float.POSITIVE_INFINITY);
        }

        /**
         * {@link #add(long[], float[][])}, and in the same pass {@link ExactCosine#screen}: the hits of each
         * row at or above {@code threshold}, or why it has none.
         *
         * @throws IllegalArgumentException when the two arrays differ in length or the threshold is NaN
         */
        public List<RowHits> add(long[] rowOrdinals, float[][] rows, float threshold) {
            requireNonNull(rowOrdinals, "rowOrdinals is null");
            requireNonNull(rows, "rows is null");
            if (rowOrdinals.length != rows.length) {
                throw new IllegalArgumentException("Cannot add %d rows with %d row ordinals".formatted(rows.length, rowOrdinals.length));
            }
            checkThreshold(threshold);
            List<RowHits> screened = index.search(rows, threshold, this, rowOrdinals);
            for (RowHits row : screened) {
                row.problem().ifPresentOrElse(reason -> skipped.merge(reason, 1L, Long::sum), () -> added++);
            }
            return screened;
        }

        /** Rows compared so far. */
        public long added() {
            return added;
        }

        /** Bad rows skipped so far, by problem. */
        public Map<VectorProblem, Long> skipped() {
            return Map.copyOf(skipped);
        }

        /** For each eval item (by ordinal), its top rows so far, best first. */
        public List<List<Neighbour>> result() {
            List<List<Neighbour>> result = new ArrayList<>(index.items);
            for (int item = 0; item < index.items; item++) {
                List<Neighbour> neighbours = new ArrayList<>(sizes[item]);
                for (int slot = item * k; slot < item * k + sizes[item]; slot++) {
                    neighbours.add(new Neighbour(rows[slot], similarities[slot]));
                }
                neighbours.sort(BY_SIMILARITY_THEN_ROW);
                result.add(List.copyOf(neighbours));
            }
            return List.copyOf(result);
        }

        private void offer(int item, long row, float similarity) {
            int base = item * k;
            int size = sizes[item];
            if (size < k) {
                int slot = size;
                while (slot > 0) {
                    int parent = (slot - 1) / 2;
                    if (!worse(similarity, row, similarities[base + parent], rows[base + parent])) {
                        break;
                    }
                    similarities[base + slot] = similarities[base + parent];
                    rows[base + slot] = rows[base + parent];
                    slot = parent;
                }
                similarities[base + slot] = similarity;
                rows[base + slot] = row;
                sizes[item] = ++size;
            }
            else {
                if (!worse(similarities[base], rows[base], similarity, row)) {
                    return;
                }
                int slot = 0;
                while (true) {
                    int child = 2 * slot + 1;
                    if (child >= k) {
                        break;
                    }
                    if (child + 1 < k && worse(similarities[base + child + 1], rows[base + child + 1], similarities[base + child], rows[base + child])) {
                        child++;
                    }
                    if (!worse(similarities[base + child], rows[base + child], similarity, row)) {
                        break;
                    }
                    similarities[base + slot] = similarities[base + child];
                    rows[base + slot] = rows[base + child];
                    slot = child;
                }
                similarities[base + slot] = similarity;
                rows[base + slot] = row;
            }
            if (size == k) {
                floors[item] = similarities[base];
            }
        }

        /** Whether (similarity, row) ranks below (otherSimilarity, otherRow): the heap keeps the worst on top. */
        private static boolean worse(float similarity, long row, float otherSimilarity, long otherRow) {
            int bySimilarity = Float.compare(similarity, otherSimilarity);
            return bySimilarity < 0 || bySimilarity == 0 && row > otherRow;
        }
    }

    /**
     * Compares {@code rows} with every eval item, a chunk of rows at a time (checked, normalized and padded)
     * against each slice of the eval blocks (on the executor when there is one): collects the hits at or above {@code
     * threshold} and offers every similarity to {@code top} (when not null) under {@code ordinals}.
     */
    private List<RowHits> search(float[][] rows, float threshold, TopRows top, long[] ordinals) {
        List<Optional<VectorProblem>> problems = new ArrayList<>(rows.length);
        List<List<Hit>> hits = new ArrayList<>(rows.length);
        int paddedDimension = ExactCosineKernel.paddedDimension(dimension);
        float[][] normalized = new float[Math.min(ROWS_PER_CHUNK, rows.length)][paddedDimension];
        int[] positions = new int[normalized.length];
        int count = 0;
        for (int r = 0; r < rows.length; r++) {
            Optional<VectorProblem> problem = VectorProblem.of(rows[r], dimension);
            problems.add(problem);
            hits.add(new ArrayList<>(0));
            if (problem.isEmpty()) {
                normalizeInto(rows[r], normalized[count]);
                positions[count++] = r;
            }
            if (count > 0 && (count == normalized.length || r == rows.length - 1)) {
                Chunk chunk = new Chunk(normalized, positions, count);
                for (HitBuffer buffer : forEachSlice(slice -> compare(chunk, slice, threshold, top, ordinals))) {
                    buffer.addTo(hits);
                }
                count = 0;
            }
        }
        List<RowHits> result = new ArrayList<>(rows.length);
        for (int r = 0; r < rows.length; r++) {
            List<Hit> rowHits = hits.get(r);
            rowHits.sort(BY_SIMILARITY_THEN_ITEM);
            result.add(new RowHits(rowHits, problems.get(r)));
        }
        return result;
    }

    /** Up to {@link #ROWS_PER_CHUNK} good rows, normalized and padded, with their positions in the batch. */
    private record Chunk(float[][] rows, int[] positions, int count) {
    }

    /** One chunk of rows against one slice of the eval items; touches only the slice's items of {@code top}. */
    private HitBuffer compare(Chunk chunk, Slice slice, float threshold, TopRows top, long[] ordinals) {
        HitBuffer buffer = new HitBuffer();
        int firstItem = slice.block() * ExactCosineKernel.ITEMS_PER_BLOCK;
        float[][] sums = new float[Math.min(ExactCosineKernel.ROWS_PER_BLOCK, chunk.count())][slice.end()];
        for (int from = 0; from < chunk.count(); from += ExactCosineKernel.ROWS_PER_BLOCK) {
            int to = Math.min(chunk.count(), from + ExactCosineKernel.ROWS_PER_BLOCK);
            ExactCosineKernel.dots(chunk.rows(), from, to, blocks[slice.block()], slice.first(), slice.end(), sums);
            for (int r = from; r < to; r++) {
                int position = chunk.positions()[r];
                float[] rowSums = sums[r - from];
                if (top == null) {
                    for (int j = slice.first(); j < slice.end(); j++) {
                        if (rowSums[j] >= threshold) {
                            buffer.add(position, firstItem + j, rowSums[j]);
                        }
                    }
                    continue;
                }
                float[] floors = top.floors;
                for (int j = slice.first(); j < slice.end(); j++) {
                    float similarity = rowSums[j];
                    if (similarity >= threshold) {
                        buffer.add(position, firstItem + j, similarity);
                    }
                    if (similarity >= floors[firstItem + j]) {
                        top.offer(firstItem + j, ordinals[position], similarity);
                    }
                }
            }
        }
        return buffer;
    }

    /** The hits of one chunk of rows in one slice of the eval items, in row order. */
    private static final class HitBuffer {
        private int[] positions = new int[16];
        private int[] itemsOfHits = new int[16];
        private float[] similarities = new float[16];
        private int count;

        void add(int position, int item, float similarity) {
            if (count == positions.length) {
                positions = Arrays.copyOf(positions, count * 2);
                itemsOfHits = Arrays.copyOf(itemsOfHits, count * 2);
                similarities = Arrays.copyOf(similarities, count * 2);
            }
            positions[count] = position;
            itemsOfHits[count] = item;
            similarities[count] = similarity;
            count++;
        }

        void addTo(List<List<Hit>> hits) {
            for (int i = 0; i < count; i++) {
                hits.get(positions[i]).add(new Hit(itemsOfHits[i], similarities[i]));
            }
        }
    }

    /**
     * {@code work} applied to every slice, the results in slice order: on the calling thread, or with the
     * executor's help; returns when every slice is done.
     */
    private <T> List<T> forEachSlice(Function<Slice, T> work) {
        int count = slices.size();
        List<T> results = new ArrayList<>(count);
        int runners = Math.min(tasks, count);
        if (runners <= 1) {
            for (Slice slice : slices) {
                results.add(work.apply(slice));
            }
            return results;
        }
        AtomicReferenceArray<T> slots = new AtomicReferenceArray<>(count);
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(count);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable runner = () -> {
            for (int slice = next.getAndIncrement(); slice < count; slice = next.getAndIncrement()) {
                try {
                    if (failure.get() == null) {
                        slots.set(slice, work.apply(slices.get(slice)));
                    }
                }
                catch (Throwable thrown) {
                    failure.compareAndSet(null, thrown);
                }
                finally {
                    done.countDown();
                }
            }
        };
        for (int i = 1; i < runners; i++) {
            try {
                executor.execute(runner);
            }
            catch (RejectedExecutionException rejected) {
                break;
            }
        }
        runner.run();
        awaitUninterruptibly(done);
        Throwable thrown = failure.get();
        if (thrown instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        if (thrown != null) {
            throw new IllegalStateException(thrown);
        }
        for (int slice = 0; slice < count; slice++) {
            results.add(slots.get(slice));
        }
        return results;
    }

    /** Runs that already took a slice finish it before the search returns, even when interrupted. */
    private static void awaitUninterruptibly(CountDownLatch done) {
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            }
            catch (InterruptedException interruption) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
