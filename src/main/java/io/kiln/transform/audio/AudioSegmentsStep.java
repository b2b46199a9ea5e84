package io.kiln.transform.audio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.kiln.embed.ModelLoadException;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepId;
import io.kiln.transform.StepParameters;
import io.kiln.transform.Transform;
import io.kiln.transform.text.ChunkStep;

/**
 * {@code audio-segments}: finds the speech in a sound with the energy detector ({@link EnergyVad}),
 * or with the Silero VAD model ({@link SileroVad}) when the job names its file, and records it as
 * {@code speech_starts_s} and {@code speech_ends_s} (seconds, one entry per segment),
 * {@code speech_seconds} and {@code speech_ratio}. With {@code split: true} each segment
 * becomes a row of its own, {@code <id>#<n>}, holding just that stretch of audio (stored as the
 * input was: FLAC stays FLAC at its bit depth, anything else becomes 16- or 24-bit WAV) with
 * {@code parent_id}, {@code chunk_index}, {@code chunk_count} and {@code start_s}; its lineage position
 * names the segment.
 *
 * <p>Parameters: {@code column} ({@code audio}), {@code minSpeechMs} (250), {@code minSilenceMs}
 * (300), {@code padMs} (100), {@code maxSegmentMs} (30000), {@code split} (false), {@code
 * requireSpeech} (false: a sound without speech is kept with no segments; true: it is a
 * {@code no-speech} reject), {@code maxSeconds} (600), {@code vad} ({@code energy}, or {@code silero}).
 * With {@code silero}: {@code modelPath} (required, under the source roots: the Silero VAD v5
 * {@code .onnx}), {@code modelSha256} (optional: the job is refused when the file's hash differs),
 * {@code threshold} (0.5, the speech probability that starts a segment). Silero reads 16 kHz only: a
 * sound at another rate is a {@code wrong-sample-rate} reject (run audio-normalize first). The model's
 * sha256 goes into the recipe.
 */
