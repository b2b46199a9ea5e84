import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Writes exactly ROWS JSONL records {"id": "doc-000000001", "text": "..."} of short to medium text,
 * for benchmarks that count rows rather than bytes. It reuses {@code GenerateCorpus}: the same pool
 * of real paragraphs (licenses, READMEs, changelogs installed on the machine), the same mess
 * ({@code GenerateCorpus.mess}) and the same line encoding, but texts of a log-uniform length of
 * 40 to 900 characters (mean about 280 bytes), cut at a word boundary. Ids are unique: doc-FIRST,
 * doc-FIRST+1, ... (FIRST defaults to 1; a second file with FIRST = ROWS + 1 appends new ids).
 *
 * <p>Compile it together with GenerateCorpus (it uses that class's helpers):
 * <pre>javac -d CLASSES bench/GenerateCorpus.java bench/GenerateRows.java
 * java -cp CLASSES GenerateRows OUT.jsonl ROWS [SEED [FIRST]]</pre>
 * The output goes to OUT.tmp and is renamed to OUT at the end; the same seed and installed files give
 * the same file.
 */
public final class GenerateRows {
    private static final int MIN_TEXT = 40;
    private static final int MAX_TEXT = 900;

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 4) {
            System.err.println("usage: java -cp CLASSES GenerateRows OUT.jsonl ROWS [SEED [FIRST]]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        long rows = Long.parseLong(args[1]);
        long seed = args.length >= 3 ? Long.parseLong(args[2]) : 42L;
        long first = args.length == 4 ? Long.parseLong(args[3]) : 1L;
        if (rows < 1 || first < 1) {
            throw new IllegalArgumentException("ROWS and FIRST must be at least 1, were " + rows + " and " + first);
        }
        long started = System.nanoTime();
        GenerateCorpus.Pool pool = GenerateCorpus.Pool.load();
        if (pool.paragraphs.size() < 100) {
            throw new IllegalStateException("Cannot generate rows: only " + pool.paragraphs.size() + " paragraphs of text found");
        }
        System.err.printf(Locale.ROOT, "generate-rows: %d paragraphs (%.1f MB) from %d files, pool fingerprint %s%n",
                pool.paragraphs.size(), pool.chars / 1e6, pool.files, pool.fingerprint);

        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = parent.resolve(out.getFileName() + ".tmp");
        Random random = new Random(seed);
        GenerateCorpus.Stats stats = new GenerateCorpus.Stats();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        try (OutputStream output = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 20)) {
            for (long number = first; number < first + rows; number++) {
                String text = GenerateCorpus.mess(shortText(pool.paragraphs, random), random, stats);
                byte[] line = GenerateCorpus.record(number, text);
                output.write(line);
                sha256.update(line);
                bytes += line.length;
                stats.add(text.getBytes(StandardCharsets.UTF_8).length);
            }
        }
        Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.err.printf(Locale.ROOT, "generate-rows: wrote %s: %d rows (ids from %s), %d bytes (%.0f per line; text bytes min %d, mean %.0f, max %d), seed %d, sha256 %s, %.1f s%n",
                out, rows, GenerateCorpus.id(first), bytes, bytes / (double) rows, stats.min, stats.total / (double) stats.count, stats.max, seed,
                HexFormat.of().formatHex(sha256.digest()).substring(0, 16), (System.nanoTime() - started) / 1e9);
        System.err.printf(Locale.ROOT, "generate-rows: mess in %% of rows: CRLF %.0f, space runs %.0f, NBSP %.0f, decomposed accents %.0f, other scripts %.0f, trailing white space %.0f, invisible characters %.0f%n",
                stats.percent(stats.crlf), stats.percent(stats.spaceRuns), stats.percent(stats.nbsp), stats.percent(stats.decomposed),
                stats.percent(stats.scripts), stats.percent(stats.trailing), stats.percent(stats.invisible));
    }

    /** Consecutive paragraphs from a random one, cut to a log-uniform length at a word boundary. */
    static String shortText(List<String> paragraphs, Random random) {
        int target = (int) Math.round(Math.exp(Math.log(MIN_TEXT) + random.nextDouble() * (Math.log(MAX_TEXT) - Math.log(MIN_TEXT))));
        int index = random.nextInt(paragraphs.size());
        StringBuilder text = new StringBuilder(target + 256);
        while (text.length() < target) {
            if (text.length() > 0) {
                text.append("\n\n");
            }
            text.append(paragraphs.get(index));
            index = (index + 1) % paragraphs.size();
        }
        if (text.length() > target) {
            int cut = text.lastIndexOf(" ", target);
            text.setLength(cut > target / 2 ? cut : target);
            if (Character.isHighSurrogate(text.charAt(text.length() - 1))) {
                text.setLength(text.length() - 1);
            }
        }
        return text.toString().strip();
    }
}
