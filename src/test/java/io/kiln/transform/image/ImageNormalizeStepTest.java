package io.kiln.transform.image;

import static io.kiln.transform.image.TestImages.bytes;
import static io.kiln.transform.image.TestImages.contains;
import static io.kiln.transform.image.TestImages.decode;
import static io.kiln.transform.image.TestImages.emitted;
import static io.kiln.transform.image.TestImages.normalize;
import static io.kiln.transform.image.TestImages.row;
import static io.kiln.transform.image.TestImages.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.GpsDirectory;

import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.Transform;

class ImageNormalizeStepTest {
    private static final String PHOTO = "gps-orientation-3.jpg";

    @Test
    void gpsIsGoneFromTheStoredImageAndTheOrientationIsApplied() throws Exception {
        byte[] original = bytes(PHOTO);
        for (String encode : List.of("original", "png", "jpeg")) {
            Row row = emitted(normalize(Map.of("encode", encode)).apply(row("photo", original)));
            byte[] image = stored(row);
            assertThat(row.value("gps_present")).contains(true);
            assertThat(row.value("camera_make")).contains("Xiaomi");
            assertThat(row.value("camera_model")).contains("Mi A3");
            assertThat(row.value("captured_at")).contains("2020-01-24T23:11:53");
            assertThat(row.value("orientation")).contains(3);
            Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(image), image.length);
            assertThat(metadata.getDirectoriesOfType(GpsDirectory.class)).as("GPS in the %s image", encode).isEmpty();
            assertThat(metadata.getDirectoriesOfType(ExifIFD0Directory.class)).as("EXIF in the %s image", encode).isEmpty();
            // no byte sequence of the original's EXIF (camera, GPS rationals, thumbnail) survives anywhere in the file
            // (but the standard tables that every JPEG encoder writes, as the thumbnail does: those are in any JPEG of other pixels)
            byte[] exif = TestImages.exifPayload(original);
            byte[] unrelated = ImageEncoder.encode(decode(bytes("coins.png")), ImageEncoder.Format.JPEG, 90);
            for (int offset = 0; offset + 16 <= exif.length; offset += 16) {
                byte[] window = java.util.Arrays.copyOfRange(exif, offset, offset + 16);
                if (new String(window, StandardCharsets.ISO_8859_1).chars().distinct().count() > 4 && !contains(unrelated, window)) {
                    assertThat(contains(image, window)).as("EXIF bytes at %d in the %s image", offset, encode).isFalse();
                }
            }
            assertThat(contains(image, "Xiaomi".getBytes(StandardCharsets.US_ASCII))).isFalse();
            assertThat(contains(image, "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1))).isFalse();
        }
        // orientation 3 is a half turn: exact with a lossless encoding
        Pixels source = decode(original);
        Pixels upright = decode(stored(emitted(normalize(Map.of("encode", "png")).apply(row("photo", original)))));
        assertThat(upright.width()).isEqualTo(source.width());
        for (int y = 0; y < source.height(); y += 7) {
            for (int x = 0; x < source.width(); x += 5) {
                assertThat(upright.rgb()[(source.height() - 1 - y) * source.width() + source.width() - 1 - x]).isEqualTo(source.rgb()[y * source.width() + x]);
            }
        }
    }

    @Test
    void aQuarterTurnSwapsTheSides() {
        byte[] turned = TestImages.withOrientation(bytes(PHOTO), 6);
        Row row = emitted(normalize(Map.of("encode", "png")).apply(row("turned", turned)));
        assertThat(row.value("width")).contains(300);
        assertThat(row.value("height")).contains(400);
        Pixels source = decode(turned);
        Pixels upright = decode(stored(row));
        assertThat(upright.width()).isEqualTo(300);
        int h = source.height();
        for (int y = 0; y < upright.height(); y += 11) {
            for (int x = 0; x < upright.width(); x += 7) {
                // rotated 90 degrees clockwise: the top-left pixel comes from the bottom-left
                assertThat(upright.rgb()[y * upright.width() + x]).isEqualTo(source.rgb()[(h - 1 - x) * source.width() + y]);
            }
        }
    }

    @Test
    void anUprightJpegIsStrippedWithoutReencoding() throws Exception {
        byte[] upright = TestImages.withOrientation(bytes(PHOTO), 1);
        Row row = emitted(normalize(Map.of()).apply(row("photo", upright)));
        byte[] image = stored(row);
        assertThat(row.value("stored_format")).contains("jpeg");
        assertThat(row.value("gps_present")).contains(true);
        assertThat(image.length).isLessThan(upright.length - 9000);
        // the compressed pixels are the original's, byte for byte: everything after the EXIF segment
        int exifEnd = 4 + ((upright[4] & 0xff) << 8 | upright[5] & 0xff);
        byte[] rest = java.util.Arrays.copyOfRange(upright, exifEnd, upright.length);
        assertThat(java.util.Arrays.copyOfRange(image, image.length - rest.length, image.length)).isEqualTo(rest);
        assertThat(decode(image).rgb()).isEqualTo(decode(upright).rgb());
        assertThat(row.value("pixel_sha256")).contains(decode(upright).sha256());
        Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(image), image.length);
        assertThat(metadata.getDirectoriesOfType(GpsDirectory.class)).isEmpty();
    }

