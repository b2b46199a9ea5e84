package io.kiln.transform.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import boofcv.abst.feature.detdesc.DetectDescribePoint;
import boofcv.abst.feature.detect.interest.ConfigFastHessian;
import boofcv.concurrency.BoofConcurrency;
import boofcv.factory.feature.detdesc.FactoryDetectDescribe;
import boofcv.struct.feature.TupleDesc_F64;
import boofcv.struct.image.GrayF32;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.FittedStep;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;
import io.kiln.transform.Values;

/**
 * {@code image-visual-words}: the classic bag of visual words for small image datasets. SURF keypoint
 * descriptors (BoofCV 1.1.7, 64 numbers each, at most {@code maxKeypoints} per image, default 100) of
 * each stored image are assigned to the nearest of {@code words} (default 64) centroids, and the
 * column {@code visual_words} gets the fraction of the image's descriptors per word.
 *
 * <p>The vocabulary is fitted state: the first job on a table fits it by k-means over a sample of
 * its descriptors ({@code sample}, default 20,000: those whose hash of (row, keypoint) is smallest, so
 * the sample is the same whatever the order), from k-means++ seeds drawn with {@code seed} and 20
 * Lloyd iterations in double precision, all on one thread: the same images give the same words.
 * Later jobs load and reuse it, so their features are comparable; it is written with every snapshot.
 * BoofCV runs single-threaded here (its concurrency is switched off) so that keypoints never depend on
 * scheduling. A row without an image is passed on; an image that does not decode gets no column.
 */
