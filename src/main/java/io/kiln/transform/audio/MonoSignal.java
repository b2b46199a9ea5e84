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
}
