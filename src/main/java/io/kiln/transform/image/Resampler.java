package io.kiln.transform.image;

import java.util.Locale;

/**
 * Resizes images with a separable convolution whose support widens with the scale when shrinking
 * (an antialiasing resize, the scheme Pillow uses), in integer arithmetic: the filter weights are
 * computed once per axis in double precision (strict IEEE 754 since Java 17, with {@link StrictMath}),
 * rounded to 22-bit fixed point, and every pixel is an exact integer sum. The output is therefore
 * bit-identical on every machine, whatever the thread or the batch. Rows are resized horizontally
 * first, each channel clamped to 0..255, then vertically. Thread-safe and stateless.
 *
 * <p>A large reduction first averages whole blocks of pixels (Pillow's {@code reducing_gap} of 2):
 * by the largest integer factor that leaves at least twice the target size on that axis, each block's
 * mean rounded to the nearest integer (the blocks at the right and bottom edges are smaller). The
 * convolution then runs on an image at most about four times the target's size, so its cost no longer
 * grows with the source's; the difference from a convolution of the whole image is below what 8-bit
 * output shows for all but sharp edges.
 */
public final class Resampler {
    private static final int PRECISION_BITS = 22;
    private static final long HALF = 1L << (PRECISION_BITS - 1);

    /** The interpolation kernel. */
    public enum Filter {
        /** The triangle filter (bilinear when enlarging). */
        BILINEAR(1.0),
        /** Keys' cubic with a = -0.5. */
        BICUBIC(2.0),
        /** Lanczos with three lobes. */
        LANCZOS(3.0);

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }

