package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.kiln.transform.audio.LogMelSpectrogram.Spectrogram;

import org.jtransforms.utils.CommonUtils;
import org.junit.jupiter.api.Test;

import pl.edu.icm.jlargearrays.ConcurrencyUtils;

class LogMelSpectrogramTest {
    private static final int RATE = 16_000;

    @Test
    void defaultsAreEightyMelsOverTwentyFiveMillisecondWindowsEveryTenMilliseconds() {
        assertThat(LogMelSpectrogram.Parameters.defaults(RATE)).isEqualTo(new LogMelSpectrogram.Parameters(RATE, 80, 400, 160, 512, 0, 8000));
        assertThat(LogMelSpectrogram.Parameters.defaults(8000)).isEqualTo(new LogMelSpectrogram.Parameters(8000, 80, 200, 80, 256, 0, 4000));
    }

    @Test
    void rejectsParametersWithMessagesNamingThem() {
        LogMelSpectrogram.Parameters defaults = LogMelSpectrogram.Parameters.defaults(RATE);
        assertThatThrownBy(() -> defaults.withFrequencies(0, 9000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maximumFrequency must be at most sampleRate/2 = 8000.0, was 9000.0");
        assertThatThrownBy(() -> defaults.withFrequencies(4000, 3000))
                .hasMessage("minimumFrequency must be below maximumFrequency = 3000.0, was 4000.0");
        assertThatThrownBy(() -> defaults.withFftSize(500))
                .hasMessage("fftSize must be a power of two at least windowLength = 400, was 500");
        assertThatThrownBy(() -> defaults.withFftSize(256))
                .hasMessage("fftSize must be a power of two at least windowLength = 400, was 256");
        assertThatThrownBy(() -> defaults.withMels(0)).hasMessage("mels must be positive, was 0");
        assertThatThrownBy(() -> defaults.withWindow(400, 0)).hasMessage("hopLength must be positive, was 0");
        assertThatThrownBy(() -> new LogMelSpectrogram(defaults.withMels(256)))
                .hasMessageStartingWith("mels = 256 leaves band 0 (0.0 to 23.5 Hz) without an FFT bin at fftSize 512 and sampleRate 16000");
    }

    @Test
    void aOneKilohertzSinePeaksInTheBandAroundOneKilohertz() {
        LogMelSpectrogram spectrogram = LogMelSpectrogram.withDefaults(RATE);
        Spectrogram result = spectrogram.compute(sine(1000, 0.5, RATE));
        double[] centres = spectrogram.centreFrequencies();
        for (int frame = 0; frame < result.frames(); frame++) {
            int loudest = loudestBand(result, frame);
            assertThat(lowerCorner(centres, loudest)).isLessThan(1000);
            assertThat(upperCorner(centres, loudest, 8000)).isGreaterThan(1000);
        }
        assertThat(centres[loudestBand(result, 0)]).isCloseTo(1000, within(25.0));
    }

    @Test
    void separatesA440HertzSineFromAThreeKilohertzSine() {
        LogMelSpectrogram spectrogram = LogMelSpectrogram.withDefaults(RATE);
        double[] centres = spectrogram.centreFrequencies();
        int low = loudestBand(spectrogram.compute(sine(440, 0.5, RATE)), 10);
        int high = loudestBand(spectrogram.compute(sine(3000, 0.5, RATE)), 10);
        assertThat(lowerCorner(centres, low)).isLessThan(440);
        assertThat(upperCorner(centres, low, 8000)).isGreaterThan(440);
        assertThat(lowerCorner(centres, high)).isLessThan(3000);
        assertThat(upperCorner(centres, high, 8000)).isGreaterThan(3000);
        assertThat(high - low).isGreaterThan(30);
    }

    @Test
    void matchesANaiveDftThroughLibrosasFilterbankWithinOneInTenThousand() {
        float[] samples = noisyChord(RATE / 4, 3);
        LogMelSpectrogram.Parameters parameters = LogMelSpectrogram.Parameters.defaults(RATE);
        Spectrogram fast = new LogMelSpectrogram(parameters).compute(samples);
        double[][] reference = naiveLogMel(samples, parameters);
        assertThat(fast.frames()).isEqualTo(reference.length);
        for (int frame = 0; frame < fast.frames(); frame++) {
            for (int mel = 0; mel < fast.mels(); mel++) {
                // 1e-4 relative in energy is 1e-4 / ln(10) in log10
                assertThat((double) fast.value(frame, mel)).as("frame %d mel %d", frame, mel).isCloseTo(reference[frame][mel], within(1e-4 / Math.log(10)));
            }
        }
        LogMelSpectrogram.Parameters band = parameters.withMels(40).withFrequencies(300, 6000).withFftSize(1024);
        Spectrogram banded = new LogMelSpectrogram(band).compute(samples);
        double[][] bandedReference = naiveLogMel(samples, band);
        for (int frame = 0; frame < banded.frames(); frame++) {
            for (int mel = 0; mel < banded.mels(); mel++) {
                assertThat((double) banded.value(frame, mel)).isCloseTo(bandedReference[frame][mel], within(1e-4 / Math.log(10)));
            }
        }
    }

    @Test
    void silenceIsTheFloorEverywhere() {
        Spectrogram result = LogMelSpectrogram.withDefaults(RATE).compute(new float[RATE]);
        assertThat(result.values()).containsOnly(-10f);
        assertThat(LogMelSpectrogram.ENERGY_FLOOR).isEqualTo(1e-10);
    }

    @Test
    void frameCountIsOnePlusTheWholeHopsAfterTheFirstWindowAndOneForAShortClip() {
        assertThat(LogMelSpectrogram.frameCount(16_000, 400, 160)).isEqualTo(98);
        assertThat(LogMelSpectrogram.frameCount(560, 400, 160)).isEqualTo(2);
        assertThat(LogMelSpectrogram.frameCount(559, 400, 160)).isEqualTo(1);
        assertThat(LogMelSpectrogram.frameCount(400, 400, 160)).isEqualTo(1);
        assertThat(LogMelSpectrogram.frameCount(100, 400, 160)).isEqualTo(1);
        assertThat(LogMelSpectrogram.frameCount(0, 400, 160)).isEqualTo(1);
        LogMelSpectrogram spectrogram = LogMelSpectrogram.withDefaults(RATE);
        assertThat(spectrogram.compute(new float[16_000]).frames()).isEqualTo(98);
        assertThat(spectrogram.compute(new float[0]).frames()).isEqualTo(1);
    }

    @Test
    void aClipShorterThanAWindowIsOneZeroPaddedFrame() {
        float[] shortClip = noisyChord(100, 5);
        float[] padded = new float[400];
        System.arraycopy(shortClip, 0, padded, 0, shortClip.length);
        LogMelSpectrogram spectrogram = LogMelSpectrogram.withDefaults(RATE);
        assertThat(spectrogram.compute(shortClip)).isEqualTo(spectrogram.compute(padded));
    }

    @Test
    void spectrogramsAreImmutable() {
        Spectrogram result = LogMelSpectrogram.withDefaults(RATE).compute(noisyChord(800, 1));
        float before = result.value(0, 0);
        result.values()[0] = 42f;
        assertThat(result.value(0, 0)).isEqualTo(before);
        assertThatThrownBy(() -> new Spectrogram(2, 3, new float[5])).hasMessage("A 2 x 3 spectrogram cannot hold 5 values");
    }

    @Test
    void isBitIdenticalAcrossRunsAndThreads() throws Exception {
        float[] samples = noisyChord(RATE * 2, 11);
        LogMelSpectrogram spectrogram = LogMelSpectrogram.withDefaults(RATE);
        Spectrogram first = spectrogram.compute(samples);
        assertThat(spectrogram.compute(samples)).isEqualTo(first);
        assertThat(LogMelSpectrogram.withDefaults(RATE).compute(samples)).isEqualTo(first);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<Spectrogram>>> tasks = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                tasks.add(() -> {
                    List<Spectrogram> results = new ArrayList<>();
                    for (int run = 0; run < 5; run++) {
                        results.add(spectrogram.compute(samples));
                    }
                    return results;
                });
            }
            for (Future<List<Spectrogram>> results : pool.invokeAll(tasks)) {
                assertThat(results.get()).containsOnly(first);
            }
        }
        finally {
            pool.shutdown();
        }
    }

