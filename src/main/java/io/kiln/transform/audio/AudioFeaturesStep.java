package io.kiln.transform.audio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;

/**
 * {@code audio-features}: the features audio models and classic pipelines use, computed once at
 * ingest from the stored audio (run {@code audio-normalize} first, so that every row has the same
 * rate): a log-mel spectrogram ({@link LogMelSpectrogram}: log10 of the mel power, Slaney mel scale,
 * periodic Hann window, FFT by JTransforms), the RMS energy per frame and the amplitude envelope
 * ({@link FrameFeatures}). Each is a {@code list<float>}; the spectrogram is row-major, frames by
 * mels, its frame count in {@code log_mel_frames}, and the table's properties say the shape and
 * the frame timing ({@code kiln.column.log_mel.shape} {@code [log_mel_frames, nMels]}, and so on).
 *
 * <p>Parameters: {@code column} (default {@code audio}), {@code sampleRate} (16000: a row at
 * another rate is a {@code wrong-sample-rate} reject), {@code nMels} (80), {@code windowMs} (25),
 * {@code hopMs} (10), {@code fmin} (0), {@code fmax} (half the rate), {@code features} (any of
 * {@code log_mel}, {@code rms}, {@code envelope}; all by default), {@code maxSeconds} (600).
 */
public final class AudioFeaturesStep implements StepDefinition {
    public static final String NAME = "audio-features";
    private static final StepId ID = new StepId(NAME, 1);
    private static final Set<String> FEATURES = Set.of("log_mel", "rms", "envelope");

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("column", "sampleRate", "nMels", "windowMs", "hopMs", "fmin", "fmax", "features", "maxSeconds"));
        String column = StepParameters.column(parameters, "column", "audio");
        int sampleRate = StepParameters.integer(parameters, "sampleRate", 16000, 8000, 192_000);
        int mels = StepParameters.integer(parameters, "nMels", 80, 1, 512);
        int windowMs = StepParameters.integer(parameters, "windowMs", 25, 1, 1000);
        int hopMs = StepParameters.integer(parameters, "hopMs", 10, 1, 1000);
        double fmin = StepParameters.number(parameters, "fmin", 0, 0, sampleRate / 2.0);
        double fmax = StepParameters.number(parameters, "fmax", sampleRate / 2.0, 1, sampleRate / 2.0);
        if (fmin >= fmax) {
            throw new InvalidStepParameterException("fmin", "must be below fmax (" + fmax + "), was " + fmin);
        }
        List<String> features = StepParameters.strings(parameters, "features", List.of("log_mel", "rms", "envelope"));
        for (String feature : features) {
            if (!FEATURES.contains(feature)) {
                throw new InvalidStepParameterException("features", "unknown feature " + feature + "; known: envelope, log_mel, rms");
            }
        }
        if (features.isEmpty()) {
            throw new InvalidStepParameterException("features", "must name at least one of envelope, log_mel, rms");
        }
        int window = sampleRate * windowMs / 1000;
        int hop = sampleRate * hopMs / 1000;
        LogMelSpectrogram.Parameters mel;
        try {
            mel = LogMelSpectrogram.Parameters.defaults(sampleRate).withMels(mels).withWindow(window, hop).withFrequencies(fmin, fmax);
        }
        catch (IllegalArgumentException e) {
            throw new InvalidStepParameterException("windowMs", e.getMessage());
        }
        double maxSeconds = StepParameters.number(parameters, "maxSeconds", 600, 0.01, 86_400);
        return new Features(column, mel, new FrameFeatures(window, hop), Set.copyOf(features), maxSeconds);
    }

    record Features(String column, LogMelSpectrogram.Parameters mel, FrameFeatures frames, Set<String> features, double maxSeconds) implements Transform {
        @Override
        public StepId id() {
            return ID;
        }

        @Override
        public List<Column> reads() {
            return List.of(Column.optional(column, DataType.BINARY, ""));
        }

        @Override
        public List<Column> columns() {
            List<Column> columns = new ArrayList<>();
            if (features.contains("log_mel")) {
                columns.add(Column.floatList("log_mel", "log10 mel power spectrogram, row-major: log_mel_frames frames of " + mel.mels() + " mel bands"));
                columns.add(Column.integer("log_mel_frames", "frames of log_mel"));
            }
            if (features.contains("rms")) {
                columns.add(Column.floatList("rms", "RMS energy per frame"));
            }
            if (features.contains("envelope")) {
                columns.add(Column.floatList("envelope", "amplitude envelope: the largest absolute sample per frame"));
            }
            return List.copyOf(columns);
        }

        @Override
        public Map<String, String> tableProperties() {
            Map<String, String> properties = new HashMap<>();
            String timing = String.format(Locale.ROOT, "{\"sample_rate\": %d, \"window\": %d, \"hop\": %d}", mel.sampleRate(), mel.windowLength(), mel.hopLength());
            if (features.contains("log_mel")) {
                properties.put("kiln.column.log_mel.shape", "[log_mel_frames, " + mel.mels() + "]");
                properties.put("kiln.column.log_mel.frames", String.format(Locale.ROOT,
                        "{\"sample_rate\": %d, \"window\": %d, \"hop\": %d, \"fft\": %d, \"fmin\": %s, \"fmax\": %s, \"scale\": \"log10 power, slaney mel, floor 1e-10\"}",
                        mel.sampleRate(), mel.windowLength(), mel.hopLength(), mel.fftSize(), mel.minimumFrequency(), mel.maximumFrequency()));
            }
            for (String feature : List.of("rms", "envelope")) {
                if (features.contains(feature)) {
                    properties.put("kiln.column." + feature + ".shape", "[frames]");
                    properties.put("kiln.column." + feature + ".frames", timing);
                }
            }
            return properties;
        }

        @Override
        public Map<String, String> fingerprint() {
            return Map.of("fft", "JTransforms-3.1");
        }

        @Override
        public Outcome apply(Row row) {
            Optional<Object> value = row.value(column);
            if (value.isEmpty()) {
                return Outcome.emit(row);
            }
            MonoSignal signal;
            try {
                signal = DecodedAudio.decode((ByteBuffer) value.get(), maxSeconds).mono();
            }
            catch (AudioRejection rejection) {
                return Outcome.drop(ID, rejection.reason(), rejection.getMessage());
            }
            if (signal.sampleRate() != mel.sampleRate()) {
                return Outcome.drop(ID, "wrong-sample-rate", "the audio is at " + signal.sampleRate() + " Hz, the features at " + mel.sampleRate()
                        + " Hz: run audio-normalize with sampleRate " + mel.sampleRate() + " first");
            }
            Map<String, Object> values = new HashMap<>();
            if (features.contains("log_mel")) {
                LogMelSpectrogram.Spectrogram spectrogram = new LogMelSpectrogram(mel).compute(signal.samples());
                values.put("log_mel", spectrogram.values());
                values.put("log_mel_frames", spectrogram.frames());
            }
            if (features.contains("rms")) {
                values.put("rms", frames.rms(signal.samples()));
            }
            if (features.contains("envelope")) {
                values.put("envelope", frames.amplitudeEnvelope(signal.samples()));
            }
            return Outcome.emit(row.with(values));
        }
    }
}
