package io.kiln.transform.audio;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

import org.jflac.FLACDecoder;
import org.jflac.PCMProcessor;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;

/**
 * Decodes a sound file to float PCM in [-1, 1], interleaved, handed to a {@link Sink} block by block,
 * so that no caller needs the whole decoded signal: WAV (PCM 8, 16, 24 and 32 bits and 32-bit
 * float, through javax.sound), FLAC (jflac, bit-exact to the WAV it was made from), Ogg Vorbis
 * (vorbisspi) and MP3 (mp3spi). The container is told by the content, never by the name.
 *
 * <p>Vorbis: vorbisspi may drop the last few hundred samples of a stream; the decoded length is
 * trimmed or padded with silence to the last Ogg page's granule position, the stream's own length.
 * A file whose decoded length falls short of what its header declares (WAV data chunk, FLAC
 * STREAMINFO) is {@code truncated-audio}; one the decoder cannot read, {@code corrupt-audio}; Ogg
 * streams other than Vorbis and other containers, {@code unsupported-audio}; one longer than
 * {@code maxSeconds}, {@code too-long} (decoding stops there: nothing past the limit is decoded).
 *
 * <p>Deterministic: the same bytes give the same samples. Thread-safe (no state).
 */
public final class AudioDecoder {
    private static final int BLOCK_FRAMES = 4096;

    /** What was decoded: the original codec ({@code wav}, {@code flac}, {@code vorbis}, {@code mp3}), its rate, channels and sample bits (0 when lossy). */
    public record Info(String codec, int sampleRate, int channels, int bitsPerSample) {
        public Info {
            requireNonNull(codec, "codec is null");
        }
    }

    /** Receives the decoded signal: {@link #start} once, then blocks of interleaved frames. */
    public interface Sink {
        void start(Info info) throws AudioRejection;

        /** {@code frames} frames of {@code info.channels()} samples from {@code interleaved[0]} on; the array is reused after the call. */
        void accept(float[] interleaved, int frames) throws AudioRejection;
    }

    private AudioDecoder() {
    }

    /**
     * Decodes {@code bytes} into {@code sink}; the number of frames decoded.
     *
     * @throws AudioRejection when the sound is unsupported, corrupt, truncated or longer than {@code maxSeconds}
     */
    public static long decode(byte[] bytes, double maxSeconds, Sink sink) throws AudioRejection {
        requireNonNull(bytes, "bytes is null");
        return decode(ByteBuffer.wrap(bytes), maxSeconds, sink);
    }

    /**
     * Decodes the file held in {@code file} (from its position to its limit; neither changes) into
     * {@code sink}, reading it in place: no copy of the file is made. The frames decoded.
     *
     * @throws AudioRejection when the sound is unsupported, corrupt, truncated or longer than {@code maxSeconds}
     */
    public static long decode(ByteBuffer file, double maxSeconds, Sink sink) throws AudioRejection {
        requireNonNull(file, "file is null");
        requireNonNull(sink, "sink is null");
        ByteBuffer bytes = file.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (startsWith(bytes, 0, "RIFF") && startsWith(bytes, 8, "WAVE")) {
            return decodeWav(bytes, maxSeconds, sink);
        }
        if (startsWith(bytes, 0, "fLaC")) {
            return decodeFlac(bytes, maxSeconds, sink);
        }
        if (startsWith(bytes, 0, "OggS")) {
            if (!contains(bytes, "\u0001vorbis", 28, 64)) {
                throw new AudioRejection("unsupported-audio", "an Ogg stream that is not Vorbis (Opus, FLAC in Ogg and Speex are not read)");
            }
            return decodeVorbis(bytes, maxSeconds, sink);
        }
        if (startsWith(bytes, 0, "ID3") || bytes.limit() > 1 && (bytes.get(0) & 0xFF) == 0xFF && (bytes.get(1) & 0xE0) == 0xE0) {
            return decodeMp3(bytes, maxSeconds, sink);
        }
        throw new AudioRejection("unsupported-audio", "not a WAV, FLAC, Ogg Vorbis or MP3 file");
    }

