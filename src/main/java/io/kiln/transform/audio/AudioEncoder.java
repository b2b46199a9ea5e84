package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import net.sourceforge.javaflacencoder.EncodingConfiguration;
import net.sourceforge.javaflacencoder.FLACEncoder;
import net.sourceforge.javaflacencoder.FLACOutputStream;
import net.sourceforge.javaflacencoder.StreamConfiguration;

/**
 * The stored form of a canonical sound: float samples quantized to 16- or 24-bit PCM (rounded to
 * the nearest step, halves away from zero, clamped; no dither, so the same samples always give the
 * same integers), written losslessly as FLAC (java-flac-encoder, one worker thread, fixed block
 * size) or as PCM WAV. {@link #pcmSha256} is the digest of the quantized PCM itself, the same
 * whatever the container. Deterministic and thread-safe.
 */
public final class AudioEncoder {
    /** The encoder and its settings, for the recipe: a change to any of them changes the stored bytes. */
    public static final String IDENTITY = "java-flac-encoder-0.3.7/block-4096/default-lpc;wav-pcm";
    private static final int BLOCK = 4096;

    public enum Format { FLAC, WAV }

    private AudioEncoder() {
    }

    /** Interleaved float samples as signed {@code bits}-bit integers. */
    public static int[] quantize(float[] interleaved, int length, int bits) {
        requireNonNull(interleaved, "interleaved is null");
        checkBits(bits);
        int max = (1 << (bits - 1)) - 1;
        int min = -(1 << (bits - 1));
        double scale = 1 << (bits - 1);
        int[] pcm = new int[length];
        for (int i = 0; i < length; i++) {
            double value = interleaved[i] * scale;
            long rounded = value < 0 ? -Math.round(-value) : Math.round(value);
            pcm[i] = (int) Math.max(min, Math.min(max, rounded));
        }
        return pcm;
    }

    /** The sha256 of the PCM as little-endian {@code bits / 8}-byte integers, interleaved. */
    public static String pcmSha256(int[] pcm, int bits) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(littleEndian(pcm, bits));
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code pcm} (interleaved, {@code channels} per frame) as a FLAC or WAV file. */
    public static byte[] encode(int[] pcm, int channels, int sampleRate, int bits, Format format) {
        requireNonNull(pcm, "pcm is null");
        requireNonNull(format, "format is null");
        checkBits(bits);
        if (channels < 1 || pcm.length % channels != 0) {
            throw new IllegalArgumentException("Cannot encode %d samples in %d channels".formatted(pcm.length, channels));
        }
        return format == Format.FLAC ? flac(pcm, channels, sampleRate, bits) : wav(pcm, channels, sampleRate, bits);
    }

    private static byte[] wav(int[] pcm, int channels, int sampleRate, int bits) {
        AudioFormat format = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, sampleRate, bits, channels, channels * bits / 8, sampleRate, false);
        byte[] data = littleEndian(pcm, bits);
        try (AudioInputStream stream = new AudioInputStream(new ByteArrayInputStream(data), format, pcm.length / channels)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 64);
            AudioSystem.write(stream, AudioFileFormat.Type.WAVE, out);
            return out.toByteArray();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] flac(int[] pcm, int channels, int sampleRate, int bits) {
        StreamConfiguration stream = new StreamConfiguration(channels, BLOCK, BLOCK, sampleRate, bits);
        if (!stream.isValid()) {
            throw new IllegalArgumentException("FLAC cannot hold %d channels of %d bits at %d Hz".formatted(channels, bits, sampleRate));
        }
        FLACEncoder encoder = new FLACEncoder();
        SeekableBytes out = new SeekableBytes(pcm.length * bits / 16 + 1024);
        try {
            encoder.setThreadCount(1);
            encoder.setStreamConfiguration(stream);
            encoder.setEncodingConfiguration(new EncodingConfiguration());
            encoder.setOutputStream(out);
            encoder.openFLACStream();
            int frames = pcm.length / channels;
            int done = 0;
            while (done < frames) {
                int count = Math.min(BLOCK, frames - done);
                encoder.addSamples(Arrays.copyOfRange(pcm, done * channels, (done + count) * channels), count);
                done += count;
                encoder.encodeSamples(encoder.fullBlockSamplesAvailableToEncode(), false);
            }
            encoder.encodeSamples(encoder.samplesAvailableToEncode(), true);
            return out.toByteArray();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot encode FLAC", e);
        }
    }

    private static byte[] littleEndian(int[] pcm, int bits) {
        int width = bits / 8;
        ByteBuffer bytes = ByteBuffer.allocate(pcm.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int value : pcm) {
            if (width == 2) {
                bytes.putShort((short) value);
            }
            else {
                bytes.put((byte) value).put((byte) (value >> 8)).put((byte) (value >> 16));
            }
        }
        return bytes.array();
    }

    private static void checkBits(int bits) {
        if (bits != 16 && bits != 24) {
            throw new IllegalArgumentException("Cannot store %d-bit PCM: 16 or 24".formatted(bits));
        }
    }

    /** The encoder seeks back to write the STREAMINFO (length, MD5) when it is done: a byte array it can seek in. */
    private static final class SeekableBytes implements FLACOutputStream {
        private byte[] bytes;
        private int position;
        private int size;

        SeekableBytes(int capacity) {
            bytes = new byte[Math.max(64, capacity)];
        }

        @Override
        public long seek(long to) {
            position = (int) to;
            return position;
        }

        @Override
        public int write(byte[] data, int offset, int count) {
            ensure(position + count);
            System.arraycopy(data, offset, bytes, position, count);
            position += count;
            size = Math.max(size, position);
            return count;
        }

        @Override
        public void write(byte data) {
            ensure(position + 1);
            bytes[position++] = data;
            size = Math.max(size, position);
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public boolean canSeek() {
            return true;
        }

        @Override
        public long getPos() {
            return position;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        private void ensure(int capacity) {
            if (capacity > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(capacity, 2 * bytes.length));
            }
        }
    }
}
