package io.kiln.transform.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * Removes metadata from JPEG and PNG files without decoding or re-encoding their pixels: the
 * compressed image data is copied byte for byte.
 *
 * <p>JPEG: every APPn segment goes (APP1 Exif and XMP, APP13 IPTC/Photoshop, maker segments) but
 * APP0 JFIF and APP14 Adobe, which say how to read the pixels, and APP2 ICC when the profile is
 * kept; every COM goes; so does anything after the end-of-image marker (trailers can carry whole
 * thumbnails or videos with their own GPS). PNG: only the chunks that define the pixels are kept
 * (IHDR, PLTE, IDAT, IEND, tRNS, gAMA, cHRM, sRGB, sBIT, pHYs, and iCCP when the profile is kept);
 * tEXt, iTXt, zTXt, eXIf, tIME and any other go, as does anything after IEND.
 *
 * <p>A file whose structure the stripper does not follow gives empty: the caller re-encodes it.
 */
public final class MetadataStripper {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final Set<String> PNG_KEPT = Set.of("IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "pHYs");

    private MetadataStripper() {}

    public static Optional<byte[]> strip(String format, byte[] file, boolean keepIcc) {
        return switch (format) {
            case "jpeg" -> jpeg(file, keepIcc);
            case "png" -> png(file, keepIcc);
            default -> Optional.empty();
        };
    }

    static Optional<byte[]> jpeg(byte[] in, boolean keepIcc) {
        if (in.length < 4 || (in[0] & 0xff) != 0xff || (in[1] & 0xff) != 0xd8) {
            return Optional.empty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        out.write(in, 0, 2);
        int i = 2;
        while (i < in.length) {
            if ((in[i] & 0xff) != 0xff || i + 1 >= in.length) {
                return Optional.empty();
            }
            int marker = in[i + 1] & 0xff;
            if (marker == 0xff) {
                i++; // fill byte
                continue;
            }
            if (marker == 0xd9) {
                out.write(in, i, 2);
                return Optional.of(out.toByteArray());
            }
            if (marker == 0x01 || marker >= 0xd0 && marker <= 0xd7) {
                out.write(in, i, 2);
                i += 2;
                continue;
            }
            if (i + 3 >= in.length) {
                return Optional.empty();
            }
            int length = (in[i + 2] & 0xff) << 8 | in[i + 3] & 0xff;
            int end = i + 2 + length;
            if (length < 2 || end > in.length) {
                return Optional.empty();
            }
            if (keepSegment(marker, in, i + 4, length - 2, keepIcc)) {
                out.write(in, i, end - i);
            }
            i = end;
            if (marker == 0xda) {
                // entropy-coded data up to the next marker that is not a stuffed zero or a restart
                int scan = i;
                while (scan + 1 < in.length) {
                    if ((in[scan] & 0xff) == 0xff) {
                        int next = in[scan + 1] & 0xff;
                        if (next != 0 && !(next >= 0xd0 && next <= 0xd7) && next != 0xff) {
                            break;
                        }
                    }
                    scan++;
                }
                if (scan + 1 >= in.length) {
                    return Optional.empty();
                }
                out.write(in, i, scan - i);
                i = scan;
            }
        }
        return Optional.empty();
    }

    private static boolean keepSegment(int marker, byte[] in, int offset, int length, boolean keepIcc) {
        if (marker == 0xfe) {
            return false; // COM
        }
        if (marker < 0xe0 || marker > 0xef) {
            return true; // tables, frame and scan headers
        }
        return switch (marker) {
            case 0xe0 -> startsWith(in, offset, length, "JFIF\0");
            case 0xe2 -> keepIcc && startsWith(in, offset, length, "ICC_PROFILE\0");
            case 0xee -> startsWith(in, offset, length, "Adobe");
            default -> false;
        };
    }

    private static boolean startsWith(byte[] in, int offset, int length, String prefix) {
        byte[] expected = prefix.getBytes(StandardCharsets.ISO_8859_1);
        if (length < expected.length) {
            return false;
        }
        for (int k = 0; k < expected.length; k++) {
            if (in[offset + k] != expected[k]) {
                return false;
            }
        }
        return true;
    }

    static Optional<byte[]> png(byte[] in, boolean keepIcc) {
        if (in.length < PNG_SIGNATURE.length) {
            return Optional.empty();
        }
        for (int k = 0; k < PNG_SIGNATURE.length; k++) {
            if (in[k] != PNG_SIGNATURE[k]) {
                return Optional.empty();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        out.write(in, 0, PNG_SIGNATURE.length);
        int i = PNG_SIGNATURE.length;
        while (i + 8 <= in.length) {
            long length = (in[i] & 0xffL) << 24 | (in[i + 1] & 0xff) << 16 | (in[i + 2] & 0xff) << 8 | in[i + 3] & 0xff;
            String type = new String(in, i + 4, 4, StandardCharsets.ISO_8859_1);
            long end = i + 12 + length;
            if (end > in.length) {
                return Optional.empty();
            }
            if (PNG_KEPT.contains(type) || keepIcc && type.equals("iCCP")) {
                out.write(in, i, (int) (end - i));
            }
            if (type.equals("IEND")) {
                return Optional.of(out.toByteArray());
            }
            i = (int) end;
        }
        return Optional.empty();
    }
}
