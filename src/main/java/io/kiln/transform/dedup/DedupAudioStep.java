package io.kiln.transform.dedup;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.kiln.dedup.MinHasher;
import io.kiln.dedup.NearDuplicateParameters;
import io.kiln.dedup.ShingleSets;
import io.kiln.dedup.Shingling;
import io.kiln.dedup.VerifiedNearDedupIndex;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.DuplicateFilter;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;
import io.kiln.transform.audio.AudioFingerprint;
import io.kiln.transform.audio.AudioRejection;
import io.kiln.transform.audio.DecodedAudio;
import io.kiln.transform.audio.MonoSignal;
import io.kiln.transform.audio.SincResampler;

/**
 * {@code dedup-audio}: drops sounds that are near-duplicates of another sound of the job or of the
 * table, as {@code dedup-near@2} does for texts. A sound's features are its spectral-peak landmark
 * hashes ({@link AudioFingerprint}, on the mono mix resampled to {@value #FINGERPRINT_RATE} Hz, so any
 * rate and codec compare), MinHash with LSH finds candidates, and the exact Jaccard similarity of the
 * two landmark sets decides: a sound is dropped only when a sound that is kept, and earlier (published
 * sounds first, then the least row id), is within {@code threshold}. Landmarks survive re-encoding,
 * gain changes, added noise and trimming (a prompt against itself with noise at 20 dB SNR: Jaccard
 * about 0.8; trimmed by 10 %: 0.84; two different prompts: below 0.02), so the default threshold is 0.3.
 *
 * <p>Parameters: {@code column} ({@code audio}), {@code threshold} (0.3), {@code hashCount} (112),
 * {@code bands} (56: LSH with 2 rows per band finds pairs from a Jaccard of about 0.15),
 * {@code seed}, {@code maxSeconds} (600). A row whose audio does not decode is kept (put
 * {@code audio-normalize} first, which rejects it with its reason). History is shared with jobs of the
 * same hashes, bands and seed.
 */
public final class DedupAudioStep implements StepDefinition {
    public static final String NAME = "dedup-audio";
    static final int FINGERPRINT_RATE = 16000;
    private static final StepId ID = new StepId(NAME, 1);

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("column", "threshold", "hashCount", "bands", "seed", "maxSeconds"));
        String column = StepParameters.column(parameters, "column", "audio");
        double threshold = StepParameters.number(parameters, "threshold", 0.3, 0.0, 1.0);
        if (threshold == 0) {
            throw new InvalidStepParameterException("threshold", "must be above 0, was 0");
        }
        int hashCount = StepParameters.integer(parameters, "hashCount", 112, 1, 4096);
        int bands = StepParameters.integer(parameters, "bands", 56, 1, hashCount);
        if (hashCount % bands != 0) {
            throw new InvalidStepParameterException("bands", "must divide hashCount (" + hashCount + "), was " + bands);
        }
        long seed = parameters.containsKey("seed") ? StepParameters.integer(parameters, "seed", 0, Integer.MIN_VALUE, Integer.MAX_VALUE) : NearDuplicateParameters.DEFAULT_SEED;
        double maxSeconds = StepParameters.number(parameters, "maxSeconds", 600, 0.01, 86_400);
        NearDuplicateParameters near = new NearDuplicateParameters(Shingling.FEATURES, 1, hashCount, bands, threshold, seed);
        return new Filter(near, near.minHasher(), AudioFingerprint.withDefaults(FINGERPRINT_RATE), column, maxSeconds);
    }

    private record Filter(NearDuplicateParameters parameters, MinHasher hasher, AudioFingerprint landmarks, String column, double maxSeconds)
            implements DuplicateFilter {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public String indexName() {
            return String.format(Locale.ROOT, "audio-v1-landmarks-%dx%d-%016x", parameters.bands(), parameters.rowsPerBand(), parameters.seed())
                    + (column.equals("audio") ? "" : "-" + column);
        }

        @Override
        public Object signature(io.kiln.transform.Row row) {
            Object value = row.value(column).orElse(null);
            if (!(value instanceof ByteBuffer bytes)) {
                return null;
            }
            MonoSignal signal;
            try {
                signal = DecodedAudio.decode(bytes, maxSeconds).mono();
            }
            catch (AudioRejection rejection) {
                return null;
            }
            float[] samples = signal.sampleRate() == FINGERPRINT_RATE ? signal.samples() : SincResampler.resample(signal.samples(), signal.sampleRate(), FINGERPRINT_RATE);
            long[] hashes = landmarks.hashes(samples);
            return new VerifiedIndex.Sketch(hasher.signatureOfShingles(hashes), hashes);
        }

        @Override
        public List<Column> reads() {
            return List.of(Column.optional(column, DataType.BINARY, ""));
        }

        @Override
        public Index newIndex() {
            return new VerifiedIndex(new VerifiedNearDedupIndex(parameters, ShingleSets.inTemporaryDirectory()));
        }
    }
}
