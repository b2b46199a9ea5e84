package io.kiln.transform.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ResamplerTest {
    @Test
    void aFlatImageStaysFlatAtEveryScaleAndFilter() {
        int[] rgb = new int[997 * 613];
        Arrays.fill(rgb, 0x7f3a10);
        Pixels flat = new Pixels(997, 613, rgb);
        for (Resampler.Filter filter : Resampler.Filter.values()) {
            for (int[] size : new int[][] {{64, 64}, {500, 300}, {13, 611}, {1500, 900}, {1, 1}}) {
                Pixels out = Resampler.resize(flat, size[0], size[1], filter);
                assertThat(Arrays.stream(out.rgb()).distinct().toArray()).as("%s to %dx%d", filter, size[0], size[1]).containsExactly(0x7f3a10);
            }
        }
    }

    @Test
    void blockAveragingBeforeALargeReductionStaysCloseToTheFullConvolution() {
        Pixels camera = TestImages.decode(TestImages.bytes("camera.png")); // 512x512
        // 512 -> 64 averages 4x4 blocks first; 512 -> 200 does not: compare both paths through a common 200 -> 64 step
        Pixels reduced = Resampler.resize(camera, 64, 64, Resampler.Filter.BICUBIC);
        Pixels direct = Resampler.resize(Resampler.resize(camera, 200, 200, Resampler.Filter.BICUBIC), 64, 64, Resampler.Filter.BICUBIC);
        long difference = 0;
        for (int i = 0; i < reduced.rgb().length; i++) {
            difference += Math.abs(Pixels.luma(reduced.rgb()[i]) - Pixels.luma(direct.rgb()[i]));
        }
        assertThat((double) difference / reduced.rgb().length).isLessThan(3.0);
    }

    @Test
    void aMirroredImageResizesToTheMirroredResult() {
        Pixels camera = TestImages.decode(TestImages.bytes("camera.png"));
        int[] mirrored = new int[camera.rgb().length];
        for (int y = 0; y < camera.height(); y++) {
            for (int x = 0; x < camera.width(); x++) {
                mirrored[y * camera.width() + x] = camera.rgb()[y * camera.width() + camera.width() - 1 - x];
            }
        }
        Pixels a = Resampler.resize(camera, 100, 77, Resampler.Filter.LANCZOS);
        Pixels b = Resampler.resize(new Pixels(camera.width(), camera.height(), mirrored), 100, 77, Resampler.Filter.LANCZOS);
        for (int y = 0; y < 77; y++) {
            for (int x = 0; x < 100; x++) {
                assertThat(Math.abs(Pixels.luma(a.rgb()[y * 100 + x]) - Pixels.luma(b.rgb()[y * 100 + 99 - x]))).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void blockAveragesAreTheRoundedMeansOfEachBlockAlsoTwoInOnePass() {
        java.util.Random random = new java.util.Random(11);
        // sizes and factors with partial blocks at the right and bottom, factors above 256 rows and columns, and 1 x n blocks
        int[][] cases = {{97, 61, 7, 7, 31, 31}, {700, 9, 300, 3, 1, 2}, {5, 800, 1, 270, 5, 260}, {1000, 700, 3, 3, 7, 5}, {64, 64, 2, 1, 1, 1}};
        for (int[] c : cases) {
            int[] rgb = new int[c[0] * c[1]];
            java.util.Arrays.setAll(rgb, i -> random.nextInt() & 0xffffff);
            Pixels image = new Pixels(c[0], c[1], rgb);
            Pixels[] both = Resampler.reduce(image, c[2], c[3], c[4], c[5]);
            assertThat(both[0].rgb()).as("%s", Arrays.toString(c)).isEqualTo(means(image, c[2], c[3]).rgb());
            assertThat(both[1].rgb()).as("%s", Arrays.toString(c)).isEqualTo(means(image, c[4], c[5]).rgb());
            assertThat(Resampler.reduce(image, c[2], c[3]).rgb()).isEqualTo(both[0].rgb());
        }
    }

    @Test
    void resizingAfterOneSharedReductionGivesTheResize() {
        Pixels camera = TestImages.decode(TestImages.bytes("camera.png")); // 512x512
        for (Resampler.Filter filter : Resampler.Filter.values()) {
            int[] factors = Resampler.reduction(512, 512, 60, 40);
            assertThat(factors).containsExactly(4, 6);
            Pixels reduced = Resampler.reduce(camera, factors[0], factors[1], 4, 4)[0];
            assertThat(Resampler.resizeReduced(reduced, 60, 40, filter).rgb()).isEqualTo(Resampler.resize(camera, 60, 40, filter).rgb());
        }
        assertThat(Resampler.reduction(512, 512, 512, 512)).containsExactly(1, 1);
    }

    /** Each block's mean, rounded half up, from its definition. */
    private static Pixels means(Pixels image, int factorX, int factorY) {
        int width = (image.width() + factorX - 1) / factorX;
        int height = (image.height() + factorY - 1) / factorY;
        int[] out = new int[width * height];
        for (int by = 0; by < height; by++) {
            for (int bx = 0; bx < width; bx++) {
                long[] sums = new long[3];
                long count = 0;
                for (int y = by * factorY; y < Math.min((by + 1) * factorY, image.height()); y++) {
                    for (int x = bx * factorX; x < Math.min((bx + 1) * factorX, image.width()); x++) {
                        int pixel = image.rgb()[y * image.width() + x];
                        sums[0] += pixel >>> 16 & 0xff;
                        sums[1] += pixel >>> 8 & 0xff;
                        sums[2] += pixel & 0xff;
                        count++;
                    }
                }
                out[by * width + bx] = (int) ((sums[0] + count / 2) / count) << 16 | (int) ((sums[1] + count / 2) / count) << 8 | (int) ((sums[2] + count / 2) / count);
            }
        }
        return new Pixels(width, height, out);
    }
}
