import io.kiln.source.*;
import java.nio.file.*;
import java.util.*;
import java.util.stream.*;
/**
 * Robustness sweep, not a timing: reads every Nth file below DIR (about COUNT files) with the
 * {@code auto} source and counts outcomes by content type and reject reason. Any exception that
 * escapes a reader, and any file whose hash as read differs from its sha256, is printed.
 *
 * <pre>java -cp target/classes:$(cat target/bench-classpath.txt) bench/ExtractSweep.java DIR COUNT</pre>
 */
public final class ExtractSweep {
    public static void main(String[] args) throws Exception {
        List<Path> files;
        try (Stream<Path> w = Files.walk(Path.of(args[0]))) { files = w.filter(Files::isRegularFile).filter(p -> !Files.isSymbolicLink(p)).sorted().collect(Collectors.toList()); }
        int every = Math.max(1, files.size() / Integer.parseInt(args[1]));
        Map<String, Integer> outcomes = new TreeMap<>(); Map<String, String> examples = new TreeMap<>();
        int n = 0; long t = System.nanoTime();
        for (int i = 0; i < files.size(); i += every) {
            Path p = files.get(i); n++;
            InputFile f = new InputFile(p.toUri().toString(), p, p.getFileName().toString(), Files.size(p));
            try (RecordReader r = SourceFormat.AUTO.open(f, HashingInput.sha256Hex(f), ReadOptions.text(FieldMapping.DEFAULT, 16 << 20, DocumentLimits.defaults(16 << 20)), n2 -> {})) {
                Optional<SourceRecord> rec;
                while ((rec = r.next()).isPresent()) {
                    String k = rec.get() instanceof SourceRecord.Parsed pr ? "ok " + pr.row().columns().getOrDefault("content_type", "jsonl") : "reject " + ((SourceRecord.Malformed) rec.get()).reason();
                    outcomes.merge(k, 1, Integer::sum);
                    if (rec.get() instanceof SourceRecord.Malformed m) examples.putIfAbsent(k, p + " : " + m.detail());
                }
                String sha = r.finish();
                if (!sha.equals(HashingInput.sha256Hex(f))) System.out.println("HASH MISMATCH " + p);
            } catch (Throwable e) { System.out.println("ESCAPED " + p + " " + e); outcomes.merge("escaped", 1, Integer::sum); }
        }
        System.out.println(n + " files in " + (System.nanoTime() - t) / 1_000_000_000 + " s");
        outcomes.forEach((k, v) -> System.out.println(v + "\t" + k));
        examples.forEach((k, v) -> System.out.println(k + " e.g. " + v));
        System.exit(0);
    }
}
