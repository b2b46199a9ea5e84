package io.kiln.transform.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files with ImageIO and the TwelveMonkeys plugins into {@link Pixels}: the header
 * first (the pixel count is checked before any pixel is decoded), then the first frame (of a GIF,
 * a multi-page TIFF). Where several plugins read a format, the choice is fixed: TwelveMonkeys, then
 * the JDK's own, then any other, so the pixels never depend on classpath order.
 *
 * <p>Colour: an image in sRGB, in gray or indexed is read sample by sample (the JDK's gray space is
 * linear and its {@code getRGB} would brighten gray images); any other colour space (CMYK, an
 * embedded ICC profile) is converted to sRGB by the JDK's colour management. Alpha is composited
 * over a background colour in integer arithmetic. A decoder warning of damaged data (a truncated
 * or corrupt stream) makes the image corrupt: a partly decoded image never becomes a row. Thread-safe.
 */
public final class ImageDecoder {
    /** Pillow's {@code Image.MAX_IMAGE_PIXELS}: 1024 * 1024 * 1024 / 4 / 3. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    /** Decoder warnings that mean the pixels are incomplete or wrong (libjpeg's "Premature end of JPEG file"), not merely approximate. */
    /**
     * Decodes running at once hold at most this many pixels (about 8 bytes each while decoding: the
     * raster and the sRGB pixels), a quarter of the heap (at least 16 M pixels); a larger image decodes alone. So a job's
     * threads never decode several huge images together, whatever the pixel limit.
     */
    static final long DECODE_BUDGET_PIXELS = Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4 / 8);
    private static final java.util.concurrent.Semaphore DECODE_BUDGET = new java.util.concurrent.Semaphore((int) Math.min(Integer.MAX_VALUE,
            DECODE_BUDGET_PIXELS), true);
    private static final java.util.regex.Pattern DAMAGE = java.util.regex.Pattern.compile("(?i)corrupt|premature|truncat|bogus|invalid|unexpected end");

    static {
        ImageIO.setUseCache(false);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            // the plugins' service files are found through the context class loader: use the one that loaded Kiln
            thread.setContextClassLoader(ImageDecoder.class.getClassLoader());
            ImageIO.scanForPlugins();
        }
        finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * The decoded first frame, with what the header said. {@code channels} counts the file's colour
     * and alpha samples (1 gray, 3 RGB, 4 RGBA or CMYK); {@code plain} says that {@link #pixels()}
     * are exactly the file's samples: 8-bit sRGB, gray or palette colour without alpha, so nothing
     * was converted, composited or rounded.
     */
    public record Decoded(String format, int channels, boolean plain, Pixels pixels) {
    }

    private ImageDecoder() {}

    /** Forces the plugins to register; call at bind time so that the first image does not pay for it. */
    public static void load() {
        // the static initializer did the work
    }

    public static Decoded decode(byte[] bytes, long maxPixels, int background) throws ImageRejection {
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = reader(input);
            try {
                reader.setInput(input, true, true);
                String format = formatName(reader);
                int width;
                int height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                }
                catch (IOException | RuntimeException e) {
                    throw new ImageRejection(ImageRejection.CORRUPT, "cannot read the " + format + " header: " + message(e));
                }
                if (width < 1 || height < 1) {
                    throw new ImageRejection(ImageRejection.CORRUPT, "the " + format + " header gives a size of " + width + "x" + height);
                }
                if ((long) width * height > maxPixels) {
                    throw new ImageRejection(ImageRejection.TOO_MANY_PIXELS,
                            "%dx%d is %d pixels, above the limit of %d".formatted(width, height, (long) width * height, maxPixels));
                }
                javax.imageio.ImageTypeSpecifier raw;
                try {
                    raw = reader.getRawImageType(0);
                }
                catch (IOException | RuntimeException e) {
                    raw = null;
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                int permits = (int) Math.min((long) width * height, DECODE_BUDGET_PIXELS);
                DECODE_BUDGET.acquireUninterruptibly(permits);
                try {
                    return decoded(reader, raw, format, warnings, background);
                }
                finally {
                    DECODE_BUDGET.release(permits);
                }
            }
            finally {
                reader.dispose();
            }
        }
        catch (IOException e) {
            throw new ImageRejection(ImageRejection.CORRUPT, "cannot read the image: " + message(e));
        }
    }

    /** Decodes the first frame and converts it: the part of a decode that holds the image twice (the raster and the pixels). */
    private static Decoded decoded(ImageReader reader, javax.imageio.ImageTypeSpecifier raw, String format, List<String> warnings, int background)
            throws ImageRejection {
        BufferedImage image;
        try {
            ImageReadParam param = reader.getDefaultReadParam();
            image = reader.read(0, param);
        }
        catch (IOException | RuntimeException e) {
            throw new ImageRejection(ImageRejection.CORRUPT, "cannot decode the " + format + ": " + message(e));
        }
        List<String> damage = warnings.stream().filter(warning -> DAMAGE.matcher(warning).find()).toList();
        if (!damage.isEmpty()) {
            throw new ImageRejection(ImageRejection.CORRUPT, "the " + format + " decoder reports damaged data: " + String.join("; ", damage));
        }
        // the file's own colour model (a CMYK JPEG decodes to RGB): what channels and plain describe
        java.awt.image.ColorModel model = raw != null ? raw.getColorModel() : image.getColorModel();
        boolean alpha = model.hasAlpha() || image.getColorModel().hasAlpha();
        int channels = model instanceof IndexColorModel ? (alpha ? 4 : 3) : model.getNumComponents();
        boolean eightBit = java.util.Arrays.stream(model.getComponentSize()).allMatch(bits -> bits == 8);
        ColorSpace space = model.getColorSpace();
        boolean plain = !alpha && (model instanceof IndexColorModel
                || eightBit && (space.isCS_sRGB() || space.getType() == ColorSpace.TYPE_GRAY || space.getType() == ColorSpace.TYPE_YCbCr));
        return new Decoded(format, channels, plain, toSrgb(image, background));
    }

    private static ImageReader reader(ImageInputStream input) throws ImageRejection {
        if (input == null) {
            throw new ImageRejection(ImageRejection.CORRUPT, "cannot open the image stream");
        }
        List<ImageReader> readers = new ArrayList<>();
        Iterator<ImageReader> found = ImageIO.getImageReaders(input);
        found.forEachRemaining(readers::add);
        if (readers.isEmpty()) {
            throw new ImageRejection(ImageRejection.UNSUPPORTED, "no decoder recognises the file (supported: JPEG, PNG, GIF, BMP, WebP, TIFF)");
        }
        readers.sort(Comparator.comparingInt(ImageDecoder::preference).thenComparing(reader -> reader.getClass().getName()));
        for (int i = 1; i < readers.size(); i++) {
            readers.get(i).dispose();
        }
        return readers.get(0);
    }

    private static int preference(ImageReader reader) {
        String name = reader.getClass().getName();
        if (name.startsWith("com.twelvemonkeys.")) {
            return 0;
        }
        if (name.startsWith("com.sun.imageio.")) {
            return 1;
        }
        return 2;
    }

    private static String formatName(ImageReader reader) throws IOException {
        String name = reader.getFormatName().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "jpg", "jpeg", "jpeg-lossless", "jpeg lossless" -> "jpeg";
            case "tif", "tiff" -> "tiff";
            case "wbmp" -> "wbmp";
            default -> name;
        };
    }

    /** sRGB pixels of the image, alpha composited over {@code background} (0xRRGGBB). */
    static Pixels toSrgb(BufferedImage image, int background) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] rgb = new int[width * height];
        java.awt.image.ColorModel model = image.getColorModel();
        ColorSpace space = model.getColorSpace();
        Raster raster = image.getRaster();
        boolean gray = model instanceof ComponentColorModel && space.getType() == ColorSpace.TYPE_GRAY;
        if (bytesInterleaved(raster) && (gray && model.getComponentSize(0) == 8 || model instanceof IndexColorModel
                || model instanceof ComponentColorModel && space.isCS_sRGB() && java.util.Arrays.stream(model.getComponentSize()).allMatch(bits -> bits == 8)
                        && !model.isAlphaPremultiplied())) {
            // the usual decoded JPEG, PNG and GIF: one byte per sample, read straight from the buffer
            java.awt.image.PixelInterleavedSampleModel layout = (java.awt.image.PixelInterleavedSampleModel) raster.getSampleModel();
            java.awt.image.DataBufferByte buffer = (java.awt.image.DataBufferByte) raster.getDataBuffer();
            byte[] data = buffer.getData();
            int[] offsets = layout.getBandOffsets();
            int stride = layout.getPixelStride();
            int scanline = layout.getScanlineStride();
            int bands = layout.getNumBands();
            int[] palette = null;
            if (model instanceof IndexColorModel indexed) {
                palette = new int[256];
                indexed.getRGBs(palette);
            }
            // one loop per layout, with nothing decided per pixel
            int o0 = offsets[0];
            int o1 = bands > 1 ? offsets[1] : 0;
            int o2 = bands > 2 ? offsets[2] : 0;
            int o3 = bands > 3 ? offsets[3] : 0;
            for (int y = 0; y < height; y++) {
                int pixel = buffer.getOffset() + y * scanline;
                int at = y * width;
                int end = at + width;
                if (palette != null) {
                    for (; at < end; at++, pixel += stride) {
                        int argb = palette[data[pixel + o0] & 0xff];
                        rgb[at] = argb >>> 24 == 255 ? argb & 0xffffff : composite(argb & 0xffffff, argb >>> 24, background);
                    }
                }
                else if (bands == 1) {
                    for (; at < end; at++, pixel += stride) {
                        rgb[at] = (data[pixel + o0] & 0xff) * 0x010101;
                    }
                }
                else if (bands == 2) {
                    for (; at < end; at++, pixel += stride) {
                        rgb[at] = composite((data[pixel + o0] & 0xff) * 0x010101, data[pixel + o1] & 0xff, background);
                    }
                }
                else if (bands == 3) {
                    for (; at < end; at++, pixel += stride) {
                        rgb[at] = (data[pixel + o0] & 0xff) << 16 | (data[pixel + o1] & 0xff) << 8 | data[pixel + o2] & 0xff;
                    }
                }
                else {
                    for (; at < end; at++, pixel += stride) {
                        int value = (data[pixel + o0] & 0xff) << 16 | (data[pixel + o1] & 0xff) << 8 | data[pixel + o2] & 0xff;
                        int alpha = data[pixel + o3] & 0xff;
                        rgb[at] = alpha == 255 ? value : composite(value, alpha, background);
                    }
                }
            }
            return new Pixels(width, height, rgb);
        }
        if (gray) {
            int bands = raster.getNumBands();
            int bits = model.getComponentSize(0);
            int[] samples = new int[width * bands];
            for (int y = 0; y < height; y++) {
                raster.getPixels(0, y, width, 1, samples);
                for (int x = 0; x < width; x++) {
                    int level = scale(samples[x * bands], bits);
                    int value = level << 16 | level << 8 | level;
                    rgb[y * width + x] = bands > 1 ? composite(value, scale(samples[x * bands + 1], model.getComponentSize(1)), background) : value;
                }
            }
            return new Pixels(width, height, rgb);
        }
        if (model instanceof IndexColorModel indexed) {
            // 1, 2 or 4 bits per index: the samples row by row, through the palette
            int[] palette = new int[indexed.getMapSize()];
            indexed.getRGBs(palette);
            int[] indices = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, indices);
                for (int x = 0; x < width; x++) {
                    int argb = palette[indices[x]];
                    rgb[y * width + x] = composite(argb & 0xffffff, argb >>> 24, background);
                }
            }
            return new Pixels(width, height, rgb);
        }
        BufferedImage source = image;
        if (!space.isCS_sRGB()) {
            BufferedImage converted = new BufferedImage(width, height, model.hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            new ColorConvertOp(null).filter(image, converted);
            source = converted;
        }
        int[] line = new int[width];
        for (int y = 0; y < height; y++) {
            source.getRGB(0, y, width, 1, line, 0, width);
            for (int x = 0; x < width; x++) {
                int argb = line[x];
                rgb[y * width + x] = composite(argb & 0xffffff, model.hasAlpha() ? argb >>> 24 : 255, background);
            }
        }
        return new Pixels(width, height, rgb);
    }

    /** One byte per sample, samples of a pixel side by side, in one bank, with no offset of the raster. */
    private static boolean bytesInterleaved(Raster raster) {
        return raster.getDataBuffer() instanceof java.awt.image.DataBufferByte buffer && buffer.getNumBanks() == 1
                && raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0;
    }

    private static int scale(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        int max = (1 << bits) - 1;
        return (int) ((sample * 255L + max / 2) / max);
    }

    private static int composite(int rgb, int alpha, int background) {
        if (alpha == 255) {
            return rgb;
        }
        if (alpha == 0) {
            return background;
        }
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int foreground = rgb >>> shift & 0xff;
            int behind = background >>> shift & 0xff;
            int value = (foreground * alpha + behind * (255 - alpha) + 127) / 255;
            out |= value << shift;
        }
        return out;
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? "the data is not a valid image" : message;
    }
}
