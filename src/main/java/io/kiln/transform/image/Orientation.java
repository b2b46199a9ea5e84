package io.kiln.transform.image;

/**
 * The EXIF orientation (tag 0x0112, values 1 to 8): how the stored pixels must be flipped or rotated
 * to be seen upright. ImageIO ignores it; Kiln applies it, so that stored images are upright and
 * carry no orientation tag.
 */
public final class Orientation {
    private Orientation() {}

    /** Whether the value is one that {@link #apply} turns (2 to 8). */
    public static boolean changesPixels(int orientation) {
        return orientation >= 2 && orientation <= 8;
    }

    /** The image as it is meant to be seen; an unknown value leaves it as it is. */
    public static Pixels apply(Pixels image, int orientation) {
        if (!changesPixels(orientation)) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        int[] in = image.rgb();
        boolean swap = orientation >= 5;
        int outWidth = swap ? h : w;
        int outHeight = swap ? w : h;
        int[] out = new int[in.length];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                int sourceX;
                int sourceY;
                switch (orientation) {
                    case 2 -> { sourceX = w - 1 - x; sourceY = y; }
                    case 3 -> { sourceX = w - 1 - x; sourceY = h - 1 - y; }
                    case 4 -> { sourceX = x; sourceY = h - 1 - y; }
                    case 5 -> { sourceX = y; sourceY = x; }
                    case 6 -> { sourceX = y; sourceY = h - 1 - x; }
                    case 7 -> { sourceX = w - 1 - y; sourceY = h - 1 - x; }
                    default -> { sourceX = w - 1 - y; sourceY = x; }
                }
                out[y * outWidth + x] = in[sourceY * w + sourceX];
            }
        }
        return new Pixels(outWidth, outHeight, out);
    }
}