    private static long decodeWav(ByteBuffer bytes, double maxSeconds, Sink sink) throws AudioRejection {
        AudioInputStream stream;
        try {
            stream = AudioSystem.getAudioInputStream(new BufferInput(bytes));
        }
        catch (UnsupportedAudioFileException e) {
            throw new AudioRejection("unsupported-audio", "a WAV file in an encoding that is not read (PCM and float are): " + e.getMessage());
        }
        catch (IOException | RuntimeException e) {
            throw new AudioRejection("corrupt-audio", "the WAV header cannot be read: " + e.getMessage());
        }
        AudioFormat format = stream.getFormat();
        boolean floating = format.getEncoding().equals(AudioFormat.Encoding.PCM_FLOAT);
        if (!floating && !format.getEncoding().equals(AudioFormat.Encoding.PCM_SIGNED) && !format.getEncoding().equals(AudioFormat.Encoding.PCM_UNSIGNED)) {
            throw new AudioRejection("unsupported-audio", "a WAV file encoded as " + format.getEncoding() + "; PCM and float are read");
        }
        Info info = new Info("wav", Math.round(format.getSampleRate()), format.getChannels(), format.getSampleSizeInBits());
        long declared = stream.getFrameLength();
        long frames = pump(stream, format, info, maxSeconds, sink);
        if (declared != AudioSystem.NOT_SPECIFIED && frames < declared) {
            throw new AudioRejection("truncated-audio", "the WAV data chunk declares " + declared + " frames, the file holds " + frames);
        }
        return frames;
    }

    /**
     * Through JOrbis's own decode loop (Ogg pages to packets to float PCM), not vorbisspi's stream,
     * which loses whole pages of some files (all 9,505 frames of one freedesktop sound).
     */
    private static long decodeVorbis(ByteBuffer bytes, double maxSeconds, Sink sink) throws AudioRejection {
        long granule = lastGranulePosition(bytes);
        com.jcraft.jogg.SyncState sync = new com.jcraft.jogg.SyncState();
        com.jcraft.jogg.StreamState stream = new com.jcraft.jogg.StreamState();
        com.jcraft.jogg.Page page = new com.jcraft.jogg.Page();
        com.jcraft.jogg.Packet packet = new com.jcraft.jogg.Packet();
        com.jcraft.jorbis.Info vorbis = new com.jcraft.jorbis.Info();
        com.jcraft.jorbis.Comment comment = new com.jcraft.jorbis.Comment();
        com.jcraft.jorbis.DspState dsp = new com.jcraft.jorbis.DspState();
        com.jcraft.jorbis.Block block = new com.jcraft.jorbis.Block(dsp);
        sync.init();
        ByteBuffer input = bytes.duplicate();
        if (nextPage(sync, page, input) != 1) {
            throw new AudioRejection("corrupt-audio", "the Ogg stream has no first page");
        }
        int serial = page.serialno();
        stream.init(serial);
        vorbis.init();
        comment.init();
        int headers = 0;
        try {
            stream.pagein(page);
            while (headers < 3) {
                int packets = stream.packetout(packet);
                if (packets == 1) {
                    if (vorbis.synthesis_headerin(comment, packet) < 0) {
                        throw new AudioRejection("corrupt-audio", "Vorbis header " + (headers + 1) + " cannot be read");
                    }
                    headers++;
                    continue;
                }
                if (packets < 0) {
                    throw new AudioRejection("corrupt-audio", "a gap in the Vorbis headers");
                }
                if (nextPage(sync, page, input) != 1) {
                    throw new AudioRejection("truncated-audio", "the Ogg stream ends inside the Vorbis headers");
                }
                if (page.serialno() == serial) {
                    stream.pagein(page);
                }
            }
            if (vorbis.channels < 1 || vorbis.rate < 1) {
                throw new AudioRejection("corrupt-audio", "a Vorbis stream of " + vorbis.channels + " channels at " + vorbis.rate + " Hz");
            }
            Info info = new Info("vorbis", vorbis.rate, vorbis.channels, 0);
            Sink exact = granule < 0 ? sink : new ExactLength(sink, granule, info.channels());
            exact.start(info);
            dsp.synthesis_init(vorbis);
            block.init(dsp);
            long limit = (long) Math.floor(maxSeconds * info.sampleRate());
            float[][][] pcm = new float[1][][];
            int[] offsets = new int[vorbis.channels];
            float[] interleaved = new float[BLOCK_FRAMES * vorbis.channels];
            long frames = 0;
            boolean end = false;
            while (!end) {
                int paged = nextPage(sync, page, input);
                if (paged == 0) {
                    break;
                }
                if (paged < 0 || page.serialno() != serial) {
                    continue;
                }
                stream.pagein(page);
                while (true) {
                    int packets = stream.packetout(packet);
                    if (packets == 0) {
                        break;
                    }
                    if (packets < 0) {
                        continue;
                    }
                    if (block.synthesis(packet) == 0) {
                        dsp.synthesis_blockin(block);
                    }
                    int available;
                    while ((available = dsp.synthesis_pcmout(pcm, offsets)) > 0) {
                        int count = Math.min(available, BLOCK_FRAMES);
                        if (frames + count > limit) {
                            throw tooLong(info, maxSeconds);
                        }
                        for (int c = 0; c < vorbis.channels; c++) {
                            float[] channel = pcm[0][c];
                            for (int i = 0; i < count; i++) {
                                interleaved[i * vorbis.channels + c] = Math.max(-1f, Math.min(1f, channel[offsets[c] + i]));
                            }
                        }
                        exact.accept(interleaved, count);
                        frames += count;
                        dsp.synthesis_read(count);
                    }
                }
                end = page.eos() != 0;
            }
            if (!end && granule >= 0 && frames < granule) {
                throw new AudioRejection("truncated-audio", "the Ogg stream ends after " + frames + " of the " + granule + " frames its last page declares, without an end-of-stream page");
            }
            return exact instanceof ExactLength length ? length.finish() : frames;
        }
        catch (RuntimeException e) {
            throw new AudioRejection("corrupt-audio", "the Ogg Vorbis stream cannot be decoded: " + message(e));
        }
        finally {
            block.clear();
            dsp.clear();
            stream.clear();
            sync.clear();
        }
    }

