package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * A whole decoded sound, its channels interleaved: what the steps after {@code audio-normalize}
 * read from the stored audio. Those are short, canonical clips (their length bounded by the
 * steps' {@code maxSeconds}), so the whole clip is held.
 */
public record DecodedAudio(AudioDecoder.Info info, float[] samples) {
    public DecodedAudio {
        requireNonNull(info, "info is null");
        requireNonNull(samples, "samples is null");
    }

    /**
     * Decodes {@code bytes} ({@link AudioDecoder}).
     *
     * @throws AudioRejection as {@link AudioDecoder#decode} does
     */
    public static DecodedAudio decode(byte[] bytes, double maxSeconds) throws AudioRejection {
        return decode(java.nio.ByteBuffer.wrap(bytes), maxSeconds);
    }

    /**
     * Decodes the file in {@code file} in place (a row's binary value: no copy of it is made).
     *
     * @throws AudioRejection as {@link AudioDecoder#decode} does
     */
    public static DecodedAudio decode(java.nio.ByteBuffer file, double maxSeconds) throws AudioRejection {
        AudioDecoder.Info[] info = new AudioDecoder.Info[1];
        float[][] all = {new float[4096]};
        int[] size = {0};
        AudioDecoder.decode(file, maxSeconds, new AudioDecoder.Sink() {
            @Override
            public void start(AudioDecoder.Info started) {
                info[0] = started;
            }

            @Override
            public void accept(float[] interleaved, int frames) {
                int count = frames * info[0].channels();
                if (size[0] + count > all[0].length) {
                    all[0] = Arrays.copyOf(all[0], Math.max(size[0] + count, 2 * all[0].length));
                }
                System.arraycopy(interleaved, 0, all[0], size[0], count);
                size[0] += count;
            }
        });
        return new DecodedAudio(info[0], Arrays.copyOf(all[0], size[0]));
    }

    public int frames() {
        return samples.length / info.channels();
    }

    /** The channels averaged. */
    public MonoSignal mono() {
        return new MonoSignal(info.sampleRate(), info.channels() == 1 ? samples : MonoSignal.mix(samples, frames(), info.channels()));
    }
}
