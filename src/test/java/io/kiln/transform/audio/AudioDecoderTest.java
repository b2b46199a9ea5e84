package io.kiln.transform.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.junit.jupiter.api.Test;

class AudioDecoderTest {
    static final Path AUDIO = Path.of("src/test/resources/audio");

    static DecodedAudio decode(byte[] bytes) throws AudioRejection {
        return DecodedAudio.decode(bytes, 3600);
    }

    static DecodedAudio decode(byte[] bytes, double maxSeconds) throws AudioRejection {
        return DecodedAudio.decode(bytes, maxSeconds);
    }

    static byte[] read(String name) throws IOException {
        return Files.readAllBytes(AUDIO.resolve(name));
    }

    @Test
    void flacDecodesToExactlyThePcmOfItsWav() throws Exception {
        DecodedAudio flac = decode(read("agent-pass.flac"));
        DecodedAudio wav = decode(read("agent-pass.wav"));
        assertThat(flac.info()).isEqualTo(new AudioDecoder.Info("flac", 8000, 1, 16));
        assertThat(wav.info()).isEqualTo(new AudioDecoder.Info("wav", 8000, 1, 16));
        assertThat(flac.frames()).isEqualTo(26280);
        assertThat(flac.samples()).isEqualTo(wav.samples());

        // a 24-bit FLAC (a Hydrogen drum kit sample) against the WAV the reference decoder made of it (WAVE_FORMAT_EXTENSIBLE)
        DecodedAudio beats = decode(read("rumpf-beats_06-15.flac"));
        DecodedAudio reference = decode(read("rumpf-beats_06-15.wav"));
        assertThat(beats.info()).isEqualTo(new AudioDecoder.Info("flac", 48000, 1, 24));
        assertThat(reference.info().bitsPerSample()).isEqualTo(24);
        assertThat(beats.samples()).isEqualTo(reference.samples());
    }

    @Test
    void vorbisDecodesToTheGranulePositionAndMatchesTheReferenceDecoder() throws Exception {
        byte[] bell = read("bell.oga");
        assertThat(AudioDecoder.lastGranulePosition(bell)).isEqualTo(6151);
        DecodedAudio decoded = decode(bell);
        DecodedAudio reference = decode(read("bell.oggdec.wav"));
        assertThat(decoded.info()).isEqualTo(new AudioDecoder.Info("vorbis", 44100, 2, 0));
        assertThat(decoded.frames()).isEqualTo(6151).isEqualTo(reference.frames());
        double worst = 0;
        for (int i = 0; i < decoded.samples().length; i++) {
            worst = Math.max(worst, Math.abs(decoded.samples()[i] - reference.samples()[i]));
        }
        assertThat(worst).as("libvorbis' oggdec writes 16 bits").isLessThan(2.0 / 32768);
    }

    @Test
    void vorbisIsTrimmedOrPaddedToTheGranulePositionOfItsLastPage() throws Exception {
        byte[] bell = read("bell.oga");
        DecodedAudio full = decode(bell);

        DecodedAudio trimmed = decode(withLastGranule(bell, 6000));
        assertThat(trimmed.frames()).isEqualTo(6000);
        assertThat(trimmed.samples()).isEqualTo(Arrays.copyOf(full.samples(), 6000 * 2));

        // past what the decoder gives (the last block, up to 2,048 frames beyond the true end), silence
        DecodedAudio padded = decode(withLastGranule(bell, 6151 + 5000));
        assertThat(padded.frames()).isEqualTo(11151);
        assertThat(Arrays.copyOf(padded.samples(), 6151 * 2)).isEqualTo(full.samples());
        assertThat(Arrays.copyOfRange(padded.samples(), (6151 + 2048) * 2, 11151 * 2)).containsOnly(0f);
    }

