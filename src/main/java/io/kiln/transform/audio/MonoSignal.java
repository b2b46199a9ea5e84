package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

/** One channel of float samples at its rate: what the feature, segment and fingerprint code reads ({@link DecodedAudio#mono()}). */
public record MonoSignal(int sampleRate, float[] samples) {
    public MonoSignal {
        requireNonNull(samples, "samples is null");
    }

    public double seconds() {
        return (double) samples.length / sampleRate;
    }

    /** The average of the channels of {@code frames} interleaved frames, summed in channel order: the one downmix every audio step uses. */
    public static float[] mix(float[] interleaved, int frames, int channels) {
        float[] mono = new float[frames];
        for (int i = 0; i < frames; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += interleaved[i * channels + c];
            }
            mono[i] = sum / channels;
        }
        return mono;
    }
}