public final class VisualWordsStep implements StepDefinition {
    public static final String NAME = "image-visual-words";
    private static final StepId ID = new StepId(NAME, 1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ITERATIONS = 20;

    static {
        BoofConcurrency.USE_CONCURRENT = false;
    }

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("column", "words", "maxKeypoints", "sample", "seed"));
        int words = StepParameters.integer(parameters, "words", 64, 2, 4096);
        int maxKeypoints = StepParameters.integer(parameters, "maxKeypoints", 100, 1, 10_000);
        int sample = StepParameters.integer(parameters, "sample", 20_000, words, 1_000_000);
        int seed = StepParameters.integer(parameters, "seed", 42, Integer.MIN_VALUE, Integer.MAX_VALUE);
        ImageDecoder.load();
        return new Words(StepParameters.column(parameters, "column", "image"), words, maxKeypoints, sample, seed,
                ThreadLocal.withInitial(() -> detector(maxKeypoints)));
    }

    private static DetectDescribePoint<GrayF32, TupleDesc_F64> detector(int maxKeypoints) {
        ConfigFastHessian hessian = new ConfigFastHessian();
        hessian.maxFeaturesAll = maxKeypoints;
        return FactoryDetectDescribe.surfFast(hessian, null, null, GrayF32.class);
    }

    private record Words(String column, int words, int maxKeypoints, int sample, int seed, ThreadLocal<DetectDescribePoint<GrayF32, TupleDesc_F64>> detectors)
            implements FittedStep {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String stateName() {
            return "visual-words-v1-surf-" + maxKeypoints + "-" + words + "-" + sample + "-" + seed + "-" + column;
        }

        @Override
        public List<Column> reads() {
            return List.of(Column.optional(column, DataType.BINARY, ""));
        }

        @Override
        public List<Column> columns() {
            return List.of(Column.floatList("visual_words", "fraction of the image's SURF descriptors nearest each of the " + words + " visual words"));
        }

        @Override
        public Map<String, String> tableProperties() {
            return Map.of("kiln.column.visual_words.dimension", Integer.toString(words));
        }

        @Override
        public Map<String, String> fingerprint() {
            return Map.of("keypoints", "boofcv-1.1.7-surf-fast");
        }

        /** The image's descriptors, or null when it has no image or does not decode. */
        @Override
        public Object observe(Row row) {
            Optional<Object> value = row.value(column);
            if (value.isEmpty()) {
                return null;
            }
            Pixels pixels;
            try {
                pixels = ImageDecoder.decode(Values.bytes((ByteBuffer) value.get()), ImageDecoder.DEFAULT_MAX_PIXELS, 0xffffff).pixels();
            }
            catch (ImageRejection e) {
                return null;
            }
            GrayF32 gray = new GrayF32(pixels.width(), pixels.height());
            int[] luma = pixels.luma();
            for (int i = 0; i < luma.length; i++) {
                gray.data[i] = luma[i];
            }
            DetectDescribePoint<GrayF32, TupleDesc_F64> detector = detectors.get();
            detector.detect(gray);
            double[][] descriptors = new double[detector.getNumberOfFeatures()][];
            for (int i = 0; i < descriptors.length; i++) {
                descriptors[i] = detector.getDescription(i).data.clone();
            }
            return descriptors;
        }

        @Override
        public Fit newFit() {
            return new Fit() {
                private record Sampled(long key, double[] descriptor) {
                }

                private final PriorityQueue<Sampled> kept = new PriorityQueue<>(Comparator.comparingLong(Sampled::key).reversed());
                private double[][] vocabulary;
                private boolean reused;

                @Override
                public void loadHistory(InputStream states) throws IOException {
                    try (MappingIterator<JsonNode> segments = JSON.readerFor(JsonNode.class).readValues(states)) {
                        if (segments.hasNextValue()) {
                            JsonNode centroids = segments.nextValue().get("centroids");
                            vocabulary = new double[centroids.size()][];
                            for (int i = 0; i < centroids.size(); i++) {
                                vocabulary[i] = new double[centroids.get(i).size()];
                                for (int d = 0; d < vocabulary[i].length; d++) {
                                    vocabulary[i][d] = centroids.get(i).get(d).asDouble();
                                }
                            }
                            reused = true;
                        }
                    }
                }

                @Override
                public void add(long occurrence, String id, Object observation) {
                    if (reused) {
                        return;
                    }
                    double[][] descriptors = (double[][]) observation;
                    for (int i = 0; i < descriptors.length; i++) {
                        long key = mix(occurrence * 1_000_003L + i + ((long) seed << 40));
                        if (kept.size() < sample) {
                            kept.add(new Sampled(key, descriptors[i]));
                        }
                        else if (key < kept.peek().key()) {
                            kept.poll();
                            kept.add(new Sampled(key, descriptors[i]));
                        }
                    }
                }

                @Override
                public void fit() {
                    if (reused) {
                        return;
                    }
                    List<Sampled> points = new ArrayList<>(kept);
                    points.sort(Comparator.comparingLong(Sampled::key));
                    vocabulary = kMeans(points.stream().map(Sampled::descriptor).toList(), words, seed);
                    kept.clear();
                }

                @Override
                public Outcome apply(long occurrence, Row row) {
                    Object observed = observe(row);
                    if (observed == null) {
                        return Outcome.emit(row);
                    }
                    double[][] descriptors = (double[][]) observed;
                    float[] histogram = new float[words];
                    if (descriptors.length > 0 && vocabulary.length > 0) {
                        int[] counts = new int[words];
                        for (double[] descriptor : descriptors) {
                            counts[nearest(vocabulary, descriptor)]++;
                        }
                        for (int i = 0; i < words; i++) {
                            histogram[i] = (float) ((double) counts[i] / descriptors.length);
                        }
                    }
                    return Outcome.emit(row.with("visual_words", histogram));
                }

                @Override
                public void writeState(OutputStream out) throws IOException {
                    Map<String, Object> state = new LinkedHashMap<>();
                    state.put("descriptor", "boofcv-1.1.7-surf-fast-64");
                    state.put("words", words);
                    state.put("centroids", vocabulary);
                    JSON.writeValue(out, state);
                }

                @Override
                public long estimatedBytes() {
                    return (long) kept.size() * 600 + (vocabulary == null ? 0 : (long) vocabulary.length * 600);
                }

                @Override
                public Map<String, String> summary() {
                    return Map.of("kiln.visual-words." + column + ".vocabulary", reused ? "reused" : "fitted");
                }
            };
        }
    }

    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** k-means++ seeds from {@code seed}, then Lloyd iterations; an empty cluster keeps its centroid. Fewer points than k: every point is a centroid, repeated. */
    static double[][] kMeans(List<double[]> points, int k, int seed) {
        double[][] centroids = new double[k][];
        if (points.isEmpty()) {
            return new double[0][];
        }
        SplittableRandom random = new SplittableRandom(seed);
        centroids[0] = points.get(random.nextInt(points.size())).clone();
        double[] distances = new double[points.size()];
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < points.size(); i++) {
                double best = Double.MAX_VALUE;
                for (int j = 0; j < c; j++) {
                    best = Math.min(best, squared(points.get(i), centroids[j]));
                }
                distances[i] = best;
                total += best;
            }
            if (total == 0) {
                centroids[c] = centroids[c - 1].clone();
                continue;
            }
            double target = random.nextDouble() * total;
            int chosen = points.size() - 1;
            for (int i = 0; i < points.size(); i++) {
                target -= distances[i];
                if (target <= 0) {
                    chosen = i;
                    break;
                }
            }
            centroids[c] = points.get(chosen).clone();
        }
        int dimension = centroids[0].length;
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            double[][] sums = new double[k][dimension];
            int[] counts = new int[k];
            for (double[] point : points) {
                int nearest = nearest(centroids, point);
                counts[nearest]++;
                for (int d = 0; d < dimension; d++) {
                    sums[nearest][d] += point[d];
                }
            }
            for (int c = 0; c < k; c++) {
                if (counts[c] > 0) {
                    for (int d = 0; d < dimension; d++) {
                        centroids[c][d] = sums[c][d] / counts[c];
                    }
                }
            }
        }
        return centroids;
    }

    static int nearest(double[][] centroids, double[] point) {
        int best = 0;
        double bestDistance = Double.MAX_VALUE;
        for (int c = 0; c < centroids.length; c++) {
            double distance = squared(point, centroids[c]);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = c;
            }
        }
        return best;
    }

    private static double squared(double[] a, double[] b) {
        double sum = 0;
        for (int d = 0; d < a.length; d++) {
            double difference = a[d] - b[d];
            sum += difference * difference;
        }
        return sum;
    }
}