    @Test
    void jtransformsThreadsDoNotChangeTheOutputAtSizesItSplits() {
        float[] samples = noisyChord(RATE, 13);
        LogMelSpectrogram spectrogram = new LogMelSpectrogram(LogMelSpectrogram.Parameters.defaults(RATE).withWindow(4096, 1024));
        int threads = ConcurrencyUtils.getNumberOfThreads();
        long twoThreadsFrom = CommonUtils.getThreadsBeginN_1D_FFT_2Threads();
        long fourThreadsFrom = CommonUtils.getThreadsBeginN_1D_FFT_4Threads();
        try {
            ConcurrencyUtils.setNumberOfThreads(1);
            Spectrogram single = spectrogram.compute(samples);
            ConcurrencyUtils.setNumberOfThreads(4);
            CommonUtils.setThreadsBeginN_1D_FFT_2Threads(1024);
            CommonUtils.setThreadsBeginN_1D_FFT_4Threads(2048);
            assertThat(spectrogram.compute(samples)).isEqualTo(single);
        }
        finally {
            ConcurrencyUtils.setNumberOfThreads(threads);
            CommonUtils.setThreadsBeginN_1D_FFT_2Threads(twoThreadsFrom);
            CommonUtils.setThreadsBeginN_1D_FFT_4Threads(fourThreadsFrom);
        }
    }