    @Test
    void aProgressiveJpegLosesItsExifCommentAndTrailerWithoutReencoding() throws Exception {
        // a progressive JPEG (several scans, tables between them) from the JDK's writer, given the photo's EXIF segment and a comment
        Pixels photo = decode(bytes("rocket.jpg"));
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
        java.io.ByteArrayOutputStream encoded = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.MemoryCacheImageOutputStream out = new javax.imageio.stream.MemoryCacheImageOutputStream(encoded)) {
            writer.setOutput(out);
            javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new javax.imageio.IIOImage(ImageEncoder.image(photo), null, null), param);
        }
        writer.dispose();
        byte[] progressive = encoded.toByteArray();
        byte[] upright = TestImages.withOrientation(bytes(PHOTO), 1);
        int exifLength = 2 + ((upright[4] & 0xff) << 8 | upright[5] & 0xff);
        byte[] comment = {(byte) 0xff, (byte) 0xfe, 0, 14, 'h', 'o', 'm', 'e', ' ', 'a', 'd', 'd', 'r', 'e', 's', 's'};
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.write(progressive, 0, 2);
        file.write(upright, 2, exifLength);
        file.write(comment);
        file.write(progressive, 2, progressive.length - 2);
        file.write("trailing bytes after the image".getBytes(StandardCharsets.US_ASCII));
        byte[] withMetadata = file.toByteArray();

        Row row = emitted(normalize(Map.of()).apply(row("progressive", withMetadata)));
        byte[] image = stored(row);
        assertThat(row.value("gps_present")).contains(true);
        assertThat(java.util.Arrays.equals(java.util.Arrays.copyOfRange(image, 2, image.length), java.util.Arrays.copyOfRange(progressive, 2, progressive.length)))
                .as("the stored file is the progressive JPEG without the EXIF, the comment and the trailer").isTrue();
        assertThat(decode(image).rgb()).isEqualTo(decode(progressive).rgb());
    }

    @Test
    void pngTextTimeAndExifChunksAreStrippedLosslessly() {
        byte[] gps = TestImages.exifPayload(TestImages.withOrientation(bytes(PHOTO), 1));
        byte[] png = bytes("camera.png");
        png = TestImages.withPngChunk(png, "tEXt", "Comment\0my home is at the secret place".getBytes(StandardCharsets.ISO_8859_1));
        png = TestImages.withPngChunk(png, "tIME", new byte[] {0x07, (byte) 0xe4, 1, 24, 23, 11, 53});
        png = TestImages.withPngChunk(png, "eXIf", gps);
        png = TestImages.withPngChunk(png, "iTXt", "XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta exif:GPSLatitude='15,50.1S'/>".getBytes(StandardCharsets.UTF_8));
        Row row = emitted(normalize(Map.of()).apply(row("camera", png)));
        byte[] image = stored(row);
        assertThat(row.value("gps_present")).contains(true);
        assertThat(java.util.Arrays.equals(image, bytes("camera.png"))).as("stored bytes are the original PNG's").isTrue();
        for (String chunk : List.of("tEXt", "tIME", "eXIf", "iTXt", "secret", "GPS")) {
            assertThat(contains(image, chunk.getBytes(StandardCharsets.ISO_8859_1))).as(chunk).isFalse();
        }
    }

    @Test
    void readsEveryFormatTheIssueNames() {
        java.awt.image.BufferedImage coins = io.kiln.transform.image.ImageEncoder.image(decode(bytes("coins.png")));
        Map<String, byte[]> files = Map.of(
                "jpeg", bytes("rocket.jpg"), "jpeg-cmyk", bytes("rocket-cmyk.jpg"), "png", bytes("camera.png"),
                "gif", bytes("no_time_for_that_tiny.gif"), "bmp", TestImages.encode(coins, "bmp"), "webp", bytes("coins.webp"),
                "tiff", bytes("multipage_rgb.tif"));
        files.forEach((name, file) -> {
            Row row = emitted(normalize(Map.of("resize", "fit", "width", 32, "height", 32)).apply(row(name, file)));
            assertThat(row.value("format")).as(name).contains(name.replace("-cmyk", ""));
            assertThat(row.value("stored_width")).as(name).isNotEmpty();
        });
        Row cmyk = emitted(normalize(Map.of()).apply(row("cmyk", bytes("rocket-cmyk.jpg"))));
        assertThat(cmyk.value("channels")).contains(4);
        // converted to RGB: the same picture as the RGB original, halved
        Pixels rgb = Resampler.resize(decode(bytes("rocket.jpg")), 320, 214, Resampler.Filter.BILINEAR);
        Pixels converted = decode(stored(cmyk));
        long difference = 0;
        for (int i = 0; i < rgb.rgb().length; i++) {
            difference += Math.abs(Pixels.luma(rgb.rgb()[i]) - Pixels.luma(converted.rgb()[i]));
        }
        assertThat((double) difference / rgb.rgb().length).isLessThan(12);
    }

    @Test
    void badImagesAreDroppedWithTheirReason() {
        Transform step = normalize(Map.of());
        byte[] rocket = bytes("rocket.jpg");
        assertThat(reason(step.apply(row("cut", java.util.Arrays.copyOf(rocket, rocket.length / 2))))).isEqualTo("corrupt-image");
        assertThat(reason(step.apply(row("truncated", bytes("truncated.jpg"))))).isEqualTo("corrupt-image");
        assertThat(reason(step.apply(row("text", "not an image".getBytes(StandardCharsets.UTF_8))))).isEqualTo("unsupported-format");
        assertThat(reason(step.apply(row("empty", new byte[0])))).isEqualTo("unsupported-format");
        Outcome bomb = step.apply(row("bomb", TestImages.pngHeaderOnly(100_000, 100_000)));
        assertThat(reason(bomb)).isEqualTo("too-many-pixels");
        assertThat(((Outcome.Drop) bomb).detail()).contains("100000x100000", "89478485");
    }

    @Test
    void resizeModesGiveTheirSizes() {
        byte[] rocket = bytes("rocket.jpg"); // 640x427
        assertThat(size(Map.of("resize", "fit", "width", 100, "height", 100), rocket)).containsExactly(100, 67);
        assertThat(size(Map.of("resize", "crop", "width", 100, "height", 100), rocket)).containsExactly(100, 100);
        assertThat(size(Map.of("resize", "pad", "width", 100, "height", 100), rocket)).containsExactly(100, 100);
        assertThat(size(Map.of("resize", "fit", "width", 1000, "height", 1000), rocket)).containsExactly(640, 427);
        assertThat(size(Map.of("resize", "fit", "width", 1280, "height", 1000, "upscale", true), rocket)).containsExactly(1280, 854);
        assertThatThrownBy(() -> normalize(Map.of("resize", "fit", "width", 10))).isInstanceOf(InvalidStepParameterException.class).hasMessageContaining("is required with resize fit");
        assertThatThrownBy(() -> normalize(Map.of("width", 10))).isInstanceOf(InvalidStepParameterException.class).hasMessageContaining("resize");
        assertThatThrownBy(() -> normalize(Map.of("background", "white"))).isInstanceOf(InvalidStepParameterException.class).hasMessageContaining("#rrggbb");
    }

    @Test
    void outputIsIdenticalAcrossThreadCounts() throws Exception {
        List<String> names = List.of("rocket.jpg", "rocket-cmyk.jpg", "camera.png", "coins.png", "coins.webp", "moon.png", "horse.png", "text.png",
                "clock_motion.png", PHOTO, "palette_color.png", "no_time_for_that_tiny.gif", "multipage_rgb.tif");
        List<Map<String, Object>> steps = List.of(Map.of("resize", "fit", "width", 96, "height", 96), Map.of("resize", "crop", "width", 64, "height", 48,
                "filter", "lanczos"), Map.of("encode", "jpeg", "quality", 80));
        for (Map<String, Object> parameters : steps) {
            Transform step = normalize(parameters);
            List<String> one = run(step, names, 1);
            assertThat(run(step, names, 4)).as("%s", parameters).isEqualTo(one);
            List<String> reversed = new ArrayList<>(names);
            java.util.Collections.reverse(reversed);
            List<String> backwards = run(step, reversed, 3);
            java.util.Collections.reverse(backwards);
            assertThat(backwards).isEqualTo(one);
        }
    }

    private static List<String> run(Transform step, List<String> names, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (String name : names) {
                results.add(pool.submit(() -> {
                    Row row = emitted(step.apply(row(name, bytes(name))));
                    return name + " " + io.kiln.transform.Values.sha256(java.nio.ByteBuffer.wrap(stored(row))) + " " + row.value("pixel_sha256").orElseThrow() + " " + row.value("phash").orElseThrow();
                }));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> result : results) {
                out.add(result.get());
            }
            return out;
        }
        finally {
            pool.shutdown();
        }
    }

    private static List<Integer> size(Map<String, Object> parameters, byte[] image) {
        Row row = emitted(normalize(parameters).apply(row("image", image)));
        Pixels stored = decode(stored(row));
        assertThat(row.value("stored_width")).contains(stored.width());
        return List.of(stored.width(), stored.height());
    }

    private static String reason(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Drop.class);
        return ((Outcome.Drop) outcome).reason();
    }
}