    private static long decodeMp3(ByteBuffer bytes, double maxSeconds, Sink sink) throws AudioRejection {
        try {
            AudioInputStream encoded = new javazoom.spi.mpeg.sampled.file.MpegAudioFileReader().getAudioInputStream(new BufferInput(bytes));
            AudioFormat source = encoded.getFormat();
            AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, source.getSampleRate(), 16, source.getChannels(), source.getChannels() * 2, source.getSampleRate(), false);
            AudioInputStream decoded = new javazoom.spi.mpeg.sampled.convert.MpegFormatConversionProvider().getAudioInputStream(pcm, encoded);
            return pump(decoded, pcm, new Info("mp3", Math.round(source.getSampleRate()), source.getChannels(), 0), maxSeconds, sink);
        }
        catch (UnsupportedAudioFileException | IOException | RuntimeException e) {
            throw new AudioRejection("corrupt-audio", "the MP3 stream cannot be decoded: " + message(e));
        }
    }

    private static long decodeFlac(ByteBuffer bytes, double maxSeconds, Sink sink) throws AudioRejection {
        FLACDecoder decoder = new FLACDecoder(new BufferInput(bytes));
        FlacSink processor = new FlacSink(sink, maxSeconds);
        decoder.addPCMProcessor(processor);
        try {
            decoder.decode();
        }
        catch (StopDecoding stop) {
            throw stop.rejection;
        }
        catch (IOException | RuntimeException e) {
            throw new AudioRejection(processor.info == null ? "corrupt-audio" : "truncated-audio", "the FLAC stream cannot be decoded: " + message(e));
        }
        if (processor.info == null) {
            throw new AudioRejection("corrupt-audio", "the FLAC stream has no STREAMINFO block");
        }
        if (processor.declared > 0 && processor.frames < processor.declared) {
            throw new AudioRejection("truncated-audio", "the FLAC STREAMINFO declares " + processor.declared + " frames, the file holds " + processor.frames);
        }
        return processor.frames;
    }

    /** The next Ogg page, feeding the sync state from {@code input} 64 KiB at a time as it needs: 1, or 0 at the end, or -1 for a gap. */
    private static int nextPage(com.jcraft.jogg.SyncState sync, com.jcraft.jogg.Page page, ByteBuffer input) {
        while (true) {
            int result = sync.pageout(page);
            if (result != 0 || !input.hasRemaining()) {
                return result;
            }
            int count = Math.min(1 << 16, input.remaining());
            int at = sync.buffer(count);
            input.get(sync.data, at, count);
            sync.wrote(count);
        }
    }

    /** The file's bytes as a stream, read in place. */
    private static final class BufferInput extends InputStream {
        private final ByteBuffer bytes;

        BufferInput(ByteBuffer bytes) {
            this.bytes = bytes.duplicate();
        }

        @Override
        public int read() {
            return bytes.hasRemaining() ? bytes.get() & 0xFF : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (!bytes.hasRemaining()) {
                return -1;
            }
            int count = Math.min(length, bytes.remaining());
            bytes.get(target, offset, count);
            return count;
        }

        @Override
        public int available() {
            return bytes.remaining();
        }

        @Override
        public long skip(long count) {
            int skipped = (int) Math.max(0, Math.min(count, bytes.remaining()));
            bytes.position(bytes.position() + skipped);
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return true;
        }

        @Override
        public synchronized void mark(int limit) {
            bytes.mark();
        }

        @Override
        public synchronized void reset() {
            bytes.reset();
        }
    }

    /** jflac calls back without checked exceptions: a rejection travels inside this one. */
    private static final class StopDecoding extends RuntimeException {
        private final AudioRejection rejection;

        StopDecoding(AudioRejection rejection) {
            super(rejection.getMessage(), null, false, false);
            this.rejection = rejection;
        }
    }

    private static final class FlacSink implements PCMProcessor {
        private final Sink sink;
        private final double maxSeconds;
        private Info info;
        private long declared;
        private long frames;
        private float[] block = new float[0];

        FlacSink(Sink sink, double maxSeconds) {
            this.sink = sink;
            this.maxSeconds = maxSeconds;
        }

        @Override
        public void processStreamInfo(StreamInfo streamInfo) {
            info = new Info("flac", streamInfo.getSampleRate(), streamInfo.getChannels(), streamInfo.getBitsPerSample());
            declared = streamInfo.getTotalSamples();
            try {
                if (info.bitsPerSample() > 24 || info.bitsPerSample() < 4) {
                    throw new AudioRejection("unsupported-audio", "FLAC with " + info.bitsPerSample() + " bits per sample");
                }
                if (declared > 0 && declared > maxSeconds * info.sampleRate()) {
                    throw tooLong(info, maxSeconds);
                }
                sink.start(info);
            }
            catch (AudioRejection e) {
                throw new StopDecoding(e);
            }
        }

        @Override
        public void processPCM(ByteData pcm) {
            if (info == null) {
                throw new StopDecoding(new AudioRejection("corrupt-audio", "FLAC audio frames before the STREAMINFO block"));
            }
            int bytesPerSample = (info.bitsPerSample() + 7) / 8;
            int samples = pcm.getLen() / bytesPerSample;
            int count = samples / info.channels();
            if (block.length < samples) {
                block = new float[samples];
            }
            byte[] data = pcm.getData();
            float scale = 1f / (1L << (info.bitsPerSample() - 1));
            for (int i = 0; i < samples; i++) {
                int at = i * bytesPerSample;
                int value = switch (bytesPerSample) {
                    case 1 -> (data[at] & 0xFF) - 128;
                    case 2 -> (short) ((data[at] & 0xFF) | data[at + 1] << 8);
                    default -> (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8 | data[at + 2] << 16;
                };
                block[i] = value * scale;
            }
            try {
                if (frames + count > maxSeconds * info.sampleRate()) {
                    throw tooLong(info, maxSeconds);
                }
                sink.accept(block, count);
            }
            catch (AudioRejection e) {
                throw new StopDecoding(e);
            }
            frames += count;
        }
    }

    /** Trims or pads to an exact frame count: the Ogg granule position. */
    private static final class ExactLength implements Sink {
        private final Sink sink;
        private final long length;
        private final int channels;
        private long passed;

        ExactLength(Sink sink, long length, int channels) {
            this.sink = sink;
            this.length = length;
            this.channels = channels;
        }

        @Override
        public void start(Info info) throws AudioRejection {
            sink.start(info);
        }

        @Override
        public void accept(float[] interleaved, int frames) throws AudioRejection {
            int taken = (int) Math.max(0, Math.min(frames, length - passed));
            if (taken > 0) {
                sink.accept(interleaved, taken);
            }
            passed += taken;
        }

        long finish() throws AudioRejection {
            float[] silence = new float[BLOCK_FRAMES * channels];
            while (passed < length) {
                int frames = (int) Math.min(BLOCK_FRAMES, length - passed);
                sink.accept(silence, frames);
                passed += frames;
            }
            return passed;
        }
    }

    /** Reads PCM from {@code stream} in blocks, converts to float and hands it on; the frames read. */
    private static long pump(AudioInputStream stream, AudioFormat format, Info info, double maxSeconds, Sink sink) throws AudioRejection {
        int channels = format.getChannels();
        int bits = format.getSampleSizeInBits();
        int bytesPerSample = (bits + 7) / 8;
        int frameBytes = bytesPerSample * channels;
        if (channels < 1 || bits < 8 || bits > 32 || frameBytes != format.getFrameSize()) {
            throw new AudioRejection("unsupported-audio", "PCM of " + bits + " bits in " + channels + " channels (frame of " + format.getFrameSize() + " bytes)");
        }
        if (info.sampleRate() < 1) {
            throw new AudioRejection("corrupt-audio", "a sample rate of " + info.sampleRate() + " Hz");
        }
        sink.start(info);
        boolean floating = format.getEncoding().equals(AudioFormat.Encoding.PCM_FLOAT);
        boolean unsigned = format.getEncoding().equals(AudioFormat.Encoding.PCM_UNSIGNED) || bits == 8 && !floating;
        ByteOrder order = format.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] buffer = new byte[BLOCK_FRAMES * frameBytes];
        float[] block = new float[BLOCK_FRAMES * channels];
        long limit = (long) Math.floor(maxSeconds * info.sampleRate());
        long frames = 0;
        try (InputStream in = stream) {
            while (true) {
                int filled = fill(in, buffer);
                int count = filled / frameBytes;
                if (count == 0) {
                    break;
                }
                if (frames + count > limit) {
                    throw tooLong(info, maxSeconds);
                }
                ByteBuffer data = ByteBuffer.wrap(buffer, 0, count * frameBytes).order(order);
                for (int i = 0; i < count * channels; i++) {
                    block[i] = sample(data, i * bytesPerSample, bits, floating, unsigned, order);
                }
                sink.accept(block, count);
                frames += count;
                if (filled < buffer.length) {
                    break;
                }
            }
        }
        catch (IOException | RuntimeException e) {
            throw new AudioRejection(frames == 0 ? "corrupt-audio" : "truncated-audio", "the " + info.codec() + " stream breaks off after " + frames + " frames: " + message(e));
        }
        return frames;
    }

    /**
     * Fills {@code buffer} up to the end of the stream. Not {@code readNBytes}: the Vorbis and MP3
     * decoders return 0 from {@code read} while they move to the next page, which would end it early.
     */
    private static int fill(InputStream in, byte[] buffer) throws IOException {
        int filled = 0;
        int idle = 0;
        while (filled < buffer.length) {
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                break;
            }
            if (read == 0 && ++idle > 10_000) {
                throw new IOException("the decoder makes no progress");
            }
            filled += read;
        }
        return filled;
    }

    private static float sample(ByteBuffer data, int at, int bits, boolean floating, boolean unsigned, ByteOrder order) {
        if (floating) {
            return bits == 32 ? data.getFloat(at) : (float) data.getDouble(at);
        }
        return switch (bits) {
            case 8 -> unsigned ? ((data.get(at) & 0xFF) - 128) / 128f : data.get(at) / 128f;
            case 16 -> data.getShort(at) / 32768f;
            case 24 -> {
                int b0 = data.get(at) & 0xFF;
                int b1 = data.get(at + 1) & 0xFF;
                int b2 = data.get(at + 2);
                int value = order == ByteOrder.LITTLE_ENDIAN ? b2 << 16 | b1 << 8 | b0 : (data.get(at) << 16) | b1 << 8 | (data.get(at + 2) & 0xFF);
                yield value / 8388608f;
            }
            default -> (float) (data.getInt(at) / 2147483648.0);
        };
    }

    private static AudioRejection tooLong(Info info, double maxSeconds) {
        return new AudioRejection("too-long", "the sound is longer than the limit of " + maxSeconds + " s (" + info.codec() + ", " + info.sampleRate() + " Hz)");
    }

    /**
     * The granule position of the last Ogg page of the first logical stream: for Vorbis, the
     * stream's length in frames; -1 when no page carries one.
     */
    static long lastGranulePosition(byte[] bytes) {
        return lastGranulePosition(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    private static long lastGranulePosition(ByteBuffer bytes) {
        long granule = -1;
        int serial = -1;
        int at = 0;
        int length = bytes.limit();
        while (at + 27 <= length && startsWith(bytes, at, "OggS")) {
            long position = bytes.getLong(at + 6);
            int pageSerial = bytes.getInt(at + 14);
            int segments = bytes.get(at + 26) & 0xFF;
            if (at + 27 + segments > length) {
                break;
            }
            int body = 0;
            for (int s = 0; s < segments; s++) {
                body += bytes.get(at + 27 + s) & 0xFF;
            }
            serial = serial == -1 ? pageSerial : serial;
            if (pageSerial == serial && position != -1) {
                granule = position;
            }
            at += 27 + segments + body;
        }
        return granule;
    }

    private static boolean startsWith(ByteBuffer bytes, int offset, String ascii) {
        if (bytes.limit() < offset + ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (bytes.get(offset + i) != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(ByteBuffer bytes, String ascii, int from, int to) {
        for (int at = from; at <= Math.min(to, bytes.limit() - ascii.length()); at++) {
            if (startsWith(bytes, at, ascii)) {
                return true;
            }
        }
        return false;
    }

    private static String message(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? "the decoder stopped" : e.getMessage();
    }
}