    @Test
    void slaneyMelScaleIsLinearBelowOneKilohertzAndLogarithmicAbove() {
        assertThat(LogMelSpectrogram.hertzToMel(500)).isCloseTo(7.5, within(1e-12));
        assertThat(LogMelSpectrogram.hertzToMel(1000)).isCloseTo(15, within(1e-12));
        // librosa.hz_to_mel(6400) = 15 + 27 = 42: the log step is ln(6.4) / 27
        assertThat(LogMelSpectrogram.hertzToMel(6400)).isCloseTo(42, within(1e-12));
        for (double hertz : new double[] {0, 60, 999.9, 1000, 3000, 8000}) {
            assertThat(LogMelSpectrogram.melToHertz(LogMelSpectrogram.hertzToMel(hertz))).isCloseTo(hertz, within(1e-9));
        }
    }

    /** The spectrogram by the textbook: an O(n^2) DFT, and librosa.filters.mel's ramps as written there. */
    private static double[][] naiveLogMel(float[] samples, LogMelSpectrogram.Parameters parameters) {
        int n = parameters.fftSize();
        int bins = n / 2 + 1;
        double[] fftFrequencies = new double[bins];
        for (int k = 0; k < bins; k++) {
            fftFrequencies[k] = (double) k * parameters.sampleRate() / n;
        }
        int mels = parameters.mels();
        double minimumMel = LogMelSpectrogram.hertzToMel(parameters.minimumFrequency());
        double maximumMel = LogMelSpectrogram.hertzToMel(parameters.maximumFrequency());
        double[] melFrequencies = new double[mels + 2];
        for (int i = 0; i < mels + 2; i++) {
            melFrequencies[i] = LogMelSpectrogram.melToHertz(minimumMel + (maximumMel - minimumMel) * i / (mels + 1));
        }
        double[][] weights = new double[mels][bins];
        for (int i = 0; i < mels; i++) {
            double enorm = 2.0 / (melFrequencies[i + 2] - melFrequencies[i]);
            for (int k = 0; k < bins; k++) {
                double lower = -(melFrequencies[i] - fftFrequencies[k]) / (melFrequencies[i + 1] - melFrequencies[i]);
                double upper = (melFrequencies[i + 2] - fftFrequencies[k]) / (melFrequencies[i + 2] - melFrequencies[i + 1]);
                weights[i][k] = Math.max(0, Math.min(lower, upper)) * enorm;
            }
        }
        int window = parameters.windowLength();
        int frames = LogMelSpectrogram.frameCount(samples.length, window, parameters.hopLength());
        double[][] result = new double[frames][mels];
        for (int frame = 0; frame < frames; frame++) {
            double[] x = new double[n];
            for (int i = 0; i < window; i++) {
                int index = frame * parameters.hopLength() + i;
                double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / window);
                x[i] = index < samples.length ? samples[index] * hann : 0;
            }
            double[] power = new double[bins];
            for (int k = 0; k < bins; k++) {
                double real = 0;
                double imaginary = 0;
                for (int t = 0; t < n; t++) {
                    double angle = 2 * Math.PI * ((long) k * t % n) / n;
                    real += x[t] * Math.cos(angle);
                    imaginary -= x[t] * Math.sin(angle);
                }
                power[k] = real * real + imaginary * imaginary;
            }
            for (int m = 0; m < mels; m++) {
                double energy = 0;
                for (int k = 0; k < bins; k++) {
                    energy += weights[m][k] * power[k];
                }
                result[frame][m] = Math.log10(Math.max(energy, 1e-10));
            }
        }
        return result;
    }

    private static int loudestBand(Spectrogram result, int frame) {
        int loudest = 0;
        for (int mel = 1; mel < result.mels(); mel++) {
            if (result.value(frame, mel) > result.value(frame, loudest)) {
                loudest = mel;
            }
        }
        return loudest;
    }

    private static double lowerCorner(double[] centres, int band) {
        return band == 0 ? 0 : centres[band - 1];
    }

    private static double upperCorner(double[] centres, int band, double maximumFrequency) {
        return band == centres.length - 1 ? maximumFrequency : centres[band + 1];
    }

    static float[] sine(double frequency, double amplitude, int sampleRate) {
        float[] samples = new float[sampleRate];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) (amplitude * Math.sin(2 * Math.PI * frequency * i / sampleRate));
        }
        return samples;
    }

    /** Three tones and some white noise: energy in every band. */
    private static float[] noisyChord(int length, long seed) {
        Random random = new Random(seed);
        float[] samples = new float[length];
        for (int i = 0; i < length; i++) {
            double t = (double) i / RATE;
            samples[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.2 * Math.sin(2 * Math.PI * 1234.5 * t) + 0.1 * Math.sin(2 * Math.PI * 5000 * t)
                    + 0.05 * random.nextGaussian());
        }
        return samples;
    }
}
