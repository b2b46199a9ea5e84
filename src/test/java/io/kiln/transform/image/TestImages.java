package io.kiln.transform.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;

/** The real images of {@code src/test/resources/images} and the variants tests make of them. */
final class TestImages {
    static final Path DIRECTORY = Path.of("src/test/resources/images");

    private TestImages() {}

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(DIRECTORY.resolve(name));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Row row(String id, byte[] image) {
        return new Row(id, Map.of("image", ByteBuffer.wrap(image).asReadOnlyBuffer()));
    }

    static Transform normalize(Map<String, Object> parameters) {
        return StepRegistry.defaultRegistry().find("image-normalize").orElseThrow().bind(parameters);
    }

    static Row emitted(Outcome outcome) {
        if (outcome instanceof Outcome.Drop drop) {
            throw new AssertionError("dropped: " + drop.reason() + ": " + drop.detail());
        }
        return ((Outcome.Emit) outcome).row();
    }

    static byte[] stored(Row row) {
        ByteBuffer buffer = ((ByteBuffer) row.value("image").orElseThrow()).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    static Pixels decode(byte[] file) {
        try {
            return ImageDecoder.decode(file, ImageDecoder.DEFAULT_MAX_PIXELS, 0xffffff).pixels();
        }
        catch (ImageRejection e) {
            throw new AssertionError(e.reason() + ": " + e.detail());
        }
    }

    static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new AssertionError("no " + format + " writer");
            }
            return out.toByteArray();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JPEG with the value of its EXIF orientation tag (IFD0, 0x0112) replaced. */
    static byte[] withOrientation(byte[] jpeg, int orientation) {
        byte[] copy = jpeg.clone();
        int app1 = 2;
        int tiff = app1 + 10; // marker, length, "Exif\0\0"
        ByteOrder order = copy[tiff] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ByteBuffer buffer = ByteBuffer.wrap(copy).order(order);
        int ifd0 = tiff + buffer.getInt(tiff + 4);
        int entries = buffer.getShort(ifd0) & 0xffff;
        for (int i = 0; i < entries; i++) {
            int entry = ifd0 + 2 + 12 * i;
            if ((buffer.getShort(entry) & 0xffff) == 0x0112) {
                buffer.putShort(entry + 8, (short) orientation);
                return copy;
            }
        }
        throw new AssertionError("no orientation tag");
    }

    /** The PNG with {@code chunk} inserted after IHDR. */
    static byte[] withPngChunk(byte[] png, String type, byte[] data) {
        int afterHeader = 8 + 8 + 13 + 4;
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
        chunk.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + data.length);
        chunk.putInt((int) crc.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterHeader);
        out.writeBytes(chunk.array());
        out.write(png, afterHeader, png.length - afterHeader);
        return out.toByteArray();
    }

    /** A PNG whose header claims {@code width} x {@code height} pixels, with no pixel data worth decoding. */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(signature);
        byte[] withHeader = out.toByteArray();
        ByteBuffer ihdr = ByteBuffer.allocate(25);
        ihdr.putInt(13).put("IHDR".getBytes(StandardCharsets.ISO_8859_1)).put(header.array());
        CRC32 crc = new CRC32();
        crc.update(ihdr.array(), 4, 17);
        ihdr.putInt((int) crc.getValue());
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(withHeader);
        png.writeBytes(ihdr.array());
        return withPngChunk(png.toByteArray(), "IEND", new byte[0]);
    }

    /** The APP1 Exif segment's payload of a JPEG (after the "Exif\0\0" header). */
    static byte[] exifPayload(byte[] jpeg) {
        int length = (jpeg[4] & 0xff) << 8 | jpeg[5] & 0xff;
        byte[] payload = new byte[length - 8];
        System.arraycopy(jpeg, 12, payload, 0, payload.length);
        return payload;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
