package io.kiln.transform.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ImageEncoderTest {
    @Test
    void pngBytesAreTheJdkWritersBytes() {
        Random random = new Random(7);
        for (int[] size : new int[][] {{1, 1}, {300, 200}, {4000, 3}, {3, 5000}, {256, 256}, {97, 61}}) {
            int[] noise = new int[size[0] * size[1]];
            Arrays.setAll(noise, i -> random.nextInt() & 0xffffff);
            int[] flat = new int[noise.length];
            Arrays.fill(flat, 0x336699);
            int[] ramp = new int[noise.length];
            Arrays.setAll(ramp, i -> (i % size[0]) * 0x010203 & 0xffffff);
            for (int[] rgb : new int[][] {noise, flat, ramp}) {
                Pixels pixels = new Pixels(size[0], size[1], rgb);
                assertThat(ImageEncoder.png(pixels)).as("%dx%d", size[0], size[1]).isEqualTo(ImageEncoder.imageio(pixels, ImageEncoder.Format.PNG, 90));
            }
        }
        for (String name : new String[] {"camera.png", "coins.png", "rocket.jpg", "palette_color.png", "clock_motion.png"}) {
            Pixels pixels = TestImages.decode(TestImages.bytes(name));
            assertThat(ImageEncoder.encode(pixels, ImageEncoder.Format.PNG, 90)).as(name).isEqualTo(ImageEncoder.imageio(pixels, ImageEncoder.Format.PNG, 90));
        }
    }

    @Test
    void aLargeNoisyImageSpansSeveralIdatChunksAndDecodesToItsPixels() {
        Random random = new Random(3);
        int[] rgb = new int[640 * 480];
        Arrays.setAll(rgb, i -> random.nextInt() & 0xffffff);
        Pixels pixels = new Pixels(640, 480, rgb);
        byte[] png = ImageEncoder.encode(pixels, ImageEncoder.Format.PNG, 90);
        assertThat(png.length).isGreaterThan(3 * 32_768);
        assertThat(TestImages.decode(png).rgb()).isEqualTo(rgb);
    }
}
