import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import org.jflac.FLACDecoder;
import org.jflac.PCMProcessor;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;

import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;
import io.kiln.transform.Values;
import io.kiln.transform.audio.AudioDecoder;
import io.kiln.transform.audio.AudioEncoder;
import io.kiln.transform.audio.AudioRejection;
import io.kiln.transform.audio.DecodedAudio;
import io.kiln.transform.audio.LogMelSpectrogram;
import io.kiln.transform.audio.LoudnessMeter;
import io.kiln.transform.audio.SincResampler;

/**
 * Seconds of audio per CPU-second of this thread, on one thread, in one JVM, interleaved rounds, per codec and
 * stage, next to the limit: the decoding library's bare loop on the same files (javax.sound's AudioInputStream
 * for WAV, jflac's FLACDecoder for FLAC, JOrbis's packet loop for Vorbis, mp3spi's AudioInputStream for MP3;
 * the PCM is read and dropped). Stages: Kiln's AudioDecoder to float; + downmix and SincResampler to 16 kHz;
 * + LoudnessMeter; the whole audio-normalize@1 step (Transform.apply); audio-features@1 (log_mel) on that
 * step's 16 kHz FLAC; LogMelSpectrogram alone on the decoded 16 kHz samples; and, to split the step's time, the
 * FLAC encoder alone on the stored 16 kHz PCM.
 *
 * <pre>
 * rates LIST ROUNDS          LIST: lines "group TAB path"; round 0 warms the JIT, the best of ROUNDS counts
 * generate POOL MINUTES      raw 16-bit little-endian stereo PCM at 44.1 kHz on stdout (for the flac CLI): the
 *                            WAVs of POOL resampled to 44.1 kHz and looped, the right channel from another place
 * long FILE PIECE_SECONDS    audio-normalize with onTooLong split on FILE, then the peak RSS (VmHWM)
 * floor FILE                 only reads FILE into a row: the RSS the long run cannot go below
 * </pre>
 */
public class AudioThroughput {
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    static final String[] STAGES = {"bare", "decode", "resample", "loudness", "normalize", "features", "logmel", "flac-encode"};
    static final int RATED = 7; // the stages in the rates table; the last is only in the CPU table
    static long blackhole;