public final class AudioSegmentsStep implements StepDefinition {
    public static final String NAME = "audio-segments";
    private static final StepId ID = new StepId(NAME, 1);
    private static final int SILERO_SAMPLE_RATE = 16_000;

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("column", "minSpeechMs", "minSilenceMs", "padMs", "maxSegmentMs", "split", "requireSpeech", "maxSeconds", "vad",
                "modelPath", "modelSha256", "threshold"));
        String column = StepParameters.column(parameters, "column", "audio");
        EnergyVad.Parameters defaults = EnergyVad.Parameters.defaults();
        EnergyVad.Parameters vad = defaults
                .withMinSpeechMilliseconds(StepParameters.integer(parameters, "minSpeechMs", defaults.minSpeechMilliseconds(), 0, 600_000))
                .withMinSilenceMilliseconds(StepParameters.integer(parameters, "minSilenceMs", defaults.minSilenceMilliseconds(), 0, 600_000))
                .withPadMilliseconds(StepParameters.integer(parameters, "padMs", defaults.padMilliseconds(), 0, 60_000))
                .withMaxSegmentMilliseconds(StepParameters.integer(parameters, "maxSegmentMs", defaults.maxSegmentMilliseconds(), 100, 3_600_000));
        boolean split = StepParameters.flag(parameters, "split", false);
        boolean requireSpeech = StepParameters.flag(parameters, "requireSpeech", false);
        double maxSeconds = StepParameters.number(parameters, "maxSeconds", 600, 0.01, 86_400);
        Optional<SileroVad> silero = Optional.empty();
        if (StepParameters.oneOf(parameters, "vad", "energy", Set.of("energy", "silero")).equals("silero")) {
            silero = Optional.of(silero(parameters, vad));
        }
        else {
            for (String name : List.of("modelPath", "modelSha256", "threshold")) {
                if (parameters.containsKey(name)) {
                    throw new InvalidStepParameterException(name, "applies only with vad: silero");
                }
            }
        }
        return new Segments(column, new EnergyVad(vad), silero, split, requireSpeech, maxSeconds);
    }

    private static SileroVad silero(Map<String, Object> parameters, EnergyVad.Parameters postProcessing) {
        StepParameters.ModelFile model = StepParameters.modelFile(parameters, " with vad: silero: the Silero VAD v5 .onnx file");
        double threshold = StepParameters.number(parameters, "threshold", SileroVad.DEFAULT_THRESHOLD, 0.01, 0.99);
        try {
            return SileroVad.load(model.bytes(), SileroVad.Parameters.withThreshold(threshold, postProcessing));
        }
        catch (ModelLoadException e) {
            throw new InvalidStepParameterException("modelPath", e.getMessage());
        }
    }

    record Segments(String column, EnergyVad energy, Optional<SileroVad> silero, boolean split, boolean requireSpeech, double maxSeconds) implements Transform {
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
            List<Column> columns = new ArrayList<>(List.of(
                    Column.floatList("speech_starts_s", "where each speech segment starts, in seconds"),
                    Column.floatList("speech_ends_s", "where each speech segment ends, in seconds"),
                    Column.doubleColumn("speech_seconds", "seconds of speech"),
                    Column.doubleColumn("speech_ratio", "fraction of the sound that is speech")));
            if (split) {
                columns.add(Column.string(ChunkStep.PARENT_ID, "id of the recording this segment was cut from"));
                columns.add(Column.integer(ChunkStep.CHUNK_INDEX, "position of this segment in its recording, from 0"));
                columns.add(Column.integer(ChunkStep.CHUNK_COUNT, "number of segments of its recording"));
                columns.add(Column.doubleColumn("start_s", "where this segment starts in its recording, in seconds"));
            }
            return List.copyOf(columns);
        }

        @Override
        public Map<String, String> fingerprint() {
            return silero.map(model -> Map.of("model-sha256", model.modelSha256(), "kiln.vad-model", "silero-vad@sha256:" + model.modelSha256())).orElse(Map.of());
        }

        @Override
        public Outcome apply(Row row) {
            Optional<Object> value = row.value(column);
            if (value.isEmpty()) {
                return Outcome.emit(row);
            }
            DecodedAudio whole;
            try {
                whole = DecodedAudio.decode((ByteBuffer) value.get(), maxSeconds);
            }
            catch (AudioRejection rejection) {
                return Outcome.drop(ID, rejection.reason(), rejection.getMessage());
            }
            MonoSignal signal = whole.mono();
            List<EnergyVad.Segment> segments;
            if (silero.isPresent()) {
                if (signal.sampleRate() != SILERO_SAMPLE_RATE) {
                    return Outcome.drop(ID, "wrong-sample-rate", "the audio is at " + signal.sampleRate() + " Hz, Silero VAD reads " + SILERO_SAMPLE_RATE
                            + " Hz: run audio-normalize with sampleRate " + SILERO_SAMPLE_RATE + " first");
                }
                segments = silero.get().segments(signal.samples(), signal.sampleRate());
            }
            else {
                segments = energy.segments(signal.samples(), signal.sampleRate());
            }
            if (segments.isEmpty() && requireSpeech) {
                return Outcome.drop(ID, "no-speech", String.format(java.util.Locale.ROOT, "no speech found in %.3f s", signal.seconds()));
            }
            int rate = signal.sampleRate();
            float[] starts = new float[segments.size()];
            float[] ends = new float[segments.size()];
            long speech = 0;
            for (int i = 0; i < segments.size(); i++) {
                starts[i] = (float) ((double) segments.get(i).startSample() / rate);
                ends[i] = (float) ((double) segments.get(i).endSample() / rate);
                speech += segments.get(i).lengthSamples();
            }
            Map<String, Object> values = new HashMap<>();
            values.put("speech_starts_s", starts);
            values.put("speech_ends_s", ends);
            values.put("speech_seconds", (double) speech / rate);
            values.put("speech_ratio", signal.samples().length == 0 ? 0.0 : (double) speech / signal.samples().length);
            Row described = row.with(values);
            if (!split || segments.isEmpty()) {
                return Outcome.emit(described);
            }
            return Outcome.emitAll(pieces(described, whole, segments, rate));
        }

        /** One row per segment, its audio cut from the decoded original (all channels) and stored as the input was. */
        private List<Row> pieces(Row row, DecodedAudio whole, List<EnergyVad.Segment> segments, int rate) {
            int bits = whole.info().bitsPerSample() == 24 ? 24 : 16;
            AudioEncoder.Format format = whole.info().codec().equals("flac") ? AudioEncoder.Format.FLAC : AudioEncoder.Format.WAV;
            int channels = whole.info().channels();
            Row parent = row.with(ChunkStep.PARENT_ID, row.id()).with(ChunkStep.CHUNK_COUNT, segments.size());
            List<Row> rows = new ArrayList<>();
            for (int index = 0; index < segments.size(); index++) {
                EnergyVad.Segment segment = segments.get(index);
                float[] cut = Arrays.copyOfRange(whole.samples(), (int) segment.startSample() * channels, (int) segment.endSample() * channels);
                int[] pcm = AudioEncoder.quantize(cut, cut.length, bits);
                byte[] stored = AudioEncoder.encode(pcm, channels, rate, bits, format);
                rows.add(parent.withId(row.id() + "#" + index).with(column, ByteBuffer.wrap(stored).asReadOnlyBuffer())
                        .with(ChunkStep.CHUNK_INDEX, index).with("start_s", (double) segment.startSample() / rate));
            }
            return rows;
        }
    }
}
