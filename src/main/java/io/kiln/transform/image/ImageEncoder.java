package io.kiln.transform.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes {@link Pixels} as PNG (8-bit RGB) or baseline JPEG at a fixed quality, with no metadata
 * but the format's required headers. JPEG is the JDK's own ImageIO writer (never a plugin that happens
 * to be on the classpath). PNG is written here, byte for byte as the JDK's {@code PNGImageWriter} writes
 * these images with its default parameters (which {@code ImageEncoderTest} checks): the signature, IHDR,
 * each row unfiltered (that writer filters only palette images), one zlib stream from the JDK's
 * {@link Deflater} at level 4, split into IDAT chunks of 32,768 bytes, and IEND; without the writer's
 * per-row detour through a raster and a deflate call per 512 bytes, it costs a third less. The encoder's
 * identity, which the recipe records, is the writer and the Java feature release: the same pixels give
 * the same bytes with the same JDK.
 */
public final class ImageEncoder {
    public enum Format {
        PNG("com.sun.imageio.plugins.png.PNGImageWriter"),
        JPEG("com.sun.imageio.plugins.jpeg.JPEGImageWriter");

        private final String writerClass;

        Format(String writerClass) {
            this.writerClass = writerClass;
        }

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final DirectColorModel RGB = new DirectColorModel(24, 0xff0000, 0xff00, 0xff);

    private ImageEncoder() {}

    /** What the recipe records as the encoder: writer, Java release and, for JPEG, the quality. */
    public static String identity(Format format, int quality) {
        String java = "java-" + Runtime.version().feature();
        return switch (format) {
            case PNG -> "jdk-imageio-png/" + java;
            case JPEG -> "jdk-imageio-jpeg/" + java + "/q" + quality;
        };
    }

    public static byte[] encode(Pixels pixels, Format format, int quality) {
        return format == Format.PNG ? png(pixels) : imageio(pixels, format, quality);
    }

    /** The JDK writer's level: {@code PNGImageWriter.DEFAULT_COMPRESSION_LEVEL}. */
    private static final int PNG_DEFLATE_LEVEL = 4;
    /** The JDK writer's IDAT chunk length. */
    private static final int PNG_CHUNK = 32_768;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    static byte[] png(Pixels pixels) {
        int width = pixels.width();
        int height = pixels.height();
        int[] rgb = pixels.rgb();
        int rowBytes = 3 * width + 1;
        // rows go to the deflater in batches of about 64 KB: the zlib stream does not depend on how its input is split
        int rowsPerBatch = Math.max(1, 65_536 / rowBytes);
        byte[] raw = new byte[rowsPerBatch * rowBytes];
        Growable zlib = new Growable(Math.max(1024, rgb.length / 2));
        Deflater deflater = new Deflater(PNG_DEFLATE_LEVEL);
        try {
            for (int y = 0; y < height; y += rowsPerBatch) {
                int rows = Math.min(rowsPerBatch, height - y);
                int at = 0;
                for (int row = y; row < y + rows; row++) {
                    raw[at++] = 0; // filter type None
                    for (int i = row * width, end = i + width; i < end; i++) {
                        int pixel = rgb[i];
                        raw[at++] = (byte) (pixel >>> 16);
                        raw[at++] = (byte) (pixel >>> 8);
                        raw[at++] = (byte) pixel;
                    }
                }
                deflater.setInput(raw, 0, at);
                while (!deflater.needsInput()) {
                    zlib.deflate(deflater);
                }
            }
            deflater.finish();
            while (!deflater.finished()) {
                zlib.deflate(deflater);
            }
        }
        finally {
            deflater.end();
        }
        int chunks = (zlib.size + PNG_CHUNK - 1) / PNG_CHUNK; // a zlib stream is never empty
        ByteBuffer out = ByteBuffer.allocate(PNG_SIGNATURE.length + 25 + zlib.size + 12 * chunks + 12);
        out.put(PNG_SIGNATURE);
        ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", header.array(), 0, 13);
        for (int from = 0; from < zlib.size; from += PNG_CHUNK) {
            chunk(out, "IDAT", zlib.bytes, from, Math.min(PNG_CHUNK, zlib.size - from));
        }
        chunk(out, "IEND", new byte[0], 0, 0);
        return out.array();
    }

    private static void chunk(ByteBuffer out, String type, byte[] data, int from, int length) {
        byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data, from, length);
        out.putInt(length).put(name).put(data, from, length).putInt((int) crc.getValue());
    }

    /** A byte array that a deflater fills and that grows as needed. */
    private static final class Growable {
        byte[] bytes;
        int size;

        Growable(int capacity) {
            bytes = new byte[capacity];
        }

        void deflate(Deflater deflater) {
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            size += deflater.deflate(bytes, size, bytes.length - size);
        }
    }

    /** Through the JDK's ImageIO writer of the format. */
    static byte[] imageio(Pixels pixels, Format format, int quality) {
        ImageWriter writer = writer(format);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(pixels.rgb().length);
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                ImageWriteParam param = writer.getDefaultWriteParam();
                if (format == Format.JPEG) {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(quality / 100f);
                }
                writer.write(null, new IIOImage(image(pixels), null, null), param);
            }
            return bytes.toByteArray();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        finally {
            writer.dispose();
        }
    }

    /** The pixels as a {@link BufferedImage} that shares their array. */
    public static BufferedImage image(Pixels pixels) {
        DataBufferInt buffer = new DataBufferInt(pixels.rgb(), pixels.rgb().length);
        WritableRaster raster = Raster.createPackedRaster(buffer, pixels.width(), pixels.height(), pixels.width(), RGB.getMasks(), null);
        return new BufferedImage(RGB, raster, false, null);
    }

    private static ImageWriter writer(Format format) {
        ImageDecoder.load();
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format.specName());
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (writer.getClass().getName().equals(format.writerClass)) {
                return writer;
            }
        }
        throw new IllegalStateException("The JDK's " + format.specName() + " writer is missing");
    }
}