    record Clip(String group, byte[] bytes, double seconds, Row row, Row normalized, float[] mono16k, int[] pcm16k) {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "rates" -> rates(Path.of(args[1]), Integer.parseInt(args[2]));
            case "generate" -> generate(Path.of(args[1]), Double.parseDouble(args[2]));
            case "long" -> longRun(Path.of(args[1]), Double.parseDouble(args[2]));
            case "floor" -> floor(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    // --- rates ----------------------------------------------------------------------------------------------

    static void rates(Path list, int rounds) throws Exception {
        Transform normalize = StepRegistry.defaultRegistry().find("audio-normalize").orElseThrow().bind(Map.of());
        Transform features = StepRegistry.defaultRegistry().find("audio-features").orElseThrow().bind(Map.of("features", List.of("log_mel")));
        Map<String, List<Clip>> groups = new LinkedHashMap<>();
        Map<String, Integer> rejected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(list)) {
            String[] fields = line.split("\t", 2);
            byte[] bytes = Files.readAllBytes(Path.of(fields[1]));
            Row row = new Row(fields[1], Map.of("audio", ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
            DecodedAudio decoded;
            Outcome outcome = normalize.apply(row);
            try {
                decoded = DecodedAudio.decode(bytes, 86_400);
            }
            catch (AudioRejection e) {
                rejected.merge(fields[0], 1, Integer::sum);
                System.out.printf("skipped %s: Kiln rejects it (%s)%n", fields[1], e.getMessage());
                continue;
            }
            if (!(outcome instanceof Outcome.Emit emit)) {
                rejected.merge(fields[0], 1, Integer::sum);
                System.out.printf("skipped %s: audio-normalize drops it (%s)%n", fields[1], outcome);
                continue;
            }
            Row stored = new Row(fields[1], Map.of("audio", emit.rows().get(0).value("audio").orElseThrow()));
            float[] mono16k = DecodedAudio.decode(Values.bytes((ByteBuffer) stored.value("audio").orElseThrow()), 86_400).mono().samples();
            double seconds = (double) decoded.frames() / decoded.info().sampleRate();
            int[] pcm16k = AudioEncoder.quantize(mono16k, mono16k.length, 16);
            groups.computeIfAbsent(fields[0], g -> new ArrayList<>()).add(new Clip(fields[0], bytes, seconds, row, stored, mono16k, pcm16k));
        }
        System.out.println("| files | count | MB | seconds of audio | rates (Hz) and channels |");
        System.out.println("|---|---|---|---|---|");
        for (var group : groups.entrySet()) {
            long bytes = group.getValue().stream().mapToLong(c -> c.bytes().length).sum();
            double seconds = group.getValue().stream().mapToDouble(Clip::seconds).sum();
            java.util.TreeMap<String, Integer> formats = new java.util.TreeMap<>();
            for (Clip clip : group.getValue()) {
                AudioDecoder.Info info = DecodedAudio.decode(clip.bytes(), 86_400).info();
                formats.merge(info.sampleRate() + "/" + info.channels() + "ch", 1, Integer::sum);
            }
            System.out.printf(Locale.ROOT, "| %s | %d%s | %.1f | %.0f | %s |%n", group.getKey(), group.getValue().size(),
                    rejected.containsKey(group.getKey()) ? " (" + rejected.get(group.getKey()) + " skipped)" : "", bytes / 1e6, seconds, formats);
        }

        int stages = STAGES.length;
        List<String> names = new ArrayList<>(groups.keySet());
        double[][] best = new double[names.size() + 1][stages]; // CPU seconds, the least over the rounds; last row: all groups
        for (double[] row : best) {
            java.util.Arrays.fill(row, Double.MAX_VALUE);
        }
        for (int round = 0; round <= rounds; round++) {
            double[][] cpu = new double[names.size() + 1][stages];
            for (int k = 0; k < stages; k++) {
                int stage = (k + round) % stages; // a different stage first in every round
                for (int g = 0; g < names.size(); g++) {
                    long start = THREADS.getCurrentThreadCpuTime();
                    for (Clip clip : groups.get(names.get(g))) {
                        run(stage, clip, normalize, features);
                    }
                    cpu[g][stage] = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
                    cpu[names.size()][stage] += cpu[g][stage];
                }
            }
            if (round == 0) {
                continue; // warms the JIT
            }
            StringBuilder line = new StringBuilder("round " + round + ", normalize / bare and features / bare:");
            for (int g = 0; g <= names.size(); g++) {
                for (int s = 0; s < stages; s++) {
                    best[g][s] = Math.min(best[g][s], cpu[g][s]);
                }
                line.append(String.format(Locale.ROOT, " %s %.3f %.3f;", g < names.size() ? names.get(g) : "all", cpu[g][0] / cpu[g][4], cpu[g][0] / cpu[g][5]));
            }
            System.out.println(line);
        }

        System.out.println();
        System.out.println("Seconds of audio per CPU-second (best of " + rounds + " rounds), and / bare:");
        System.out.println();
        System.out.println("| files | (a) bare decode loop | (b) Kiln AudioDecoder | (c) + mono, resample to 16 kHz | (d) + loudness | (e) `audio-normalize@1` | (f) `audio-features@1` log_mel | log-mel alone |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int g = 0; g <= names.size(); g++) {
            List<Clip> clips = g < names.size() ? groups.get(names.get(g)) : groups.values().stream().flatMap(List::stream).toList();
            double seconds = clips.stream().mapToDouble(Clip::seconds).sum();
            StringBuilder line = new StringBuilder("| " + (g < names.size() ? names.get(g) : "**all**") + " |");
            for (int s = 0; s < RATED; s++) {
                double rate = seconds / best[g][s];
                line.append(s == 0 ? String.format(Locale.ROOT, " %.0f |", rate) : String.format(Locale.ROOT, " %.0f (**%.3f**) |", rate, best[g][0] / best[g][s]));
            }
            System.out.println(line);
        }
        System.out.println();
        System.out.println("CPU seconds per stage (best round; flac-encode: AudioEncoder alone on the stored 16 kHz PCM, part of normalize):");
        System.out.println();
        System.out.println("| files | " + String.join(" | ", STAGES) + " |");
        System.out.println("|---|" + "---|".repeat(stages));
        for (int g = 0; g <= names.size(); g++) {
            StringBuilder line = new StringBuilder("| " + (g < names.size() ? names.get(g) : "all") + " |");
            for (int s = 0; s < stages; s++) {
                line.append(String.format(Locale.ROOT, " %.3f |", best[g][s]));
            }
            System.out.println(line);
        }
        if (groups.containsKey("mp3")) { // how much of mp3spi's loop is JLayer's decoder itself
            double mp3spi = Double.MAX_VALUE;
            double jlayer = Double.MAX_VALUE;
            for (int round = 0; round <= rounds; round++) {
                long start = THREADS.getCurrentThreadCpuTime();
                for (Clip clip : groups.get("mp3")) {
                    bareMp3(clip.bytes());
                }
                double a = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
                start = THREADS.getCurrentThreadCpuTime();
                for (Clip clip : groups.get("mp3")) {
                    bareJLayer(clip.bytes());
                }
                double b = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
                if (round > 0) {
                    mp3spi = Math.min(mp3spi, a);
                    jlayer = Math.min(jlayer, b);
                }
            }
            double seconds = groups.get("mp3").stream().mapToDouble(Clip::seconds).sum();
            System.out.printf(Locale.ROOT, "%nmp3: mp3spi's AudioInputStream %.0f s/CPU-s, JLayer's Bitstream + Decoder alone %.0f s/CPU-s%n", seconds / mp3spi, seconds / jlayer);
        }
        System.out.printf(Locale.ROOT, "RESULT %s%n", blackhole == 42 ? "" : "done");
    }

    static void run(int stage, Clip clip, Transform normalize, Transform features) throws Exception {
        switch (stage) {
            case 0 -> bare(clip);
            case 1 -> blackhole += AudioDecoder.decode(clip.bytes(), 86_400, new Counting());
            case 2 -> {
                Resampling sink = new Resampling(false);
                AudioDecoder.decode(clip.bytes(), 86_400, sink);
                sink.finish();
            }
            case 3 -> {
                Resampling sink = new Resampling(true);
                AudioDecoder.decode(clip.bytes(), 86_400, sink);
                sink.finish();
            }
            case 4 -> blackhole += normalize.apply(clip.row()) instanceof Outcome.Emit emit ? emit.rows().size() : 0;
            case 5 -> blackhole += features.apply(clip.normalized()) instanceof Outcome.Emit emit ? emit.rows().size() : 0;
            case 6 -> blackhole += LogMelSpectrogram.withDefaults(16_000).compute(clip.mono16k()).frames();
            case 7 -> blackhole += AudioEncoder.encode(clip.pcm16k(), 1, 16_000, 16, AudioEncoder.Format.FLAC).length;
            default -> throw new IllegalArgumentException("stage " + stage);
        }
    }

    static final class Counting implements AudioDecoder.Sink {
        @Override
        public void start(AudioDecoder.Info info) {
        }

        @Override
        public void accept(float[] interleaved, int frames) {
            blackhole += Float.floatToRawIntBits(interleaved[0]);
        }
    }

    /** What audio-normalize's sink does before a piece is stored: downmix, resample, and (with loudness) the meter. */
    static final class Resampling implements AudioDecoder.Sink {
        private final boolean loudness;
        private AudioDecoder.Info info;
        private SincResampler resampler;
        private LoudnessMeter meter;
        private float[] mono = new float[0];

        Resampling(boolean loudness) {
            this.loudness = loudness;
        }

        @Override
        public void start(AudioDecoder.Info started) {
            info = started;
            resampler = new SincResampler(started.sampleRate(), 16_000);
            meter = loudness ? new LoudnessMeter(16_000, 1) : null;
        }

        @Override
        public void accept(float[] interleaved, int frames) {
            int channels = info.channels();
            if (mono.length < frames) {
                mono = new float[frames];
            }
            for (int i = 0; i < frames; i++) {
                float sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += interleaved[i * channels + c];
                }
                mono[i] = sum / channels;
            }
            take(resampler.process(mono, 0, frames));
        }

        void finish() {
            take(resampler.flush());
            if (meter != null) {
                blackhole += (long) (meter.integratedLoudness() + meter.truePeakDbtp());
            }
        }

        private void take(float[] samples) {
            blackhole += samples.length;
            if (meter != null) {
                meter.accept(samples, 0, samples.length);
            }
        }
    }

    // --- the bare decode loops: the library alone, the PCM read and dropped ------------------------------

    static void bare(Clip clip) throws Exception {
        switch (clip.group()) {
            case "wav" -> bareWav(clip.bytes());
            case "flac" -> bareFlac(clip.bytes());
            case "vorbis" -> bareVorbis(clip.bytes());
            case "mp3" -> bareMp3(clip.bytes());
            default -> throw new IllegalArgumentException("no bare decoder for " + clip.group());
        }
    }

    static void bareWav(byte[] bytes) throws Exception {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(bytes))) {
            drain(in);
        }
    }

