package io.kiln.transform.image;

import java.io.ByteArrayInputStream;
import java.util.Optional;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.GpsDirectory;
import com.drew.metadata.icc.IccDirectory;
import com.drew.metadata.xmp.XmpDirectory;

/**
 * The metadata fields that Kiln keeps as columns, read with metadata-extractor from EXIF, XMP, IPTC
 * and ICC: camera make and model, the capture time as the camera wrote it (EXIF has no time zone,
 * so it stays local time, ISO-8601 without an offset), the EXIF orientation, and whether the file
 * carried a location (an EXIF GPS directory with any tag, or XMP {@code exif:GPS*} properties).
 * Unreadable metadata is no metadata: it never rejects an image whose pixels decode.
 */
public record ImageMetadata(Optional<String> cameraMake, Optional<String> cameraModel, Optional<String> capturedAt, int orientation, boolean gps,
        boolean icc) {
    public static final ImageMetadata NONE = new ImageMetadata(Optional.empty(), Optional.empty(), Optional.empty(), 1, false, false);

    public static ImageMetadata read(byte[] file) {
        Metadata metadata;
        try {
            metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(file), file.length);
        }
        catch (Exception | StackOverflowError e) {
            return NONE;
        }
        Optional<String> make = Optional.empty();
        Optional<String> model = Optional.empty();
        int orientation = 1;
        ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        if (ifd0 != null) {
            make = clean(ifd0.getString(ExifIFD0Directory.TAG_MAKE));
            model = clean(ifd0.getString(ExifIFD0Directory.TAG_MODEL));
            Integer value = ifd0.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
            orientation = value == null ? 1 : value;
        }
        Optional<String> captured = Optional.empty();
        ExifSubIFDDirectory sub = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
        if (sub != null) {
            captured = clean(sub.getString(ExifSubIFDDirectory.TAG_DATETIME_ORIGINAL)).flatMap(ImageMetadata::isoLocal);
        }
        boolean gps = false;
        for (GpsDirectory directory : metadata.getDirectoriesOfType(GpsDirectory.class)) {
            gps |= directory.getTagCount() > 0;
        }
        for (XmpDirectory directory : metadata.getDirectoriesOfType(XmpDirectory.class)) {
            gps |= directory.getXmpProperties().keySet().stream().anyMatch(key -> key.contains(":GPS"));
        }
        boolean icc = false;
        for (Directory directory : metadata.getDirectoriesOfType(IccDirectory.class)) {
            icc |= directory.getTagCount() > 0;
        }
        return new ImageMetadata(make, model, captured, orientation, gps, icc);
    }

    private static Optional<String> clean(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = value.replace("\0", "").strip();
        return trimmed.isEmpty() ? Optional.empty() : Optional.of(trimmed.length() > 256 ? trimmed.substring(0, 256) : trimmed);
    }

    /** {@code 2020:01:24 23:11:53} as {@code 2020-01-24T23:11:53}; anything else is not a time. */
    static Optional<String> isoLocal(String exif) {
        if (!exif.matches("\\d{4}:\\d{2}:\\d{2} \\d{2}:\\d{2}:\\d{2}.*") || exif.startsWith("0000")) {
            return Optional.empty();
        }
        return Optional.of(exif.substring(0, 4) + "-" + exif.substring(5, 7) + "-" + exif.substring(8, 10) + "T" + exif.substring(11, 19));
    }
}
