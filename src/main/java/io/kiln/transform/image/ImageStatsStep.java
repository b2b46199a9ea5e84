package io.kiln.transform.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

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
 * {@code image-stats}: the per-channel mean and standard deviation of every pixel of every image in
 * the table (the published ones and this job's), on the 0..1 scale, as fitted state that training
 * normalizes with ({@code torchvision.transforms.Normalize(mean, std)}). It reads the stored images
 * of a binary column ({@code image} by default: put the step after {@code image-normalize} and any
 * filter, so that it counts what is published), and changes no row.
 *
 * <p>The fit is exact: per channel, the integer count, sum and sum of squares of the 8-bit values,
 * added in any order, so the statistics are the same whatever the threads or batches. Each job
 * writes its sums and the table's statistics so far as a JSON state segment; the snapshot summary
 * records them as {@code kiln.image-stats.<column>.mean}, {@code .std} (JSON arrays, R, G, B) and
 * {@code .images}. An image that does not decode is not counted.
 */
public final class ImageStatsStep implements StepDefinition {
    public static final String NAME = "image-stats";
    private static final StepId ID = new StepId(NAME, 1);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("column"));
        ImageDecoder.load();
        return new Stats(StepParameters.column(parameters, "column", "image"));
    }

    /** count of images, count of pixels, sums R G B, sums of squares R G B. */
    private static long[] sums(Pixels pixels) {
        long[] sums = new long[8];
        sums[0] = 1;
        sums[1] = pixels.rgb().length;
        for (int pixel : pixels.rgb()) {
            int r = pixel >>> 16 & 0xff;
            int g = pixel >>> 8 & 0xff;
            int b = pixel & 0xff;
            sums[2] += r;
            sums[3] += g;
            sums[4] += b;
            sums[5] += r * r;
            sums[6] += g * g;
            sums[7] += b * b;
        }
        return sums;
    }

    private record Stats(String column) implements FittedStep {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String stateName() {
            return "image-stats-v1-" + column;
        }

        @Override
        public List<Column> reads() {
            return List.of(Column.optional(column, DataType.BINARY, ""));
        }

        @Override
        public Object observe(Row row) {
            return row.value(column).map(value -> {
                try {
                    return sums(ImageDecoder.decode(Values.bytes((ByteBuffer) value), ImageDecoder.DEFAULT_MAX_PIXELS, 0xffffff).pixels());
                }
                catch (ImageRejection e) {
                    return null;
                }
            }).orElse(null);
        }

        @Override
        public Fit newFit() {
            return new Fit() {
                private final long[] history = new long[8];
                private final long[] job = new long[8];

                @Override
                public void loadHistory(InputStream states) throws IOException {
                    try (MappingIterator<JsonNode> segments = JSON.readerFor(JsonNode.class).readValues(states)) {
                        while (segments.hasNextValue()) {
                            JsonNode sums = segments.nextValue().get("jobSums");
                            for (int i = 0; i < history.length; i++) {
                                history[i] += sums.get(i).asLong();
                            }
                        }
                    }
                }

                @Override
                public void add(long occurrence, String id, Object observation) {
                    long[] sums = (long[]) observation;
                    for (int i = 0; i < job.length; i++) {
                        job[i] += sums[i];
                    }
                }

                @Override
                public void fit() {
                }

                @Override
                public Outcome apply(long occurrence, Row row) {
                    return Outcome.emit(row);
                }

                private long[] total() {
                    long[] total = new long[8];
                    for (int i = 0; i < total.length; i++) {
                        total[i] = history[i] + job[i];
                    }
                    return total;
                }

                @Override
                public void writeState(OutputStream out) throws IOException {
                    Map<String, Object> state = new LinkedHashMap<>();
                    state.put("jobSums", job);
                    state.put("tableSums", total());
                    state.put("mean", mean(total()));
                    state.put("std", deviation(total()));
                    JSON.writeValue(out, state);
                }

                @Override
                public long estimatedBytes() {
                    return 128;
                }

                @Override
                public Map<String, String> summary() {
                    long[] total = total();
                    String prefix = "kiln.image-stats." + column;
                    return Map.of(prefix + ".images", Long.toString(total[0]), prefix + ".mean", array(mean(total)), prefix + ".std", array(deviation(total)));
                }
            };
        }
    }

    static double[] mean(long[] sums) {
        double[] mean = new double[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = sums[1] == 0 ? 0 : sums[2 + c] / (255.0 * sums[1]);
        }
        return mean;
    }

    static double[] deviation(long[] sums) {
        double[] deviation = new double[3];
        for (int c = 0; c < 3; c++) {
            if (sums[1] == 0) {
                continue;
            }
            double n = sums[1];
            double variance = (sums[5 + c] - (double) sums[2 + c] * sums[2 + c] / n) / n;
            deviation[c] = Math.sqrt(Math.max(0, variance)) / 255.0;
        }
        return deviation;
    }

    private static String array(double[] values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", values[i]));
        }
        return out.append(']').toString();
    }
}
