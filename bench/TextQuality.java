import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;

/**
 * Single-thread throughput of the text-quality steps on real documents (one file = one document),
 * next to normalize@1 measured in the same run as the peer.
 *
 * <p>Usage: {@code java -cp <classes:deps:bench> TextQuality throughput <dir> [repeats]} prints one
 * line per step: MB per CPU-second of the whole process (one working thread, plus GC, JIT and
 * Lingua's pool; median of repeats, 1 MB = 10^6 bytes of UTF-8 input; on a shared, loaded machine
 * this is the stable figure, and on an idle core it is about the wall-clock MB/s), the ratio to
 * normalize, the wall-clock MB/s, and the outcomes by reason. The language rows run on the first
 * documents up to -DlanguageMegabytes (default 1). {@code java ... TextQuality load <low|high>} builds a
 * Lingua detector for all languages in a fresh JVM and prints the load time and the heap it keeps.
 */
public class TextQuality {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("load")) {
            load(args[1]);
            return;
        }
        Path root = Path.of(args[1]);
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<Row> rows = new ArrayList<>();
        long bytes = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                rows.add(Row.text(root.relativize(file).toString(), text));
                bytes += text.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        System.out.printf(Locale.ROOT, "corpus: %d documents, %.1f MB%n", rows.size(), bytes / 1e6);
        Map<String, Transform> steps = new LinkedHashMap<>();
        StepRegistry registry = StepRegistry.defaultRegistry();
        steps.put("normalize@1 (peer)", registry.find("normalize").orElseThrow().bind(Map.of()));
        steps.put("clean@1", registry.find("clean").orElseThrow().bind(Map.of()));
        steps.put("quality-filter@1", registry.find("quality-filter").orElseThrow().bind(Map.of()));
        steps.put("quality-filter@1 repetition only", registry.find("quality-filter").orElseThrow().bind(Map.of("gopher", false, "c4", false)));
        steps.put("quality-filter@1 gopher only", registry.find("quality-filter").orElseThrow().bind(Map.of("repetition", false, "c4", false)));
        steps.put("quality-filter@1 c4 only", registry.find("quality-filter").orElseThrow().bind(Map.of("gopher", false, "repetition", false)));
        steps.put("language@1 (low, all languages, first 2000 chars)", registry.find("language").orElseThrow().bind(Map.of()));
        steps.put("language@1 (low, all languages, whole text)", registry.find("language").orElseThrow().bind(Map.of("maxCharacters", 0)));
        steps.put("language@1 (high, 8 languages, first 2000 chars)", registry.find("language").orElseThrow()
                .bind(Map.of("accuracy", "high", "languages", List.of("en", "de", "fr", "es", "it", "pl", "pt", "sv"))));
        var process = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double languageMegabytes = Double.parseDouble(System.getProperty("languageMegabytes", "1"));
        List<Row> languageRows = new ArrayList<>();
        long languageBytes = 0;
        for (Row row : rows) {
            long size = row.string(Row.TEXT).orElseThrow().getBytes(StandardCharsets.UTF_8).length;
            if (languageBytes + size > languageMegabytes * 1e6) {
                break;
            }
            languageRows.add(row);
            languageBytes += size;
        }
        System.out.printf(Locale.ROOT, "language@1 rows run on the first %d documents, %.2f MB%n%n", languageRows.size(), languageBytes / 1e6);
        double peer = 0;
        System.out.println("| step | MB per process CPU-second (median of " + repeats + ") | runs | / normalize | wall MB/s (median) | outcomes |");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, Transform> step : steps.entrySet()) {
            boolean language = step.getKey().startsWith("language");
            List<Row> input = language ? languageRows : rows;
            long inputBytes = language ? languageBytes : bytes;
            Map<String, Long> outcomes = run(step.getValue(), input); // warm-up, and the outcomes
            double[] rates = new double[repeats];
            double[] wall = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long start = System.nanoTime();
                long cpu = process.getProcessCpuTime();
                run(step.getValue(), input);
                rates[i] = inputBytes / 1e6 / ((process.getProcessCpuTime() - cpu) / 1e9);
                wall[i] = inputBytes / 1e6 / ((System.nanoTime() - start) / 1e9);
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            double median = sorted[repeats / 2];
            Arrays.sort(wall);
            if (peer == 0) {
                peer = median;
            }
            StringBuilder runs = new StringBuilder();
            for (double rate : rates) {
                runs.append(runs.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", rate));
            }
            System.out.printf(Locale.ROOT, "| %s | %.2f | %s | %.2f | %.2f | %s |%n", step.getKey(), median, runs, median / peer, wall[repeats / 2], outcomes);
        }
    }

    private static Map<String, Long> run(Transform step, List<Row> rows) {
        Map<String, Long> outcomes = new TreeMap<>();
        for (Row row : rows) {
            Outcome outcome = step.apply(row);
            String key = outcome instanceof Outcome.Drop drop ? drop.reason() : "emit";
            outcomes.merge(key, 1L, Long::sum);
        }
        return outcomes;
    }

    private static void load(String accuracy) throws Exception {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        long start = System.nanoTime();
        Transform language = StepRegistry.defaultRegistry().find("language").orElseThrow().bind(Map.of("accuracy", accuracy));
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        long after = runtime.totalMemory() - runtime.freeMemory();
        language.apply(Row.text("warm", "The detector is ready."));
        long cpuMillis = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
        System.out.printf(Locale.ROOT, "| %s | %.1f | %d | %d |%n", accuracy, seconds, cpuMillis, (after - before) >> 20);
    }
}
