package io.kiln.transform.image;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;
import io.kiln.transform.Values;

/**
 * {@code image-normalize}: turns an image file (a binary column, {@code image} by default) into a
 * model-ready, metadata-free image and describes it.
 *
 * <ol>
 * <li>Validate: the header is read first and an image of more than {@code maxPixels} pixels
 * (default 89,478,485, Pillow's limit) is dropped as {@code too-many-pixels} before it is decoded;
 * an unreadable, truncated or corrupt one as {@code corrupt-image}; a file no decoder knows as
 * {@code unsupported-format} (JPEG, CMYK JPEG, PNG, GIF (first frame), BMP, WebP, TIFF are read).</li>
 * <li>Metadata: camera make and model, capture time, orientation and whether a location was
 * present become columns ({@link ImageMetadata}); the EXIF orientation is applied.</li>
 * <li>Filter: {@code minSide} (pixels, on the upright original; {@code too-small}),
 * {@code maxAspect} (long side over short side; {@code aspect-ratio}), {@code maxBytes} (of the
 * file; {@code too-large}), {@code minStddev} (of the stored image's luma, 0..255; below it the image
 * is {@code blank-image}). All off by default.</li>
 * <li>Resize ({@link Resampler}, bit-exact): {@code resize} is {@code none} (default), {@code fit}
 * (keep the ratio, within {@code width} x {@code height}), {@code crop} (fill the size, cropping
 * the centre) or {@code pad} (fit, then pad to the size with {@code background}); {@code filter}
 * {@code bicubic} (default), {@code bilinear} or {@code lanczos}; {@code fit} and {@code pad} never
 * enlarge unless {@code upscale} is true.</li>
 * <li>Store: {@code encode} {@code original} (default: the file's own format where it is JPEG or
 * PNG, else PNG), {@code png} or {@code jpeg} (at {@code quality}, default 90). Where no pixel
 * changes (no orientation, resize, alpha, 16-bit samples, or colour profile to drop) and the file
 * already has the target format, its metadata is stripped without re-encoding
 * ({@link MetadataStripper}); otherwise the pixels are converted to 8-bit sRGB RGB (alpha over
 * {@code background}, default {@code #ffffff}) and encoded ({@link ImageEncoder}).
 * {@code keepIcc} keeps an ICC profile in a losslessly stripped file.</li>
 * <li>Hash: {@code phash} and {@code dhash} ({@link PerceptualHash}) of the upright original, before
 * any resize, crop or padding (so they describe the picture, whatever the job's size), for
 * {@code dedup-image}; {@code pixel_sha256}, a digest of the stored pixels that no encoder
 * changes; with {@code histogramBins} (a divisor of 256), {@code color_histogram}, the fraction of the
 * pixels in each bin of each channel: the classic feature for small datasets.</li>
 * </ol>
 *
 * <p>A row without a value in the column passes on unchanged. Deterministic and thread-safe.
 */
public final class ImageNormalizeStep implements StepDefinition {
    public static final String NAME = "image-normalize";
    public static final int VERSION = 1;
    private static final StepId ID = new StepId(NAME, VERSION);
    /** The TwelveMonkeys release that decodes JPEG, WebP, TIFF and BMP (the pom pins it). */
    static final String DECODER = "imageio-twelvemonkeys-3.13.1/java-" + Runtime.version().feature();

    public static final List<Column> COLUMNS = List.of(
            Column.string("format", "format of the original file: jpeg, png, gif, bmp, webp or tiff"),
            Column.integer("width", "width of the original image, upright (after its EXIF orientation)"),
            Column.integer("height", "height of the original image, upright"),
            Column.integer("channels", "colour and alpha samples per pixel of the original (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA or CMYK)"),
            Column.optional("bytes", DataType.LONG, "size of the original file in bytes"),
            Column.string("sha256", "sha256 of the original file"),
            Column.string("camera_make", "camera make from EXIF"),
            Column.string("camera_model", "camera model from EXIF"),
            Column.string("captured_at", "capture time from EXIF, local time as the camera wrote it (ISO-8601, no offset)"),
            Column.integer("orientation", "EXIF orientation of the original (1 to 8), applied to the stored image"),
            Column.optional("gps_present", DataType.BOOLEAN, "whether the original carried a location (EXIF GPS or XMP); it is never stored"),
            Column.string("stored_format", "format of the stored image: png or jpeg"),
            Column.integer("stored_width", "width of the stored image"),
            Column.integer("stored_height", "height of the stored image"),
            Column.string("pixel_sha256", "sha256 of the stored image's width, height and 8-bit RGB pixels: the same whatever the encoder"),
            Column.optional("phash", DataType.LONG, "64-bit DCT perceptual hash of the upright original image"),
            Column.optional("dhash", DataType.LONG, "64-bit difference hash of the upright original image"));