        double weight(double x) {
            double t = Math.abs(x);
            return switch (this) {
                case BILINEAR -> t < 1.0 ? 1.0 - t : 0.0;
                case BICUBIC -> {
                    double a = -0.5;
                    if (t < 1.0) {
                        yield ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
                    }
                    yield t < 2.0 ? (((t - 5.0) * t + 8.0) * t - 4.0) * a : 0.0;
                }
                case LANCZOS -> t < 3.0 ? sinc(t) * sinc(t / 3.0) : 0.0;
            };
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            double y = x * StrictMath.PI;
            return StrictMath.sin(y) / y;
        }
    }

    /** The weights of one axis: for output index i, {@code count[i]} weights from input index {@code first[i]}. */
    private record Weights(int[] first, int[] count, int[] weights, int stride) {
        static Weights of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * stride];
            double[] raw = new double[stride];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                int from = Math.max((int) Math.floor(center - support + 0.5), 0);
                int to = Math.min((int) Math.floor(center + support + 0.5), inSize);
                int n = Math.min(to - from, stride);
                double total = 0;
                for (int k = 0; k < n; k++) {
                    raw[k] = filter.weight((k + from - center + 0.5) / filterScale);
                    total += raw[k];
                }
                for (int k = 0; k < n; k++) {
                    double normalized = total == 0 ? 0 : raw[k] / total;
                    weights[i * stride + k] = (int) Math.round(normalized * (1 << PRECISION_BITS));
                }
                first[i] = from;
                count[i] = n;
            }
            return new Weights(first, count, weights, stride);
        }
    }

    private Resampler() {}

    /** Reductions by more than this factor first average whole blocks. */
    private static final int REDUCING_GAP = 2;

    public static Pixels resize(Pixels source, int width, int height, Filter filter) {
        return resize(source, width, height, filter, REDUCING_GAP);
    }

    /** The resize with another reducing gap: blocks are averaged only while {@code reducingGap} times the target size is left. */
    public static Pixels resize(Pixels source, int width, int height, Filter filter, int reducingGap) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("Cannot resize to %dx%d".formatted(width, height));
        }
        if (reducingGap < 1) {
            throw new IllegalArgumentException("reducingGap must be at least 1, was " + reducingGap);
        }
        if (width == source.width() && height == source.height()) {
            return source;
        }
        int factorX = Math.max(1, source.width() / (width * reducingGap));
        int factorY = Math.max(1, source.height() / (height * reducingGap));
        if (factorX > 1 || factorY > 1) {
            source = reduce(source, factorX, factorY);
        }
        int[] horizontal = width == source.width() ? source.rgb() : horizontal(source.rgb(), source.width(), source.height(), width, filter);
        int[] out = height == source.height() ? horizontal : vertical(horizontal, width, source.height(), height, filter);
        return new Pixels(width, height, out);
    }

    /** The image with each block of factorX x factorY pixels replaced by its rounded mean. */
    static Pixels reduce(Pixels source, int factorX, int factorY) {
        int inWidth = source.width();
        int inHeight = source.height();
        int width = (inWidth + factorX - 1) / factorX;
        int height = (inHeight + factorY - 1) / factorY;
        int[] in = source.rgb();
        int[] out = new int[width * height];
        int[] r = new int[width];
        int[] g = new int[width];
        int[] b = new int[width];
        for (int y = 0; y < height; y++) {
            java.util.Arrays.fill(r, 0);
            java.util.Arrays.fill(g, 0);
            java.util.Arrays.fill(b, 0);
            int rows = Math.min(factorY, inHeight - y * factorY);
            for (int k = 0; k < rows; k++) {
                int offset = (y * factorY + k) * inWidth;
                int x = 0;
                for (int block = 0; block < width; block++) {
                    int end = Math.min(x + factorX, inWidth);
                    int red = 0;
                    int green = 0;
                    int blue = 0;
                    for (; x < end; x++) {
                        int pixel = in[offset + x];
                        red += pixel >>> 16 & 0xff;
                        green += pixel >>> 8 & 0xff;
                        blue += pixel & 0xff;
                    }
                    r[block] += red;
                    g[block] += green;
                    b[block] += blue;
                }
            }
            for (int x = 0; x < width; x++) {
                int count = rows * Math.min(factorX, inWidth - x * factorX);
                int half = count / 2;
                out[y * width + x] = (r[x] + half) / count << 16 | (g[x] + half) / count << 8 | (b[x] + half) / count;
            }
        }
        return new Pixels(width, height, out);
    }

    private static int[] horizontal(int[] rgb, int inWidth, int height, int width, Filter filter) {
        Weights weights = Weights.of(inWidth, width, filter);
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            int offset = y * inWidth;
            for (int x = 0; x < width; x++) {
                long r = HALF;
                long g = HALF;
                long b = HALF;
                int base = x * weights.stride;
                int from = offset + weights.first[x];
                for (int k = 0, n = weights.count[x]; k < n; k++) {
                    long weight = weights.weights[base + k];
                    int pixel = rgb[from + k];
                    r += weight * (pixel >>> 16 & 0xff);
                    g += weight * (pixel >>> 8 & 0xff);
                    b += weight * (pixel & 0xff);
                }
                out[y * width + x] = clamp(r) << 16 | clamp(g) << 8 | clamp(b);
            }
        }
        return out;
    }

    private static int[] vertical(int[] rgb, int width, int inHeight, int height, Filter filter) {
        Weights weights = Weights.of(inHeight, height, filter);
        int[] out = new int[width * height];
        long[] r = new long[width];
        long[] g = new long[width];
        long[] b = new long[width];
        for (int y = 0; y < height; y++) {
            java.util.Arrays.fill(r, HALF);
            java.util.Arrays.fill(g, HALF);
            java.util.Arrays.fill(b, HALF);
            int base = y * weights.stride;
            int from = weights.first[y];
            for (int k = 0, n = weights.count[y]; k < n; k++) {
                long weight = weights.weights[base + k];
                int offset = (from + k) * width;
                for (int x = 0; x < width; x++) {
                    int pixel = rgb[offset + x];
                    r[x] += weight * (pixel >>> 16 & 0xff);
                    g[x] += weight * (pixel >>> 8 & 0xff);
                    b[x] += weight * (pixel & 0xff);
                }
            }
            int row = y * width;
            for (int x = 0; x < width; x++) {
                out[row + x] = clamp(r[x]) << 16 | clamp(g[x]) << 8 | clamp(b[x]);
            }
        }
        return out;
    }

    private static int clamp(long sum) {
        long value = sum >> PRECISION_BITS;
        return value < 0 ? 0 : value > 255 ? 255 : (int) value;
    }
}
