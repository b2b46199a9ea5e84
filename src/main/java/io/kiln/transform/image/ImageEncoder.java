package io.kiln.transform.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes {@link Pixels} as PNG (8-bit RGB) or baseline JPEG at a fixed quality, always with the
 * JDK's own ImageIO writers (never a plugin that happens to be on the classpath), with no metadata
 * but the format's required headers. The encoder's identity, which the recipe records, is the writer
 * and the Java feature release: the same pixels give the same bytes with the same JDK.
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
