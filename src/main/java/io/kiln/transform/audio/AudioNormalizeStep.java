package io.kiln.transform.audio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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
import io.kiln.transform.Values;
import io.kiln.transform.text.ChunkStep;

/**
 * {@code audio-normalize}: decodes a sound ({@link AudioDecoder}: WAV, FLAC, Ogg Vorbis, MP3) and
 * stores its canonical form in place of the file: downmixed to mono (or its channels kept),
 * resampled to {@code sampleRate} by the {@link SincResampler}, normalized to a loudness target
 * with a true-peak ceiling ({@link LoudnessMeter}, ITU-R BS.1770 / EBU R128), quantized to 16 or 24
 * bits and written losslessly as FLAC or WAV ({@link AudioEncoder}). Every stage is strict Java
 * arithmetic: the same file and parameters give the same bytes on every machine.
 *
 * <p>Parameters: {@code column} (binary, default {@code audio}), {@code sampleRate} (16000; 8000 to
 * 192000), {@code channels} ({@code mono} (default) or {@code keep}: up to 6), {@code loudness}
 * (target in LUFS, -23 by default; {@code null} leaves the level alone), {@code peakCeiling} (dBTP,
 * -1), {@code encode} ({@code flac} or {@code wav}), {@code bits} (16 or 24), {@code maxSeconds}
 * (600) with {@code onTooLong} ({@code reject}: a {@code too-long} reject, or {@code split}: one row
 * per piece of at most {@code maxSeconds}, {@code <id>#<n>} with {@code parent_id},
 * {@code chunk_index} and {@code chunk_count}, each piece normalized on its own; the file is decoded
 * once, one piece at a time), {@code minSeconds} (0: shorter sounds are {@code too-short}),
 * {@code maxBytes} (0: no limit; larger files are {@code too-large}); quality filters, measured on
 * the resampled signal before the gain ({@link AudioQuality}, also stored as columns):
 * {@code maxClippingRatio} ({@code clipped}), {@code maxSilenceRatio} ({@code mostly-silent}),
 * {@code minSnrDb} ({@code low-snr}); all off by default, and not with {@code onTooLong: split}.
 *
 * <p>Rejects: {@code unsupported-audio}, {@code corrupt-audio}, {@code truncated-audio},
 * {@code too-long}, {@code too-short}, {@code too-large}, {@code too-many-channels}, and the filters'.
 */
public final class AudioNormalizeStep implements StepDefinition {
    public static final String NAME = "audio-normalize";
    private static final StepId ID = new StepId(NAME, 1);
    private static final int MAX_CHANNELS = 6;

    static final List<Column> COLUMNS = List.of(
            Column.string("codec", "codec of the original file: wav, flac, vorbis or mp3"),
            Column.integer("original_sample_rate", "sample rate of the original, in hertz"),
            Column.integer("original_channels", "channels of the original"),
            Column.optional("original_bits", DataType.INT, "bits per sample of the original (0 for lossy codecs)"),
            Column.optional("bytes", DataType.LONG, "size of the original file in bytes"),
            Column.string("sha256", "sha256 of the original file"),
            Column.integer("sample_rate", "sample rate of the stored audio, in hertz"),
            Column.integer("channels", "channels of the stored audio"),
            Column.doubleColumn("duration_s", "duration of the stored audio, in seconds"),
            Column.string("stored_format", "format of the stored audio: flac or wav"),
            Column.string("pcm_sha256", "sha256 of the stored audio's PCM (little-endian, interleaved): the same whatever the container"),
            Column.optional("loudness_lufs", DataType.DOUBLE, "integrated loudness before normalization (ITU-R BS.1770), LUFS; null when all of it is gated out (silence)"),
            Column.optional("true_peak_dbtp", DataType.DOUBLE, "true peak before normalization, dBTP"),
            Column.doubleColumn("gain_db", "gain applied to reach the loudness target under the peak ceiling, dB"),
            Column.doubleColumn("rms_dbfs", "RMS level before normalization, dBFS (AudioQuality)"),
            Column.doubleColumn("peak_dbfs", "sample peak before normalization, dBFS"),
            Column.doubleColumn("clipping_ratio", "fraction of samples clipped"),
            Column.doubleColumn("dc_offset", "mean sample before normalization"),
            Column.doubleColumn("silence_ratio", "fraction of 20 ms frames below -60 dBFS"),
            Column.doubleColumn("snr_db", "signal-to-noise estimate from frame powers (95th over 10th percentile), dB"),
            Column.doubleColumn("bandwidth_hz", "highest frequency within 60 dB of the strongest, Hz"));

