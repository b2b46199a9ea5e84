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
}
