package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.junit.jupiter.api.Test;

/**
 * Landmark sets of Asterisk's English prompts (8 kHz speech, one voice) against edited copies of
 * themselves and against each other. Measured (printed), mean and lowest Jaccard over ten prompts:
 * -6 dB gain 1.000 / 1.000, white noise at 20 dB SNR 0.795 / 0.636, G.711 mu-law round trip 0.987 /
 * 0.958, the first 10 % trimmed 0.841 / 0.626; two different prompts 0.0024 on average, 0.0125 at
 * most (45 pairs).
 */
class AudioFingerprintTest {
    private static final int RATE = 8000;
    private static final List<String> PROMPTS = List.of("agent-pass", "vm-goodbye", "agent-incorrect", "auth-thankyou", "conf-onlyperson", "vm-password", "vm-intro",
            "demo-congrats", "pbx-invalid", "tt-monkeys");

    private final AudioFingerprint fingerprint = AudioFingerprint.withDefaults(RATE);

    @Test
    void aGainChangeOfMinusSixDecibelsKeepsTheHashes() {
        Similarities similarities = similarities("-6 dB gain", samples -> {
            float[] quieter = samples.clone();
            float gain = (float) Math.pow(10, -6 / 20.0);
            for (int i = 0; i < quieter.length; i++) {
                quieter[i] *= gain;
            }
            return quieter;
        });
        assertThat(similarities.lowest()).isGreaterThan(0.95);
    }

    @Test
    void noiseAtTwentyDecibelsSnrKeepsMostHashesAndFarMoreThanAnotherPromptShares() {
        Similarities similarities = similarities("noise at 20 dB SNR", samples -> {
            double power = 0;
            for (float sample : samples) {
                power += (double) sample * sample;
            }
            double deviation = Math.sqrt(power / samples.length / 100);
            Random random = new Random(29);
            float[] noisy = samples.clone();
            for (int i = 0; i < noisy.length; i++) {
                noisy[i] += (float) (deviation * random.nextGaussian());
            }
            return noisy;
        });
        assertThat(similarities.mean()).isGreaterThan(0.6);
        assertThat(similarities.lowest()).isGreaterThan(0.3).isGreaterThan(10 * largestBetweenDifferentPrompts());
    }

    @Test
    void aMuLawRoundTripKeepsTheHashes() {
        Similarities similarities = similarities("mu-law round trip", AudioFingerprintTest::muLawRoundTrip);
        assertThat(similarities.mean()).isGreaterThan(0.95);
        assertThat(similarities.lowest()).isGreaterThan(0.9);
    }

    @Test
    void trimmingTheFirstTenPercentKeepsTheHashesOfTheRest() {
        Similarities similarities = similarities("first 10 % trimmed", samples -> Arrays.copyOfRange(samples, samples.length / 10, samples.length));
        assertThat(similarities.mean()).isGreaterThan(0.7);
        assertThat(similarities.lowest()).isGreaterThan(0.45);
    }

    @Test
    void differentPromptsShareAlmostNoHashes() {
        assertThat(largestBetweenDifferentPrompts()).isLessThan(0.05);
    }

    @Test
    void hashesAreSortedAndDistinctAndSilenceHasNone() {
        long[] hashes = fingerprint.hashes(EnergyVadTest.asteriskPrompt("agent-pass").samples());
        assertThat(hashes).hasSizeGreaterThan(50).isSorted().doesNotHaveDuplicates();
        assertThat(fingerprint.hashes(new float[RATE])).isEmpty();
        assertThat(fingerprint.hashes(new float[0])).isEmpty();
    }