    static void drain(AudioInputStream in) throws Exception {
        byte[] buffer = new byte[16384];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            blackhole += read > 0 ? buffer[0] : 0;
        }
    }

    static void bareFlac(byte[] bytes) throws Exception {
        FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(bytes));
        decoder.addPCMProcessor(new PCMProcessor() {
            @Override
            public void processStreamInfo(StreamInfo info) {
            }

            @Override
            public void processPCM(ByteData pcm) {
                blackhole += pcm.getLen();
            }
        });
        decoder.decode();
    }

    static void bareMp3(byte[] bytes) throws Exception {
        AudioInputStream encoded = new javazoom.spi.mpeg.sampled.file.MpegAudioFileReader().getAudioInputStream(new ByteArrayInputStream(bytes));
        AudioFormat source = encoded.getFormat();
        AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, source.getSampleRate(), 16, source.getChannels(), source.getChannels() * 2,
                source.getSampleRate(), false);
        try (AudioInputStream decoded = new javazoom.spi.mpeg.sampled.convert.MpegFormatConversionProvider().getAudioInputStream(pcm, encoded)) {
            drain(decoded);
        }
    }

    static void bareJLayer(byte[] bytes) throws Exception {
        javazoom.jl.decoder.Bitstream bitstream = new javazoom.jl.decoder.Bitstream(new ByteArrayInputStream(bytes));
        javazoom.jl.decoder.Decoder decoder = new javazoom.jl.decoder.Decoder();
        javazoom.jl.decoder.Header header;
        while ((header = bitstream.readFrame()) != null) {
            blackhole += ((javazoom.jl.decoder.SampleBuffer) decoder.decodeFrame(header, bitstream)).getBufferLength();
            bitstream.closeFrame();
        }
        bitstream.close();
    }

    /** JOrbis's own loop: pages to packets to float PCM, read and dropped. */
    static void bareVorbis(byte[] bytes) {
        com.jcraft.jogg.SyncState sync = new com.jcraft.jogg.SyncState();
        com.jcraft.jogg.StreamState stream = new com.jcraft.jogg.StreamState();
        com.jcraft.jogg.Page page = new com.jcraft.jogg.Page();
        com.jcraft.jogg.Packet packet = new com.jcraft.jogg.Packet();
        com.jcraft.jorbis.Info info = new com.jcraft.jorbis.Info();
        com.jcraft.jorbis.Comment comment = new com.jcraft.jorbis.Comment();
        com.jcraft.jorbis.DspState dsp = new com.jcraft.jorbis.DspState();
        com.jcraft.jorbis.Block block = new com.jcraft.jorbis.Block(dsp);
        sync.init();
        int at = sync.buffer(bytes.length);
        System.arraycopy(bytes, 0, sync.data, at, bytes.length);
        sync.wrote(bytes.length);
        sync.pageout(page);
        int serial = page.serialno();
        stream.init(serial);
        info.init();
        comment.init();
        stream.pagein(page);
        int headers = 0;
        while (headers < 3) {
            if (stream.packetout(packet) == 1) {
                info.synthesis_headerin(comment, packet);
                headers++;
            }
            else {
                sync.pageout(page);
                if (page.serialno() == serial) {
                    stream.pagein(page);
                }
            }
        }
        dsp.synthesis_init(info);
        block.init(dsp);
        float[][][] pcm = new float[1][][];
        int[] offsets = new int[info.channels];
        boolean end = false;
        while (!end) {
            int paged = sync.pageout(page);
            if (paged == 0) {
                break;
            }
            if (paged < 0 || page.serialno() != serial) {
                continue;
            }
            stream.pagein(page);
            int packets;
            while ((packets = stream.packetout(packet)) != 0) {
                if (packets < 0) {
                    continue;
                }
                if (block.synthesis(packet) == 0) {
                    dsp.synthesis_blockin(block);
                }
                int available;
                while ((available = dsp.synthesis_pcmout(pcm, offsets)) > 0) {
                    blackhole += Float.floatToRawIntBits(pcm[0][0][offsets[0]]);
                    dsp.synthesis_read(available);
                }
            }
            end = page.eos() != 0;
        }
        block.clear();
        dsp.clear();
        stream.clear();
        sync.clear();
    }

    // --- the long recording -----------------------------------------------------------------------------

    /** The pool's WAVs at 44.1 kHz, looped: the left channel from the first, the right from the middle of the pool, at 0.8. */
    static void generate(Path pool, double minutes) throws Exception {
        List<float[]> prompts = new ArrayList<>();
        for (String line : Files.readAllLines(pool)) {
            DecodedAudio decoded = DecodedAudio.decode(Files.readAllBytes(Path.of(line)), 86_400);
            prompts.add(SincResampler.resample(decoded.mono().samples(), decoded.info().sampleRate(), 44_100));
        }
        long frames = Math.round(minutes * 60 * 44_100);
        int[] prompt = {0, prompts.size() / 2};
        int[] position = {0, 0};
        ByteBuffer block = ByteBuffer.allocate(4096 * 4).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(System.out, 1 << 16)) {
            for (long frame = 0; frame < frames; frame++) {
                for (int c = 0; c < 2; c++) {
                    float[] samples = prompts.get(prompt[c]);
                    float value = samples[position[c]] * (c == 0 ? 1f : 0.8f);
                    if (++position[c] == samples.length) {
                        position[c] = 0;
                        prompt[c] = (prompt[c] + 1) % prompts.size();
                    }
                    block.putShort((short) Math.max(-32768, Math.min(32767, Math.round(value * 32768))));
                }
                if (!block.hasRemaining()) {
                    out.write(block.array(), 0, block.position());
                    block.clear();
                }
            }
            out.write(block.array(), 0, block.position());
        }
    }

    static void longRun(Path file, double pieceSeconds) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        Row row = new Row(file.getFileName().toString(), Map.of("audio", ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
        Transform step = StepRegistry.defaultRegistry().find("audio-normalize").orElseThrow()
                .bind(Map.of("onTooLong", "split", "maxSeconds", pieceSeconds));
        long start = THREADS.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        Outcome outcome = step.apply(row);
        double cpu = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
        double wallSeconds = (System.nanoTime() - wall) / 1e9;
        if (!(outcome instanceof Outcome.Emit emit)) {
            throw new IllegalStateException("audio-normalize dropped the file: " + outcome);
        }
        long stored = 0;
        double seconds = 0;
        for (Row piece : emit.rows()) {
            stored += ((ByteBuffer) piece.value("audio").orElseThrow()).remaining();
            seconds += (Double) piece.value("duration_s").orElseThrow();
        }
        Row first = emit.rows().get(0);
        long originalFrames = Math.round(seconds * (Integer) first.value("original_sample_rate").orElseThrow());
        int channels = (Integer) first.value("original_channels").orElseThrow();
        System.out.printf(Locale.ROOT, "RESULT file_bytes=%d seconds=%.1f pieces=%d stored_bytes=%d decoded_float_bytes=%d decoded_pcm16_bytes=%d cpu_s=%.1f wall_s=%.1f %s%n",
                bytes.length, seconds, emit.rows().size(), stored, originalFrames * channels * 4, originalFrames * channels * 2, cpu, wallSeconds, memory());
    }

    static void floor(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        Row row = new Row(file.getFileName().toString(), Map.of("audio", ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
        blackhole += Values.sha256((ByteBuffer) row.value("audio").orElseThrow()).length();
        System.out.printf(Locale.ROOT, "RESULT file_bytes=%d %s%n", bytes.length, memory());
    }

    /** Peak RSS (VmHWM) and the number of GCs. */
    static String memory() throws Exception {
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        long collections = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += gc.getCollectionCount();
        }
        return String.format(Locale.ROOT, "vmhwm_kb=%d max_heap_bytes=%d gcs=%d", hwm, Runtime.getRuntime().maxMemory(), collections);
    }
}
