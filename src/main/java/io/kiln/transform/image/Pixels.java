package io.kiln.transform.image;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An sRGB image without alpha: {@code rgb[y * width + x] = 0xRRGGBB}. What every image step works
 * on, whatever the file's format, so that they depend on pixels only. The array is never changed
 * after construction: each operation returns a new image.
 */
public record Pixels(int width, int height, int[] rgb) {
    public Pixels {
        requireNonNull(rgb, "rgb is null");
        if (width < 1 || height < 1 || (long) width * height != rgb.length) {
            throw new IllegalArgumentException("Cannot make a %dx%d image of %d pixels".formatted(width, height, rgb.length));
        }
    }

    /** Rec. 601 luma of each pixel, 0..255, in integer arithmetic (as Pillow's {@code convert("L")}). */
    public int[] luma() {
        int[] luma = new int[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            luma[i] = luma(rgb[i]);
        }
        return luma;
    }

    static int luma(int rgb) {
        int r = rgb >>> 16 & 0xff;
        int g = rgb >>> 8 & 0xff;
        int b = rgb & 0xff;
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
    }

    /** The pixels' own digest: sha256 of the width and height (big-endian ints) and the RGB bytes, row by row. Independent of any encoder. */
    public String sha256() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer header = ByteBuffer.allocate(8).putInt(width).putInt(height);
            digest.update(header.array());
            byte[] line = new byte[width * 3];
            for (int y = 0; y < height; y++) {
                int offset = y * width;
                for (int x = 0; x < width; x++) {
                    int pixel = rgb[offset + x];
                    line[3 * x] = (byte) (pixel >>> 16);
                    line[3 * x + 1] = (byte) (pixel >>> 8);
                    line[3 * x + 2] = (byte) pixel;
                }
                digest.update(line);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The population standard deviation of the luma: near 0 for a blank image. */
    public double lumaStandardDeviation() {
        long sum = 0;
        long squares = 0;
        for (int pixel : rgb) {
            int value = luma(pixel);
            sum += value;
            squares += (long) value * value;
        }
        double n = rgb.length;
        double mean = sum / n;
        return Math.sqrt(Math.max(0, squares / n - mean * mean));
    }

    /** The rectangle at ({@code x}, {@code y}) of {@code width} x {@code height}. */
    public Pixels region(int x, int y, int regionWidth, int regionHeight) {
        if (x == 0 && y == 0 && regionWidth == width && regionHeight == height) {
            return this;
        }
        int[] out = new int[regionWidth * regionHeight];
        for (int row = 0; row < regionHeight; row++) {
            System.arraycopy(rgb, (y + row) * width + x, out, row * regionWidth, regionWidth);
        }
        return new Pixels(regionWidth, regionHeight, out);
    }
}
