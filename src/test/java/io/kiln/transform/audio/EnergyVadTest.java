package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

import io.kiln.transform.audio.EnergyVad.Segment;

import org.junit.jupiter.api.Test;

/**
 * The energy VAD on real recordings (Asterisk's English prompts, 8 kHz speech; ALSA's speaker-test
 * noise and channel names, 48 kHz) and on synthetic signals whose segments are known to the sample.
 * Measured (printed): speech in 355 of the 358 prompts (the three without are a beep and two
 * 0.2-second tones; tt-monkeys, monkey calls, is found too: energy does not tell a voice from other
 * sounds), none in ALSA's Noise.wav.
 */
class EnergyVadTest {
    static final Path ASTERISK_PROMPTS = Path.of("/usr/share/asterisk/sounds/en");
    static final Path ALSA_SOUNDS = Path.of("/usr/share/sounds/alsa");
    private static final int RATE = 16_000;

    private final EnergyVad vad = EnergyVad.withDefaults();

    /** A decoded WAV file, downmixed to mono. */
    record Clip(float[] samples, int sampleRate) {
    }

    @Test
    void findsSpeechInRealSpeechPrompts() {
        for (String name : List.of("agent-pass", "vm-goodbye", "auth-thankyou", "conf-onlyperson", "vm-intro", "pbx-invalid", "vm-password", "demo-congrats")) {
            Clip clip = asteriskPrompt(name);
            List<Segment> segments = vad.segments(clip.samples(), clip.sampleRate());
            double coverage = (double) segments.stream().mapToLong(Segment::lengthSamples).sum() / clip.samples().length;
            System.out.printf("%s: %d segments covering %.2f of %.2f s%n", name, segments.size(), coverage, (double) clip.samples().length / clip.sampleRate());
            assertThat(segments).as(name).isNotEmpty();
            assertThat(coverage).as(name).isGreaterThan(0.5);
        }
    }

    @Test
    void findsSpeechInEveryPromptLongerThanHalfASecond() throws IOException {
        asteriskPrompt("agent-pass");
        List<Path> files;
        try (Stream<Path> listing = Files.list(ASTERISK_PROMPTS)) {
            files = listing.filter(path -> path.toString().endsWith(".wav")).sorted().toList();
        }
        int withSpeech = 0;
        List<String> without = new ArrayList<>();
        for (Path file : files) {
            Clip clip = readWav(file, "asterisk-core-sounds-en-wav");
            if (vad.segments(clip.samples(), clip.sampleRate()).isEmpty()) {
                without.add(file.getFileName() + " (%.2f s)".formatted((double) clip.samples().length / clip.sampleRate()));
                assertThat(clip.samples().length).as(file.toString()).isLessThan(clip.sampleRate() / 2);
            }
            else {
                withSpeech++;
            }
        }
        System.out.printf("speech in %d of %d Asterisk prompts; none in %s%n", withSpeech, files.size(), without);
        assertThat(files).hasSizeGreaterThan(100);
    }

    @Test
    void findsSpeechInAFortyEightKilohertzChannelPrompt() {
        Clip clip = readWav(ALSA_SOUNDS.resolve("Front_Center.wav"), "alsa-utils");
        assertThat(clip.sampleRate()).isEqualTo(48_000);
        assertThat(vad.segments(clip.samples(), clip.sampleRate())).isNotEmpty();
    }

    @Test
    void findsNoSpeechInRealNoise() {
        Clip clip = readWav(ALSA_SOUNDS.resolve("Noise.wav"), "alsa-utils");
        assertThat(vad.segments(clip.samples(), clip.sampleRate())).isEmpty();
    }

    @Test
    void findsNoSpeechInSteadyWhiteNoiseAtAnyLevel() {
        for (double levelDbfs : new double[] {-50, -30, -10}) {
            float[] samples = new float[RATE * 10];
            addNoise(samples, levelDbfs, 3);
            assertThat(vad.segments(samples, RATE)).as("noise at %s dBFS", levelDbfs).isEmpty();
        }
    }