    @Test
    void mp3AndEveryWavEncodingDecode() throws Exception {
        DecodedAudio original = decode(read("agent-pass.wav"));
        DecodedAudio mp3 = decode(read("agent-pass.mp3"));
        assertThat(mp3.info()).isEqualTo(new AudioDecoder.Info("mp3", 8000, 1, 0));
        assertThat(mp3.frames()).isBetween(original.frames(), original.frames() + 4000);
        assertThat(rms(mp3.samples())).isCloseTo(rms(original.samples()), org.assertj.core.data.Percentage.withPercentage(15));

        for (AudioFormat format : new AudioFormat[] {
                new AudioFormat(AudioFormat.Encoding.PCM_UNSIGNED, 8000, 8, 1, 1, 8000, false),
                new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, 8000, 24, 1, 3, 8000, false),
                new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, 8000, 32, 1, 4, 8000, false),
                new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, 8000, 32, 1, 4, 8000, false)}) {
            DecodedAudio converted = decode(wav(original.samples(), format));
            assertThat(converted.info().bitsPerSample()).isEqualTo(format.getSampleSizeInBits());
            assertThat(converted.frames()).isEqualTo(original.frames());
            double tolerance = format.getSampleSizeInBits() == 8 ? 1.0 / 64 : 1e-6;
            for (int i = 0; i < original.samples().length; i += 97) {
                assertThat((double) converted.samples()[i]).as("%s sample %d", format, i).isCloseTo(original.samples()[i], org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }

    @Test
    void corruptTruncatedAndUnknownSoundsAreRejectedWithAReason() throws Exception {
        byte[] wav = read("agent-pass.wav");
        byte[] flac = read("agent-pass.flac");
        byte[] ogg = read("bell.oga");
        assertRejected(Arrays.copyOf(wav, wav.length / 2), "truncated-audio", "declares 26280 frames");
        assertRejected(Arrays.copyOf(flac, flac.length / 2), "truncated-audio", "declares 26280 frames");
        assertRejected(Arrays.copyOf(ogg, ogg.length * 2 / 3), "truncated-audio", "without an end-of-stream page");
        assertRejected("just some text, not a sound".getBytes(), "unsupported-audio", "not a WAV, FLAC, Ogg Vorbis or MP3 file");
        byte[] brokenWav = wav.clone();
        Arrays.fill(brokenWav, 12, 44, (byte) 0x7f);
        assertRejected(brokenWav, "unsupported-audio", "a WAV file in an encoding that is not read");
        byte[] opus = ogg.clone();
        System.arraycopy("OpusHead".getBytes(), 0, opus, 28, 8);
        assertRejected(opus, "unsupported-audio", "not Vorbis");
        assertRejected(Arrays.copyOf(ogg, 40), "corrupt-audio", "");
        byte[] noiseAfterId3 = new byte[4000];
        new java.util.Random(1).nextBytes(noiseAfterId3);
        System.arraycopy("ID3".getBytes(), 0, noiseAfterId3, 0, 3);
        assertThatThrownBy(() -> decode(noiseAfterId3)).isInstanceOf(AudioRejection.class);
    }

    @Test
    void aSoundLongerThanTheLimitIsRejectedWithoutDecodingTheRest() throws Exception {
        for (String name : new String[] {"agent-pass.wav", "agent-pass.flac", "agent-pass.mp3"}) {
            assertRejected(read(name), 2.0, "too-long", "longer than the limit of 2.0 s");
        }
        assertRejected(read("bell.oga"), 0.1, "too-long", "longer than the limit of 0.1 s");
        assertThat(decode(read("agent-pass.wav"), 3.285).frames()).isEqualTo(26280);
    }

    @Test
    void theSameBytesGiveTheSameSamples() throws Exception {
        for (String name : new String[] {"agent-pass.flac", "agent-pass.mp3", "bell.oga", "noise-0.5s.wav"}) {
            assertThat(decode(read(name)).samples()).isEqualTo(decode(read(name)).samples());
        }
    }

    private static void assertRejected(byte[] bytes, String reason, String detail) {
        assertRejected(bytes, 3600, reason, detail);
    }

    private static void assertRejected(byte[] bytes, double maxSeconds, String reason, String detail) {
        assertThatThrownBy(() -> decode(bytes, maxSeconds)).isInstanceOfSatisfying(AudioRejection.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(detail);
        });
    }

    static double rms(float[] samples) {
        double sum = 0;
        for (float sample : samples) {
            sum += sample * sample;
        }
        return Math.sqrt(sum / samples.length);
    }

    static byte[] wav(float[] mono, AudioFormat format) throws IOException {
        AudioFormat floats = new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, format.getSampleRate(), 32, 1, 4, format.getSampleRate(), false);
        ByteBuffer buffer = ByteBuffer.allocate(mono.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float sample : mono) {
            buffer.putFloat(sample);
        }
        AudioInputStream source = new AudioInputStream(new ByteArrayInputStream(buffer.array()), floats, mono.length);
        AudioInputStream converted = format.matches(floats) ? source : AudioSystem.getAudioInputStream(format, source);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioSystem.write(converted, AudioFileFormat.Type.WAVE, out);
        return out.toByteArray();
    }

    /** The Ogg file with the granule position of its last page changed, and that page's CRC made right again. */
    static byte[] withLastGranule(byte[] ogg, long granule) {
        byte[] copy = ogg.clone();
        int at = 0;
        int last = -1;
        while (at + 27 <= copy.length) {
            int segments = copy[at + 26] & 0xFF;
            int body = 0;
            for (int s = 0; s < segments; s++) {
                body += copy[at + 27 + s] & 0xFF;
            }
            last = at;
            at += 27 + segments + body;
        }
        ByteBuffer page = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        page.putLong(last + 6, granule);
        page.putInt(last + 22, 0);
        page.putInt(last + 22, oggCrc(copy, last, copy.length - last));
        return copy;
    }

    private static int oggCrc(byte[] bytes, int offset, int length) {
        int crc = 0;
        for (int i = offset; i < offset + length; i++) {
            crc ^= (bytes[i] & 0xFF) << 24;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }
        return crc;
    }
}
