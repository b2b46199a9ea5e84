package io.kiln.contamination;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

import io.kiln.transform.audio.AudioFingerprint;
import io.kiln.transform.audio.AudioRejection;
import io.kiln.transform.audio.DecodedAudio;
import io.kiln.transform.audio.MonoSignal;
import io.kiln.transform.audio.SincResampler;

/**
 * A sound's spectral-peak landmark hashes as {@code dedup-audio} computes them (the mono mix at
 * {@value #RATE} Hz, {@link AudioFingerprint} with its defaults), as a sorted set, whose exact
 * Jaccard similarity ({@link io.kiln.dedup.MinHasher#jaccard}) finds an eval recording re-encoded,
 * trimmed or with noise added in a training batch.
 */
public final class AudioLandmarks {
    public static final int RATE = 16000;
    /** Longer recordings are not fingerprinted (as {@code dedup-audio}'s default). */
    public static final double MAX_SECONDS = 600;
    private static final AudioFingerprint FINGERPRINT = AudioFingerprint.withDefaults(RATE);

    private AudioLandmarks() {}

    /** The sorted, distinct landmark hashes of an encoded sound; empty when it does not decode or is too long. */
    public static Optional<long[]> of(Object encoded) {
        ByteBuffer bytes = encoded instanceof ByteBuffer buffer ? buffer.duplicate() : encoded instanceof byte[] array ? ByteBuffer.wrap(array) : null;
        if (bytes == null) {
            return Optional.empty();
        }
        MonoSignal signal;
        try {
            signal = DecodedAudio.decode(bytes, MAX_SECONDS).mono();
        }
        catch (AudioRejection rejection) {
            return Optional.empty();
        }
        float[] samples = signal.sampleRate() == RATE ? signal.samples() : SincResampler.resample(signal.samples(), signal.sampleRate(), RATE);
        return Optional.of(Arrays.stream(FINGERPRINT.hashes(samples)).sorted().distinct().toArray());
    }
}