    @Test
    void findsNothingInSilenceOrAnEmptyClip() {
        assertThat(vad.segments(new float[RATE], RATE)).isEmpty();
        assertThat(vad.segments(new float[0], RATE)).isEmpty();
    }

    @Test
    void findsOneSegmentAroundAToneBurstPaddedBy100Milliseconds() {
        float[] samples = new float[RATE * 3];
        addNoise(samples, -70, 5);
        addTone(samples, 1.0, 2.0, -10);
        assertThat(vad.segments(samples, RATE)).containsExactly(new Segment(at(0.9), at(2.1)));
    }

    @Test
    void findsAToneBurstInLouderNoise() {
        float[] samples = new float[RATE * 3];
        addNoise(samples, -35, 7);
        addTone(samples, 1.0, 2.0, -15);
        List<Segment> segments = vad.segments(samples, RATE);
        assertThat(segments).hasSize(1);
        assertThat(segments.get(0).startSample()).isBetween(at(0.88), at(0.92));
        assertThat(segments.get(0).endSample()).isBetween(at(2.08), at(2.12));
    }

    @Test
    void closesGapsShorterThanMinSilenceAndDropsSpeechShorterThanMinSpeech() {
        float[] samples = new float[RATE * 3];
        addTone(samples, 0.5, 1.0, -10);
        addTone(samples, 1.2, 1.8, -10);
        addTone(samples, 2.5, 2.6, -10);
        assertThat(vad.segments(samples, RATE)).containsExactly(new Segment(at(0.4), at(1.9)));
        EnergyVad keepsBlips = new EnergyVad(EnergyVad.Parameters.defaults().withMinSpeechMilliseconds(100).withMinSilenceMilliseconds(100));
        assertThat(keepsBlips.segments(samples, RATE)).containsExactly(new Segment(at(0.4), at(1.1)), new Segment(at(1.1), at(1.9)), new Segment(at(2.4), at(2.7)));
    }

    @Test
    void sharesTheGapBetweenSegmentsCloserThanTwiceThePadding() {
        float[] samples = new float[RATE * 3];
        addTone(samples, 0.5, 1.0, -10);
        addTone(samples, 1.4, 2.0, -10);
        EnergyVad widePadding = new EnergyVad(EnergyVad.Parameters.defaults().withPadMilliseconds(300));
        assertThat(widePadding.segments(samples, RATE)).containsExactly(new Segment(at(0.2), at(1.2)), new Segment(at(1.2), at(2.3)));
    }

    @Test
    void clampsThePaddingToTheClip() {
        float[] samples = new float[RATE * 2];
        addTone(samples, 0.0, 0.5, -10);
        addTone(samples, 1.5, 2.0, -10);
        assertThat(vad.segments(samples, RATE)).containsExactly(new Segment(0, at(0.6)), new Segment(at(1.4), at(2.0)));
    }

    @Test
    void cutsSegmentsLongerThanMaxSegmentAtTheirQuietestFrame() {
        float[] samples = new float[RATE * 7];
        addTone(samples, 1.0, 2.5, -10);
        addTone(samples, 2.5, 2.52, -25);
        addTone(samples, 2.52, 4.2, -10);
        addTone(samples, 4.2, 4.22, -25);
        addTone(samples, 4.22, 6.0, -10);
        EnergyVad twoSeconds = new EnergyVad(EnergyVad.Parameters.defaults().withMaxSegmentMilliseconds(2000));
        assertThat(twoSeconds.segments(samples, RATE)).containsExactly(new Segment(at(0.9), at(2.5)), new Segment(at(2.5), at(4.2)), new Segment(at(4.2), at(6.1)));
        EnergyVad oneSecond = new EnergyVad(EnergyVad.Parameters.defaults().withMaxSegmentMilliseconds(1000));
        for (Segment piece : oneSecond.segments(samples, RATE)) {
            assertThat(piece.lengthSamples()).isLessThanOrEqualTo(RATE);
        }
    }

