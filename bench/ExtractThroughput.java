import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.sax.BodyContentHandler;

import io.kiln.source.DocumentLimits;
import io.kiln.source.FieldMapping;
import io.kiln.source.HashingInput;
import io.kiln.source.ReadOptions;
import io.kiln.source.InputFile;
import io.kiln.source.RecordReader;
import io.kiln.source.SourceFormat;
import io.kiln.source.SourceRecord;

/**
 * Extraction throughput of Kiln's {@code document} source on real files, next to its peer measured
 * in the same run on the same files: Apache Tika alone (a default {@code AutoDetectParser}, body
 * text into a {@code BodyContentHandler} without limit, embedded documents parsed, on the calling
 * thread, no hashing, no spooling, no time limit). Kiln does more per file: it reads and hashes
 * the bytes, spools them, parses on a worker under a time limit and checks its limits.
 *
 * <p>One thread each (Kiln's caller waits while its worker parses). Input MB/s (1 MB = 10^6 bytes
 * of input files) by wall clock and per CPU second of the process (JIT and GC threads included);
 * REPEAT rounds after two warm-up rounds, median reported.
 *
 * <pre>java -cp target/classes:$(cat cp.txt) bench/ExtractThroughput.java LABEL REPEAT FILE_OR_DIR...</pre>
 */
public final class ExtractThroughput {
    private static final int MAX_RECORD_BYTES = 16 << 20;

    public static void main(String[] args) throws Exception {
        String label = args[0];
        int repeat = Integer.parseInt(args[1]);
        List<Path> files = new ArrayList<>();
        for (String arg : Arrays.copyOfRange(args, 2, args.length)) {
            try (Stream<Path> walk = Files.walk(Path.of(arg))) {
                walk.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        long bytes = 0;
        for (Path file : files) {
            bytes += Files.size(file);
        }
        System.out.printf(Locale.ROOT, "%s: %d files, %.1f MB%n", label, files.size(), bytes / 1e6);

        AutoDetectParser tika = new AutoDetectParser();
        for (int warmUp = 0; warmUp < 2; warmUp++) {
            kiln(files);
            tika(tika, files);
        }
        double[] kilnWall = new double[repeat];
        double[] kilnCpu = new double[repeat];
        double[] tikaWall = new double[repeat];
        double[] tikaCpu = new double[repeat];
        Result last = null;
        for (int round = 0; round < repeat; round++) {
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            last = kiln(files);
            kilnWall[round] = (System.nanoTime() - start) / 1e9;
            kilnCpu[round] = (processCpuNanos() - cpu) / 1e9;
            cpu = processCpuNanos();
            start = System.nanoTime();
            long tikaChars = tika(tika, files);
            tikaWall[round] = (System.nanoTime() - start) / 1e9;
            tikaCpu[round] = (processCpuNanos() - cpu) / 1e9;
            System.out.printf(Locale.ROOT, "round %d: kiln %.2f s (%.2f cpu s), tika %.2f s (%.2f cpu s); text chars kiln %d, tika %d%n",
                    round + 1, kilnWall[round], kilnCpu[round], tikaWall[round], tikaCpu[round], last.chars, tikaChars);
        }
        double mb = bytes / 1e6;
        double kilnRate = mb / median(kilnWall);
        double tikaRate = mb / median(tikaWall);
        double kilnPerCpu = mb / median(kilnCpu);
        double tikaPerCpu = mb / median(tikaCpu);
        System.out.printf(Locale.ROOT, "rows %d, rejects %s%n", last.rows, last.rejects);
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                label, files.size(), mb, kilnRate, tikaRate, kilnRate / tikaRate, kilnPerCpu, tikaPerCpu, kilnPerCpu / tikaPerCpu);
        System.exit(0);
    }

    private record Result(long rows, long chars, Map<String, Integer> rejects) {}

    private static Result kiln(List<Path> files) throws IOException {
        long rows = 0;
        long chars = 0;
        Map<String, Integer> rejects = new TreeMap<>();
        for (Path file : files) {
            InputFile input = new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
            try (RecordReader reader = SourceFormat.DOCUMENT.open(input, HashingInput.sha256Hex(input),
                    ReadOptions.text(FieldMapping.DEFAULT, MAX_RECORD_BYTES, DocumentLimits.defaults(MAX_RECORD_BYTES)), n -> {})) {
                Optional<SourceRecord> record;
                while ((record = reader.next()).isPresent()) {
                    if (record.get() instanceof SourceRecord.Parsed parsed) {
                        rows++;
                        chars += parsed.row().string(io.kiln.transform.Row.TEXT).map(String::length).orElse(0);
                    }
                    else {
                        rejects.merge(((SourceRecord.Malformed) record.get()).reason(), 1, Integer::sum);
                    }
                }
                reader.finish();
            }
        }
        return new Result(rows, chars, rejects);
    }

    private static long tika(AutoDetectParser parser, List<Path> files) {
        long chars = 0;
        for (Path file : files) {
            Metadata metadata = new Metadata();
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, file.getFileName().toString());
            ParseContext context = new ParseContext();
            context.set(Parser.class, parser);
            BodyContentHandler handler = new BodyContentHandler(-1);
            try (InputStream in = TikaInputStream.get(file)) {
                parser.parse(in, handler, metadata, context);
                chars += handler.toString().strip().length();
            }
            catch (Exception e) {
                // a file Tika cannot parse counts with its time
            }
        }
        return chars;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