    enum Channels { MONO, KEEP }

    enum TooLong { REJECT, SPLIT }

    @Override
    public StepId id() {
        return ID;
    }

    @Override
    public Transform bind(Map<String, Object> parameters) {
        StepParameters.requireOnly(parameters, Set.of("column", "sampleRate", "channels", "loudness", "peakCeiling", "encode", "bits", "maxSeconds",
                "onTooLong", "minSeconds", "maxBytes", "maxClippingRatio", "maxSilenceRatio", "minSnrDb"));
        String column = StepParameters.column(parameters, "column", "audio");
        int sampleRate = StepParameters.integer(parameters, "sampleRate", 16000, LoudnessMeter.MINIMUM_SAMPLE_RATE, 192_000);
        Channels channels = Channels.valueOf(StepParameters.oneOf(parameters, "channels", "mono", Set.of("mono", "keep")).toUpperCase(Locale.ROOT));
        Optional<Double> loudness = parameters.containsKey("loudness") && parameters.get("loudness") == null ? Optional.empty()
                : Optional.of(StepParameters.number(parameters, "loudness", -23, -70, 0));
        double peakCeiling = StepParameters.number(parameters, "peakCeiling", -1, -60, 0);
        if (loudness.isEmpty() && parameters.containsKey("peakCeiling")) {
            throw new InvalidStepParameterException("peakCeiling", "applies only with a loudness target");
        }
        AudioEncoder.Format encode = AudioEncoder.Format.valueOf(StepParameters.oneOf(parameters, "encode", "flac", Set.of("flac", "wav")).toUpperCase(Locale.ROOT));
        int bits = StepParameters.integer(parameters, "bits", 16, 16, 24);
        if (bits != 16 && bits != 24) {
            throw new InvalidStepParameterException("bits", "must be 16 or 24, was " + bits);
        }
        double maxSeconds = StepParameters.number(parameters, "maxSeconds", 600, 0.01, 86_400);
        TooLong onTooLong = TooLong.valueOf(StepParameters.oneOf(parameters, "onTooLong", "reject", Set.of("reject", "split")).toUpperCase(Locale.ROOT));
        double minSeconds = StepParameters.number(parameters, "minSeconds", 0, 0, 86_400);
        if (minSeconds > maxSeconds) {
            throw new InvalidStepParameterException("minSeconds", "must not exceed maxSeconds (" + maxSeconds + "), was " + minSeconds);
        }
        long maxBytes = (long) StepParameters.number(parameters, "maxBytes", 0, 0, Long.MAX_VALUE);
        double maxClippingRatio = StepParameters.number(parameters, "maxClippingRatio", 1, 0, 1);
        double maxSilenceRatio = StepParameters.number(parameters, "maxSilenceRatio", 1, 0, 1);
        double minSnrDb = StepParameters.number(parameters, "minSnrDb", Double.NEGATIVE_INFINITY, -100, 200);
        if (onTooLong == TooLong.SPLIT) {
            for (String filter : List.of("maxClippingRatio", "maxSilenceRatio", "minSnrDb", "minSeconds")) {
                if (parameters.containsKey(filter)) {
                    throw new InvalidStepParameterException(filter, "applies only with onTooLong reject: a recording split into pieces is kept or dropped whole");
                }
            }
        }
        return new Normalize(column, sampleRate, channels, loudness, peakCeiling, encode, bits, maxSeconds, onTooLong, minSeconds, maxBytes,
                new Filters(maxClippingRatio, maxSilenceRatio, minSnrDb));
    }