    @Test
    void defaultsAreTwentyMillisecondFramesAndWhisperSizedPieces() {
        assertThat(EnergyVad.Parameters.defaults()).isEqualTo(new EnergyVad.Parameters(20, 10, 9, 5, -60, 250, 300, 100, 30_000));
    }

    @Test
    void rejectsParametersWithMessagesNamingThem() {
        assertThatThrownBy(() -> new EnergyVad.Parameters(2, 10, 9, 5, -60, 250, 300, 100, 30_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frameMilliseconds must be between 5 and 100, was 2");
        assertThatThrownBy(() -> new EnergyVad.Parameters(20, 10, 6, 9, -60, 250, 300, 100, 30_000))
                .hasMessage("continueMarginDb must be between 0 and startMarginDb = 6.0, was 9.0");
        assertThatThrownBy(() -> EnergyVad.Parameters.defaults().withPadMilliseconds(-1)).hasMessage("padMilliseconds must be at least 0, was -1");
        assertThatThrownBy(() -> EnergyVad.Parameters.defaults().withMaxSegmentMilliseconds(30))
                .hasMessage("maxSegmentMilliseconds must be at least two frames = 40, was 30");
        assertThatThrownBy(() -> vad.segments(new float[10], 0)).hasMessage("sampleRate must be positive, was 0");
        assertThatThrownBy(() -> new Segment(5, 5)).hasMessage("A segment must have 0 <= start < end, was [5, 5)");
    }

    static Clip asteriskPrompt(String name) {
        return readWav(ASTERISK_PROMPTS.resolve(name + ".wav"), "asterisk-core-sounds-en-wav");
    }

    /** Reads a WAV file as float samples in [-1, 1], averaging the channels; fails naming the package that provides it when it is missing. */
    static Clip readWav(Path path, String debianPackage) {
        if (!Files.isRegularFile(path)) {
            fail("%s is missing: install the Debian package %s (apt-get install %s)".formatted(path, debianPackage, debianPackage));
        }
        try (AudioInputStream encoded = AudioSystem.getAudioInputStream(path.toFile())) {
            AudioFormat source = encoded.getFormat();
            AudioFormat pcm = new AudioFormat(source.getSampleRate(), 16, source.getChannels(), true, false);
            try (AudioInputStream decoded = AudioSystem.getAudioInputStream(pcm, encoded)) {
                byte[] bytes = decoded.readAllBytes();
                int channels = pcm.getChannels();
                float[] samples = new float[bytes.length / 2 / channels];
                for (int i = 0; i < samples.length; i++) {
                    float sum = 0;
                    for (int channel = 0; channel < channels; channel++) {
                        int offset = 2 * (i * channels + channel);
                        sum += (short) ((bytes[offset + 1] << 8) | (bytes[offset] & 0xff)) / 32768f;
                    }
                    samples[i] = sum / channels;
                }
                return new Clip(samples, Math.round(source.getSampleRate()));
            }
        }
        catch (IOException | UnsupportedAudioFileException e) {
            throw new AssertionError("Cannot read " + path, e);
        }
    }

    private static long at(double seconds) {
        return Math.round(seconds * RATE);
    }

    /** Adds white Gaussian noise at an RMS level in dBFS. */
    static void addNoise(float[] samples, double levelDbfs, long seed) {
        Random random = new Random(seed);
        double deviation = Math.pow(10, levelDbfs / 20);
        for (int i = 0; i < samples.length; i++) {
            samples[i] += (float) (deviation * random.nextGaussian());
        }
    }

    /** Sets seconds [from, to) to a 1 kHz sine at an RMS level in dBFS. */
    private static void addTone(float[] samples, double from, double to, double levelDbfs) {
        double amplitude = Math.pow(10, levelDbfs / 20) * Math.sqrt(2);
        for (long i = at(from); i < at(to); i++) {
            samples[(int) i] = (float) (amplitude * Math.sin(2 * Math.PI * 1000 * i / RATE));
        }
    }
}
