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
        check(width, height);
        if (reducingGap < 1) {
            throw new IllegalArgumentException("reducingGap must be at least 1, was " + reducingGap);
        }
        if (width == source.width() && height == source.height()) {
            return source;
        }
        int[] factors = reduction(source.width(), source.height(), width, height, reducingGap);
        return convolve(reduce(source, factors[0], factors[1]), width, height, filter);
    }

    /**
     * The block-averaging factors {@code {x, y}} that {@link #resize(Pixels, int, int, Filter)} applies to an image of
     * {@code inWidth} x {@code inHeight} before its convolution to {@code width} x {@code height}; 1 where it averages nothing.
     */
    public static int[] reduction(int inWidth, int inHeight, int width, int height) {
        return reduction(inWidth, inHeight, width, height, REDUCING_GAP);
    }

    static int[] reduction(int inWidth, int inHeight, int width, int height, int reducingGap) {
        if (width == inWidth && height == inHeight) {
            return new int[] {1, 1};
        }
        return new int[] {Math.max(1, inWidth / (width * reducingGap)), Math.max(1, inHeight / (height * reducingGap))};
    }

    /**
     * The resize of an image that {@link #reduce} has already averaged by the factors of {@link #reduction}: the same pixels as
     * {@link #resize(Pixels, int, int, Filter)} of the original, for a caller that averaged the original once for several uses.
     */
    public static Pixels resizeReduced(Pixels reduced, int width, int height, Filter filter) {
        check(width, height);
        return convolve(reduced, width, height, filter);
    }

    private static void check(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("Cannot resize to %dx%d".formatted(width, height));
        }
    }

    private static Pixels convolve(Pixels source, int width, int height, Filter filter) {
        if (width == source.width() && height == source.height()) {
            return source;
        }
        int[] horizontal = width == source.width() ? source.rgb() : horizontal(source.rgb(), source.width(), source.height(), width, filter);
        int[] out = height == source.height() ? horizontal : vertical(horizontal, width, source.height(), height, filter);
        return new Pixels(width, height, out);
    }

    /** The image with each block of factorX x factorY pixels replaced by its rounded mean; the image itself for 1 x 1. */
    public static Pixels reduce(Pixels source, int factorX, int factorY) {
        return reduce(source, factorX, factorY, 1, 1)[0];
    }

    /**
     * Two block averages of one image in one pass over its pixels: {@code reduce(source, ax, ay)} and {@code reduce(source, bx, by)},
     * pixel for pixel. Each block's channel sums are exact integers, so how the pass visits the pixels changes nothing.
     */
    public static Pixels[] reduce(Pixels source, int ax, int ay, int bx, int by) {
        if (ax < 1 || ay < 1 || bx < 1 || by < 1) {
            throw new IllegalArgumentException("Block factors must be at least 1");
        }
        boolean first = ax > 1 || ay > 1;
        boolean second = bx > 1 || by > 1;
        if (!first && !second) {
            return new Pixels[] {source, source};
        }
        Blocks a = first ? new Blocks(source.width(), source.height(), ax, ay) : null;
        Blocks b = second ? new Blocks(source.width(), source.height(), bx, by) : null;
        int inWidth = source.width();
        int[] in = source.rgb();
        for (int y = 0; y < source.height(); y++) {
            int offset = y * inWidth;
            if (a != null && b != null) {
                // both in one loop: each pixel is read once
                int[] redBlueA = a.columnRedBlue;
                int[] greenA = a.columnGreen;
                int[] redBlueB = b.columnRedBlue;
                int[] greenB = b.columnGreen;
                for (int x = 0; x < inWidth; x++) {
                    int pixel = in[offset + x];
                    int redBlue = pixel & 0xff00ff;
                    int green = pixel & 0xff00;
                    redBlueA[x] += redBlue;
                    greenA[x] += green;
                    redBlueB[x] += redBlue;
                    greenB[x] += green;
                }
                a.rowAdded(y);
                b.rowAdded(y);
            }
            else {
                (a != null ? a : b).addRow(in, offset, y);
            }
        }
        return new Pixels[] {first ? a.pixels() : source, second ? b.pixels() : source};
    }

    /**
     * Block sums, row by row: each source row is added to per-column sums (red and blue packed in one int, green in another: a
     * plain loop the JIT vectorizes), which are added up per block when a row of blocks is complete or 256 rows have gone in (the
     * packed sums hold 256 rows). The averaged image is filled row of blocks by row of blocks.
     */
    private static final class Blocks {
        private static final int PACKED_ROWS = 256;
        private final int inWidth;
        private final int inHeight;
        private final int factorX;
        private final int factorY;
        private final int width;
        private final int height;
        private final int[] columnRedBlue;
        private final int[] columnGreen;
        private int packedRows;
        private final long[] red;
        private final long[] green;
        private final long[] blue;
        private final int[] out;

        Blocks(int inWidth, int inHeight, int factorX, int factorY) {
            this.inWidth = inWidth;
            this.inHeight = inHeight;
            this.factorX = factorX;
            this.factorY = factorY;
            this.width = (inWidth + factorX - 1) / factorX;
            this.height = (inHeight + factorY - 1) / factorY;
            this.columnRedBlue = new int[inWidth];
            this.columnGreen = new int[inWidth];
            this.red = new long[width];
            this.green = new long[width];
            this.blue = new long[width];
            this.out = new int[width * height];
        }

        void addRow(int[] in, int offset, int y) {
            int[] redBlue = columnRedBlue;
            int[] greens = columnGreen;
            for (int x = 0; x < inWidth; x++) {
                int pixel = in[offset + x];
                redBlue[x] += pixel & 0xff00ff;
                greens[x] += pixel & 0xff00;
            }
            rowAdded(y);
        }

        /** After source row y went into the column sums. */
        void rowAdded(int y) {
            if (++packedRows == PACKED_ROWS) {
                spill();
            }
            if ((y + 1) % factorY == 0 || y == inHeight - 1) {
                spill();
                writeRow(y / factorY);
            }
        }

        /** Adds the per-column sums to their blocks' sums and clears them. */
        private void spill() {
            if (packedRows == 0) {
                return;
            }
            for (int block = 0, x = 0; block < width; block++) {
                int end = Math.min(x + factorX, inWidth);
                long r = 0;
                long g = 0;
                long b = 0;
                for (; x < end; x++) {
                    int redBlue = columnRedBlue[x];
                    r += redBlue >>> 16;
                    b += redBlue & 0xffff;
                    g += columnGreen[x] >>> 8;
                }
                red[block] += r;
                green[block] += g;
                blue[block] += b;
            }
            java.util.Arrays.fill(columnRedBlue, 0);
            java.util.Arrays.fill(columnGreen, 0);
            packedRows = 0;
        }

        private void writeRow(int row) {
            int rows = Math.min(factorY, inHeight - row * factorY);
            long area = (long) rows * factorX;
            if (area <= Integer.MAX_VALUE / 256) {
                // the sums fit in an int: int divisions, several times cheaper than long ones
                for (int x = 0; x < width; x++) {
                    int count = rows * Math.min(factorX, inWidth - x * factorX);
                    int half = count / 2;
                    out[row * width + x] = ((int) red[x] + half) / count << 16 | ((int) green[x] + half) / count << 8 | ((int) blue[x] + half) / count;
                }
            }
            else {
                for (int x = 0; x < width; x++) {
                    long count = (long) rows * Math.min(factorX, inWidth - x * factorX);
                    long half = count / 2;
                    out[row * width + x] = (int) ((red[x] + half) / count) << 16 | (int) ((green[x] + half) / count) << 8 | (int) ((blue[x] + half) / count);
                }
            }
            java.util.Arrays.fill(red, 0);
            java.util.Arrays.fill(green, 0);
            java.util.Arrays.fill(blue, 0);
        }

        Pixels pixels() {
            return new Pixels(width, height, out);
        }
    }

    /*
     * The convolutions sum in 32-bit ints, as Pillow does: a weight is at most 2^22 and the weights of one output pixel add up to
     * 2^22 (their positive part to less than 1.5 * 2^22 for the three kernels, at any scale and at the edges), so a sum of 8-bit
     * samples stays below 2^31 and the sums are the same as in 64 bits.
     */
    private static int[] horizontal(int[] rgb, int inWidth, int height, int width, Filter filter) {
        Weights weights = Weights.of(inWidth, width, filter);
        int[] out = new int[width * height];
        int[] first = weights.first;
        int[] count = weights.count;
        int[] taps = weights.weights;
        int stride = weights.stride;
        for (int y = 0; y < height; y++) {
            int offset = y * inWidth;
            int row = y * width;
            for (int x = 0; x < width; x++) {
                int r = (int) HALF;
                int g = (int) HALF;
                int b = (int) HALF;
                int base = x * stride;
                int from = offset + first[x];
                for (int k = 0, n = count[x]; k < n; k++) {
                    int weight = taps[base + k];
                    int pixel = rgb[from + k];
                    r += weight * (pixel >>> 16 & 0xff);
                    g += weight * (pixel >>> 8 & 0xff);
                    b += weight * (pixel & 0xff);
                }
                out[row + x] = clamp(r) << 16 | clamp(g) << 8 | clamp(b);
            }
        }
        return out;
    }

    private static int[] vertical(int[] rgb, int width, int inHeight, int height, Filter filter) {
        Weights weights = Weights.of(inHeight, height, filter);
        int[] out = new int[width * height];
        int[] r = new int[width];
        int[] g = new int[width];
        int[] b = new int[width];
        for (int y = 0; y < height; y++) {
            java.util.Arrays.fill(r, (int) HALF);
            java.util.Arrays.fill(g, (int) HALF);
            java.util.Arrays.fill(b, (int) HALF);
            int base = y * weights.stride;
            int from = weights.first[y];
            for (int k = 0, n = weights.count[y]; k < n; k++) {
                int weight = weights.weights[base + k];
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

    private static int clamp(int sum) {
        int value = sum >> PRECISION_BITS;
        return value < 0 ? 0 : value > 255 ? 255 : value;
    }
}