    /** The quality a recording must have; the defaults let everything through. */
    record Filters(double maxClippingRatio, double maxSilenceRatio, double minSnrDb) {
        Optional<Outcome> check(AudioQuality quality) {
            if (quality.clippingRatio() > maxClippingRatio) {
                return Optional.of(Outcome.drop(ID, "clipped", String.format(Locale.ROOT, "%.4f of the samples are clipped, above maxClippingRatio %s",
                        quality.clippingRatio(), maxClippingRatio)));
            }
            if (quality.silenceRatio() > maxSilenceRatio) {
                return Optional.of(Outcome.drop(ID, "mostly-silent", String.format(Locale.ROOT, "%.4f of the frames are silent, above maxSilenceRatio %s",
                        quality.silenceRatio(), maxSilenceRatio)));
            }
            if (quality.snrDb() < minSnrDb) {
                return Optional.of(Outcome.drop(ID, "low-snr", String.format(Locale.ROOT, "an estimated SNR of %.1f dB, below minSnrDb %s", quality.snrDb(), minSnrDb)));
            }
            return Optional.empty();
        }
    }

    record Normalize(String column, int sampleRate, Channels channels, Optional<Double> loudness, double peakCeiling, AudioEncoder.Format encode, int bits,
            double maxSeconds, TooLong onTooLong, double minSeconds, long maxBytes, Filters filters) implements Transform {
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
            if (onTooLong == TooLong.REJECT) {
                return COLUMNS;
            }
            List<Column> columns = new ArrayList<>(COLUMNS);
            columns.add(Column.string(ChunkStep.PARENT_ID, "id of the recording this piece was cut from"));
            columns.add(Column.integer(ChunkStep.CHUNK_INDEX, "position of this piece in its recording, from 0"));
            columns.add(Column.integer(ChunkStep.CHUNK_COUNT, "number of pieces of its recording"));
            columns.add(Column.doubleColumn("start_s", "where this piece starts in its recording, in seconds (of the stored audio)"));
            return List.copyOf(columns);
        }

        @Override
        public Map<String, String> fingerprint() {
            return Map.of("audio-encoder", AudioEncoder.IDENTITY);
        }