    enum Mode { NONE, FIT, CROP, PAD }

    enum Encode { ORIGINAL, PNG, JPEG }

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("column", "maxPixels", "resize", "width", "height", "filter", "upscale", "encode", "quality",
                "keepIcc", "background", "minSide", "maxAspect", "maxBytes", "minStddev", "histogramBins"));
        String column = StepParameters.column(parameters, "column", "image");
        long maxPixels = StepParameters.integer(parameters, "maxPixels", (int) ImageDecoder.DEFAULT_MAX_PIXELS, 1, Integer.MAX_VALUE);
        Mode mode = Mode.valueOf(StepParameters.oneOf(parameters, "resize", "none", Set.of("none", "fit", "crop", "pad")).toUpperCase(Locale.ROOT));
        int width = StepParameters.integer(parameters, "width", 0, 1, 16384);
        int height = StepParameters.integer(parameters, "height", 0, 1, 16384);
        if (mode != Mode.NONE) {
            for (String size : List.of("width", "height")) {
                if (!parameters.containsKey(size)) {
                    throw new InvalidStepParameterException(size, "is required with resize " + mode.name().toLowerCase(Locale.ROOT));
                }
            }
        }
        else {
            for (String size : List.of("width", "height", "filter", "upscale")) {
                if (parameters.containsKey(size)) {
                    throw new InvalidStepParameterException(size, "applies only with resize fit, crop or pad");
                }
            }
        }
        Resampler.Filter filter = Resampler.Filter.valueOf(
                StepParameters.oneOf(parameters, "filter", "bicubic", Set.of("bilinear", "bicubic", "lanczos")).toUpperCase(Locale.ROOT));
        boolean upscale = StepParameters.flag(parameters, "upscale", false);
        Encode encode = Encode.valueOf(StepParameters.oneOf(parameters, "encode", "original", Set.of("original", "png", "jpeg")).toUpperCase(Locale.ROOT));
        int quality = StepParameters.integer(parameters, "quality", 90, 1, 100);
        if (parameters.containsKey("quality") && encode == Encode.PNG) {
            throw new InvalidStepParameterException("quality", "applies only to encode jpeg or original");
        }
        boolean keepIcc = StepParameters.flag(parameters, "keepIcc", false);
        int background = color(parameters.get("background"));
        int minSide = StepParameters.integer(parameters, "minSide", 0, 0, 1 << 20);
        double maxAspect = StepParameters.number(parameters, "maxAspect", 0, 0, 1e6);
        if (maxAspect != 0 && maxAspect < 1) {
            throw new InvalidStepParameterException("maxAspect", "must be at least 1 (long side over short side), or 0 for no limit, was " + maxAspect);
        }
        long maxBytes = (long) StepParameters.number(parameters, "maxBytes", 0, 0, Long.MAX_VALUE);
        double minStddev = StepParameters.number(parameters, "minStddev", 0, 0, 255);
        int histogramBins = StepParameters.integer(parameters, "histogramBins", 0, 0, 256);
        if (histogramBins == 1 || histogramBins > 0 && 256 % histogramBins != 0) {
            throw new InvalidStepParameterException("histogramBins", "must divide 256 (2, 4, 8, 16, 32, 64, 128 or 256), or be 0 for none, was " + histogramBins);
        }
        ImageDecoder.load();
        return new Normalize(column, maxPixels, mode, width, height, filter, upscale, encode, quality, keepIcc, background, minSide, maxAspect, maxBytes,
                minStddev, histogramBins);
    }

    private static int color(Object value) {
        if (value == null) {
            return 0xffffff;
        }
        if (value instanceof String text && text.matches("#[0-9a-fA-F]{6}")) {
            return Integer.parseInt(text.substring(1), 16);
        }
        throw new InvalidStepParameterException("background", "must be a colour as #rrggbb, was " + value);
    }

    record Normalize(String column, long maxPixels, Mode mode, int width, int height, Resampler.Filter filter, boolean upscale, Encode encode,
            int quality, boolean keepIcc, int background, int minSide, double maxAspect, long maxBytes, double minStddev, int histogramBins) implements Transform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public List<Column> reads() {
            return List.of(Column.optional(column, DataType.BINARY, ""));
        }

        @Override
        public List<Column> columns() {
            if (histogramBins == 0) {
                return COLUMNS;
            }
            List<Column> columns = new java.util.ArrayList<>(COLUMNS);
            columns.add(Column.floatList("color_histogram", "the stored image's colour histogram: " + histogramBins
                    + " equal bins of R, then of G, then of B, each the fraction of the pixels in it"));
            return List.copyOf(columns);
        }

        @Override
        public Map<String, String> fingerprint() {
            Map<String, String> fingerprint = new HashMap<>();
            fingerprint.put("image-decoder", DECODER);
            fingerprint.put("image-encoder", encode == Encode.JPEG ? ImageEncoder.identity(ImageEncoder.Format.JPEG, quality)
                    : encode == Encode.PNG ? ImageEncoder.identity(ImageEncoder.Format.PNG, quality)
                    : ImageEncoder.identity(ImageEncoder.Format.PNG, quality) + "," + ImageEncoder.identity(ImageEncoder.Format.JPEG, quality));
            return fingerprint;
        }

        @Override
        public Outcome apply(Row row) {
            Optional<Object> value = row.value(column);
            if (value.isEmpty()) {
                return Outcome.emit(row);
            }
            byte[] file = Values.bytes((ByteBuffer) value.get());
            if (maxBytes > 0 && file.length > maxBytes) {
                return drop("too-large", "the file has %d bytes, above maxBytes %d".formatted(file.length, maxBytes));
            }
            ImageDecoder.Decoded decoded;
            try {
                decoded = ImageDecoder.decode(file, maxPixels, background);
            }
            catch (ImageRejection rejection) {
                return drop(rejection.reason(), rejection.detail());
            }
            ImageMetadata metadata = ImageMetadata.read(file);
            Pixels upright = Orientation.apply(decoded.pixels(), metadata.orientation());
            int shortSide = Math.min(upright.width(), upright.height());
            int longSide = Math.max(upright.width(), upright.height());
            if (shortSide < minSide) {
                return drop("too-small", "%dx%d has a side below minSide %d".formatted(upright.width(), upright.height(), minSide));
            }
            if (maxAspect > 0 && longSide > maxAspect * shortSide) {
                return drop("aspect-ratio", String.format(Locale.ROOT, "%dx%d has an aspect ratio of %.2f, above maxAspect %s", upright.width(), upright.height(),
                        (double) longSide / shortSide, maxAspect));
            }
            Shrunk shrunk = resize(upright);
            Pixels stored = shrunk.stored();
            if (minStddev > 0) {
                double deviation = stored.lumaStandardDeviation();
                if (deviation < minStddev) {
                    return drop("blank-image", String.format(Locale.ROOT, "the luma's standard deviation is %.3f, below minStddev %s", deviation, minStddev));
                }
            }
            String target = switch (encode) {
                case PNG -> "png";
                case JPEG -> "jpeg";
                case ORIGINAL -> decoded.format().equals("jpeg") ? "jpeg" : "png";
            };
            boolean unchanged = stored == decoded.pixels() && decoded.plain() && (!metadata.icc() || keepIcc);
            byte[] bytes = null;
            if (unchanged && target.equals(decoded.format())) {
                bytes = MetadataStripper.strip(target, file, keepIcc).orElse(null);
            }
            if (bytes == null) {
                bytes = ImageEncoder.encode(stored, target.equals("jpeg") ? ImageEncoder.Format.JPEG : ImageEncoder.Format.PNG, quality);
            }
            Map<String, Object> values = new HashMap<>();
            values.put(column, ByteBuffer.wrap(bytes).asReadOnlyBuffer());
            values.put("format", decoded.format());
            values.put("width", upright.width());
            values.put("height", upright.height());
            values.put("channels", decoded.channels());
            values.put("bytes", (long) file.length);
            values.put("sha256", Values.sha256(ByteBuffer.wrap(file)));
            metadata.cameraMake().ifPresent(make -> values.put("camera_make", make));
            metadata.cameraModel().ifPresent(model -> values.put("camera_model", model));
            metadata.capturedAt().ifPresent(time -> values.put("captured_at", time));
            values.put("orientation", Orientation.changesPixels(metadata.orientation()) ? metadata.orientation() : 1);
            values.put("gps_present", metadata.gps());
            values.put("stored_format", target);
            values.put("stored_width", stored.width());
            values.put("stored_height", stored.height());
            values.put("pixel_sha256", stored.sha256());
            PerceptualHash.Hashes hashes = shrunk.hashes();
            values.put("phash", hashes.phash());
            values.put("dhash", hashes.dhash());
            if (histogramBins > 0) {
                values.put("color_histogram", histogram(stored, histogramBins));
            }
            return Outcome.emit(row.with(values));
        }

        /**
         * The stored image, and the hashes of the upright one: they describe the picture, not how this job normalized it (padding
         * and crops would make every small icon alike). Where the resize and the hashes both average blocks of the whole image,
         * one pass over its pixels does both.
         */
        private Shrunk resize(Pixels image) {
            int w = image.width();
            int h = image.height();
            return switch (mode) {
                case NONE -> new Shrunk(image, PerceptualHash.hashes(image));
                case FIT, PAD -> {
                    int[] size = fit(w, h);
                    int[] factors = Resampler.reduction(w, h, size[0], size[1]);
                    int[] hashFactors = PerceptualHash.reduction(w, h);
                    Pixels[] reduced = Resampler.reduce(image, factors[0], factors[1], hashFactors[0], hashFactors[1]);
                    // the image itself when it has the size already: nothing averaged, nothing convolved
                    Pixels inner = Resampler.resizeReduced(reduced[0], size[0], size[1], filter);
                    yield new Shrunk(mode == Mode.PAD ? pad(inner) : inner, PerceptualHash.hashesOfReduced(reduced[1]));
                }
                case CROP -> {
                    // the centred region of the target's aspect ratio, then resized to the target
                    int regionWidth = w;
                    int regionHeight = h;
                    if ((long) w * height > (long) h * width) {
                        regionWidth = (int) Math.max(1, ((long) h * width + height / 2) / height);
                    }
                    else {
                        regionHeight = (int) Math.max(1, ((long) w * height + width / 2) / width);
                    }
                    Pixels region = image.region((w - regionWidth) / 2, (h - regionHeight) / 2, regionWidth, regionHeight);
                    yield new Shrunk(Resampler.resize(region, width, height, filter), PerceptualHash.hashes(image));
                }
            };
        }

        /** The largest size of the image's ratio within width x height (never larger than the image unless upscale). */
        private int[] fit(int w, int h) {
            if (!upscale && w <= width && h <= height) {
                return new int[] {w, h};
            }
            if ((long) width * h <= (long) height * w) {
                return new int[] {width, (int) Math.max(1, ((long) h * width + w / 2) / w)};
            }
            return new int[] {(int) Math.max(1, ((long) w * height + h / 2) / h), height};
        }

        private Pixels pad(Pixels inner) {
            if (inner.width() == width && inner.height() == height) {
                return inner;
            }
            int[] out = new int[width * height];
            java.util.Arrays.fill(out, background);
            int left = (width - inner.width()) / 2;
            int top = (height - inner.height()) / 2;
            for (int y = 0; y < inner.height(); y++) {
                System.arraycopy(inner.rgb(), y * inner.width(), out, (top + y) * width + left, inner.width());
            }
            return new Pixels(width, height, out);
        }

        private Outcome drop(String reason, String detail) {
            return Outcome.drop(ID, reason, detail);
        }
    }

    private record Shrunk(Pixels stored, PerceptualHash.Hashes hashes) {
    }

    /** Per channel, the fraction of the pixels in each of {@code bins} equal bins of 0..255. */
    static float[] histogram(Pixels image, int bins) {
        long[] counts = new long[3 * bins];
        int shift = Integer.numberOfTrailingZeros(256 / bins);
        for (int pixel : image.rgb()) {
            counts[(pixel >>> 16 & 0xff) >>> shift]++;
            counts[bins + ((pixel >>> 8 & 0xff) >>> shift)]++;
            counts[2 * bins + ((pixel & 0xff) >>> shift)]++;
        }
        float[] histogram = new float[counts.length];
        for (int i = 0; i < counts.length; i++) {
            histogram[i] = (float) ((double) counts[i] / image.rgb().length);
        }
        return histogram;
    }

}