    @Test
    void isBitIdenticalAcrossRunsAndThreads() throws Exception {
        float[] samples = EnergyVadTest.asteriskPrompt("conf-onlyperson").samples();
        long[] first = fingerprint.hashes(samples);
        assertThat(AudioFingerprint.withDefaults(RATE).hashes(samples)).isEqualTo(first);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<long[]>> tasks = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                tasks.add(() -> fingerprint.hashes(samples));
            }
            for (Future<long[]> hashes : pool.invokeAll(tasks)) {
                assertThat(hashes.get()).isEqualTo(first);
            }
        }
        finally {
            pool.shutdown();
        }
    }

    @Test
    void jaccardIsTheSharedFractionOfTheUnion() {
        assertThat(io.kiln.dedup.MinHasher.jaccard(new long[] {1, 2, 3}, new long[] {2, 3, 4, 5})).isEqualTo(0.4);
        assertThat(io.kiln.dedup.MinHasher.jaccard(new long[0], new long[0])).isZero();
        assertThat(io.kiln.dedup.MinHasher.jaccard(new long[] {-7}, new long[0])).isZero();
    }

    @Test
    void defaultsScaleTheWindowWithTheSampleRate() {
        assertThat(AudioFingerprint.Parameters.defaults(8000)).isEqualTo(new AudioFingerprint.Parameters(8000, 512, 32, 6, 16, 60, 10, 5, 255, 96, 4));
        assertThat(AudioFingerprint.Parameters.defaults(16_000).fftSize()).isEqualTo(1024);
        assertThat(AudioFingerprint.Parameters.defaults(16_000).hopLength()).isEqualTo(64);
    }

    @Test
    void rejectsParametersWithMessagesNamingThem() {
        assertThatThrownBy(() -> new AudioFingerprint.Parameters(8000, 500, 32, 6, 16, 60, 10, 5, 255, 96, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fftSize must be a power of two at least 16, was 500");
        assertThatThrownBy(() -> new AudioFingerprint.Parameters(8000, 512, 32, 6, 16, 60, 10, 5, 2000, 96, 4))
                .hasMessage("maxFrameDelta must be between timeStep = 4 and 255 timeSteps = 1020, was 2000");
        assertThatThrownBy(() -> new AudioFingerprint.Parameters(8000, 512, 1024, 6, 16, 60, 10, 5, 255, 96, 4))
                .hasMessage("hopLength must be between 1 and fftSize = 512, was 1024");
    }

    private record Similarities(double mean, double lowest) {
    }

    private Similarities similarities(String edit, UnaryOperator<float[]> change) {
        double sum = 0;
        double lowest = 1;
        StringBuilder each = new StringBuilder();
        for (String name : PROMPTS) {
            float[] samples = EnergyVadTest.asteriskPrompt(name).samples();
            double similarity = io.kiln.dedup.MinHasher.jaccard(fingerprint.hashes(samples), fingerprint.hashes(change.apply(samples)));
            sum += similarity;
            lowest = Math.min(lowest, similarity);
            each.append(" %s %.3f".formatted(name, similarity));
        }
        Similarities result = new Similarities(sum / PROMPTS.size(), lowest);
        System.out.printf("%s: Jaccard mean %.3f, lowest %.3f:%s%n", edit, result.mean(), result.lowest(), each);
        return result;
    }

    private double largestBetweenDifferentPrompts() {
        List<long[]> sets = new ArrayList<>();
        for (String name : PROMPTS) {
            sets.add(fingerprint.hashes(EnergyVadTest.asteriskPrompt(name).samples()));
        }
        double largest = 0;
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < sets.size(); i++) {
            for (int k = i + 1; k < sets.size(); k++) {
                double similarity = io.kiln.dedup.MinHasher.jaccard(sets.get(i), sets.get(k));
                largest = Math.max(largest, similarity);
                sum += similarity;
                pairs++;
            }
        }
        System.out.printf("different prompts: Jaccard mean %.4f, largest %.4f over %d pairs%n", sum / pairs, largest, pairs);
        return largest;
    }

    /** Encodes to G.711 mu-law and back with the JDK's codec: a lossy re-encoding. */
    private static float[] muLawRoundTrip(float[] samples) {
        byte[] bytes = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            int value = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768)));
            bytes[2 * i] = (byte) value;
            bytes[2 * i + 1] = (byte) (value >> 8);
        }
        AudioFormat pcm = new AudioFormat(RATE, 16, 1, true, false);
        try (AudioInputStream linear = new AudioInputStream(new ByteArrayInputStream(bytes), pcm, samples.length);
                AudioInputStream muLaw = AudioSystem.getAudioInputStream(AudioFormat.Encoding.ULAW, linear)) {
            byte[] encoded = muLaw.readAllBytes();
            try (AudioInputStream decoded = AudioSystem.getAudioInputStream(pcm, new AudioInputStream(new ByteArrayInputStream(encoded), muLaw.getFormat(), encoded.length))) {
                byte[] roundTrip = decoded.readAllBytes();
                float[] result = new float[roundTrip.length / 2];
                for (int i = 0; i < result.length; i++) {
                    result[i] = (short) ((roundTrip[2 * i + 1] << 8) | (roundTrip[2 * i] & 0xff)) / 32768f;
                }
                return result;
            }
        }
        catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