        @Override
        public Outcome apply(Row row) {
            Optional<Object> value = row.value(column);
            if (value.isEmpty()) {
                return Outcome.emit(row);
            }
            // the file is read in place, never copied: with the row's own bytes, the step holds one piece of audio and the encoded pieces
            ByteBuffer file = ((ByteBuffer) value.get()).duplicate();
            if (maxBytes > 0 && file.remaining() > maxBytes) {
                return Outcome.drop(ID, "too-large", "the file has %d bytes, above maxBytes %d".formatted(file.remaining(), maxBytes));
            }
            // rejecting, the decoder enforces maxSeconds and the sound is one piece; splitting, pieces of maxSeconds
            Pieces pieces = new Pieces(this, onTooLong == TooLong.SPLIT ? (long) Math.floor(maxSeconds * sampleRate) : Long.MAX_VALUE);
            try {
                AudioDecoder.decode(file, onTooLong == TooLong.SPLIT ? Double.MAX_VALUE : maxSeconds, pieces);
                pieces.finish();
            }
            catch (AudioRejection rejection) {
                return Outcome.drop(ID, rejection.reason(), rejection.getMessage());
            }
            double seconds = (double) pieces.totalFrames / sampleRate;
            if (seconds < minSeconds || pieces.stored.isEmpty()) {
                return Outcome.drop(ID, "too-short", String.format(Locale.ROOT, "%.3f s, below minSeconds %s", seconds, minSeconds));
            }
            Map<String, Object> common = new HashMap<>();
            AudioDecoder.Info info = pieces.info;
            common.put("codec", info.codec());
            common.put("original_sample_rate", info.sampleRate());
            common.put("original_channels", info.channels());
            common.put("original_bits", info.bitsPerSample());
            common.put("bytes", (long) file.remaining());
            common.put("sha256", Values.sha256(file));
            common.put("sample_rate", sampleRate);
            common.put("channels", pieces.outputChannels);
            common.put("stored_format", encode.name().toLowerCase(Locale.ROOT));
            if (onTooLong == TooLong.REJECT) {
                Piece only = pieces.stored.get(0);
                Optional<Outcome> rejected = filters.check(only.quality());
                return rejected.orElseGet(() -> Outcome.emit(row.with(common).with(only.values(column))));
            }
            Row parent = row.with(common).with(ChunkStep.PARENT_ID, row.id()).with(ChunkStep.CHUNK_COUNT, pieces.stored.size());
            List<Row> rows = new ArrayList<>();
            for (int index = 0; index < pieces.stored.size(); index++) {
                Piece piece = pieces.stored.get(index);
                rows.add(parent.withId(pieces.stored.size() == 1 ? row.id() : row.id() + "#" + index).with(piece.values(column))
                        .with(ChunkStep.CHUNK_INDEX, index).with("start_s", (double) piece.startFrame() / sampleRate));
            }
            return Outcome.emitAll(rows);
        }
    }

    /** One stored piece of a recording. */
    record Piece(long startFrame, long frames, byte[] bytes, String pcmSha256, double loudness, double truePeak, double gain, int sampleRate, AudioQuality quality) {
        Map<String, Object> values(String column) {
            Map<String, Object> values = new HashMap<>();
            values.put(column, ByteBuffer.wrap(bytes).asReadOnlyBuffer());
            values.put("duration_s", (double) frames / sampleRate);
            values.put("pcm_sha256", pcmSha256);
            if (Double.isFinite(loudness)) {
                values.put("loudness_lufs", loudness);
            }
            if (Double.isFinite(truePeak)) {
                values.put("true_peak_dbtp", truePeak);
            }
            values.put("gain_db", gain);
            values.put("rms_dbfs", quality.rmsDbfs());
            values.put("peak_dbfs", quality.peakDbfs());
            values.put("clipping_ratio", quality.clippingRatio());
            values.put("dc_offset", quality.dcOffset());
            values.put("silence_ratio", quality.silenceRatio());
            values.put("snr_db", quality.snrDb());
            values.put("bandwidth_hz", quality.bandwidthHz());
            return values;
        }
    }

    /**
     * The decoder's sink: downmixes (or keeps the channels), resamples, and collects the canonical
     * samples of one piece at a time; a full piece is normalized and encoded before the next begins.
     */
    private static final class Pieces implements AudioDecoder.Sink {
        private final Normalize settings;
        private final long pieceFrames;
        private final List<Piece> stored = new ArrayList<>();
        private AudioDecoder.Info info;
        private int outputChannels;
        private SincResampler[] resamplers;
        private float[][] pending;
        private int pendingFrames;
        private float[] scratch = new float[0];
        private long totalFrames;

        Pieces(Normalize settings, long pieceFrames) {
            this.settings = settings;
            this.pieceFrames = Math.max(1, pieceFrames);
        }

        @Override
        public void start(AudioDecoder.Info decoded) throws AudioRejection {
            info = decoded;
            if (decoded.channels() > MAX_CHANNELS) {
                throw new AudioRejection("too-many-channels", decoded.channels() + " channels; at most " + MAX_CHANNELS + " are read");
            }
            outputChannels = settings.channels() == Channels.MONO ? 1 : decoded.channels();
            resamplers = new SincResampler[outputChannels];
            pending = new float[outputChannels][1024];
            for (int c = 0; c < outputChannels; c++) {
                resamplers[c] = new SincResampler(decoded.sampleRate(), settings.sampleRate());
            }
        }

        @Override
        public void accept(float[] interleaved, int frames) throws AudioRejection {
            int channels = info.channels();
            if (outputChannels == 1 && channels > 1) {
                append(0, resamplers[0].process(MonoSignal.mix(interleaved, frames, channels), 0, frames));
            }
            else {
                if (scratch.length < frames) {
                    scratch = new float[frames];
                }
                for (int c = 0; c < outputChannels; c++) {
                    for (int i = 0; i < frames; i++) {
                        scratch[i] = interleaved[i * channels + c];
                    }
                    append(c, resamplers[c].process(scratch, 0, frames));
                }
            }
            drain(false);
        }

        void finish() throws AudioRejection {
            if (info == null) {
                throw new AudioRejection("corrupt-audio", "the file holds no audio");
            }
            for (int c = 0; c < outputChannels; c++) {
                append(c, resamplers[c].flush());
            }
            drain(true);
        }

        private void append(int channel, float[] samples) {
            // every channel's resampler gives the same number of samples for the same input: channel 0 sets the count
            int at = channel == 0 ? pendingFrames : pendingFrames - samples.length;
            if (at + samples.length > pending[channel].length) {
                pending[channel] = Arrays.copyOf(pending[channel], Math.max(at + samples.length, 2 * pending[channel].length));
            }
            System.arraycopy(samples, 0, pending[channel], at, samples.length);
            if (channel == 0) {
                pendingFrames += samples.length;
            }
        }

        /** Stores every full piece, and with {@code last} the rest. */
        private void drain(boolean last) {
            while (pendingFrames >= pieceFrames || last && pendingFrames > 0) {
                int frames = (int) Math.min(pieceFrames, pendingFrames);
                stored.add(store(frames));
                for (int c = 0; c < outputChannels; c++) {
                    System.arraycopy(pending[c], frames, pending[c], 0, pendingFrames - frames);
                }
                pendingFrames -= frames;
                totalFrames += frames;
                if (!last && pendingFrames < pieceFrames) {
                    break;
                }
            }
        }

        private Piece store(int frames) {
            float[] interleaved = new float[frames * outputChannels];
            for (int c = 0; c < outputChannels; c++) {
                for (int i = 0; i < frames; i++) {
                    interleaved[i * outputChannels + c] = pending[c][i];
                }
            }
            AudioQuality quality = AudioQuality.measure(outputChannels == 1 ? interleaved.clone() : MonoSignal.mix(interleaved, frames, outputChannels), settings.sampleRate());
            double measured = Double.NEGATIVE_INFINITY;
            double truePeak = Double.NEGATIVE_INFINITY;
            double gain = 0;
            if (settings.loudness().isPresent()) {
                LoudnessMeter meter = new LoudnessMeter(settings.sampleRate(), outputChannels);
                meter.accept(interleaved, 0, frames);
                measured = meter.integratedLoudness();
                truePeak = meter.truePeakDbtp();
                gain = Double.isFinite(measured) ? LoudnessMeter.gainDb(measured, settings.loudness().get(), truePeak, settings.peakCeiling()) : 0;
                if (gain != 0) {
                    float factor = (float) StrictMath.pow(10, gain / 20);
                    for (int i = 0; i < interleaved.length; i++) {
                        interleaved[i] *= factor;
                    }
                }
            }
            int[] pcm = AudioEncoder.quantize(interleaved, interleaved.length, settings.bits());
            byte[] bytes = AudioEncoder.encode(pcm, outputChannels, settings.sampleRate(), settings.bits(), settings.encode());
            return new Piece(totalFrames, frames, bytes, AudioEncoder.pcmSha256(pcm, settings.bits()), measured, truePeak, gain, settings.sampleRate(), quality);
        }
    }
}
