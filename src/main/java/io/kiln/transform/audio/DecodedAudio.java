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
        AudioDecoder.Info[] info = new AudioDecoder.Info[1];
        float[][] all = {new float[4096]};
        int[] size = {0};
        AudioDecoder.decode(bytes, maxSeconds, new AudioDecoder.Sink() {
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
        int channels = info.channels();
        if (channels == 1) {
            return new MonoSignal(info.sampleRate(), samples);
        }
        float[] mono = new float[frames()];
        for (int i = 0; i < mono.length; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += samples[i * channels + c];
            }
            mono[i] = sum / channels;
        }
        return new MonoSignal(info.sampleRate(), mono);
    }
}
