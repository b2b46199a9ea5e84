import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.kiln.transform.Row;
import io.kiln.transform.Transform;
import io.kiln.transform.text.NormalizeStep;
import io.kiln.transform.text.PiiRedactStep;
import io.kiln.transform.text.pii.PiiEvaluation;
import io.kiln.transform.text.pii.PiiKind;
import io.kiln.transform.text.pii.PiiScanner;
import io.kiln.transform.text.pii.PhoneRules;
import io.kiln.transform.text.pii.SyntheticPii;

/**
 * The PII evaluation and throughput of {@code pii-redact@1} on real text (run by bench/pii-eval.sh),
 * and US phone numbers in mail shapes (extensions, glued words, trunk prefix) under both
 * {@link PhoneRules}.
 *
 * <pre>java -cp target/classes:target/test-classes:DEPENDENCIES bench/PiiEval.java CHANGELOG_DIR TECHNICAL_DIR [PLANTS_PER_KIND] [SEED]</pre>
 *
 * CHANGELOG_DIR and TECHNICAL_DIR hold plain-text files, one document each. Planted values are
 * SYNTHETIC (io.kiln.transform.text.pii.SyntheticPii, seeded). Prints markdown to stdout, and the
 * false positives and misses (for judging by eye) to stderr.
 */
public final class PiiEval {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java bench/PiiEval.java CHANGELOG_DIR TECHNICAL_DIR [PLANTS_PER_KIND] [SEED]");
            System.exit(2);
        }
        List<PiiEvaluation.Document> changelogs = read(Path.of(args[0]));
        List<PiiEvaluation.Document> technical = read(Path.of(args[1]));
        int plants = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 42;
        PiiScanner scanner = PiiScanner.allKinds("US");

        PiiEvaluation.Result onChangelogs = PiiEvaluation.evaluate(changelogs, scanner, seed, plants);
        PiiEvaluation.Result onTechnical = PiiEvaluation.evaluate(technical, scanner, seed + 1, plants);
        System.out.printf(Locale.ROOT, "Corpora: %d Debian changelogs (%.1f MB, %d natural e-mail addresses by the oracle), "
                + "%d technical documents (%.1f MB: kernel Documentation and /usr/share/doc READMEs, %d natural e-mail addresses).%n%n",
                changelogs.size(), onChangelogs.bytes / 1e6, onChangelogs.naturalEmails,
                technical.size(), onTechnical.bytes / 1e6, onTechnical.naturalEmails);
        System.out.println("| kind | planted (changelogs + technical) | recall | false positives on technical text | per 100 KB | false positives on changelogs | per 100 KB |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (PiiKind kind : PiiKind.values()) {
            int planted = onChangelogs.planted.getOrDefault(kind, 0) + onTechnical.planted.getOrDefault(kind, 0);
            int found = onChangelogs.found.getOrDefault(kind, 0) + onTechnical.found.getOrDefault(kind, 0);
            System.out.printf(Locale.ROOT, "| %s | %d | %.4f | %d | %.3f | %d | %.3f |%n", kind.parameterName(), planted, found / (double) planted,
                    onTechnical.falsePositives.getOrDefault(kind, 0), onTechnical.falsePositivesPer100Kb(kind),
                    onChangelogs.falsePositives.getOrDefault(kind, 0), onChangelogs.falsePositivesPer100Kb(kind));
        }
        int fpTechnical = onTechnical.falsePositives.values().stream().mapToInt(Integer::intValue).sum();
        int fpChangelogs = onChangelogs.falsePositives.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf(Locale.ROOT, "| all | | | %d | %.3f | %d | %.3f |%n%n", fpTechnical, fpTechnical / (onTechnical.bytes / 1e5),
                fpChangelogs, fpChangelogs / (onChangelogs.bytes / 1e5));
        System.out.printf(Locale.ROOT, "Natural e-mail addresses (oracle: a simple regex independent of the detector): changelogs %d of %d found (recall %.4f), technical %d of %d (recall %.4f).%n%n",
                onChangelogs.naturalEmailsFound, onChangelogs.naturalEmails, onChangelogs.naturalEmailRecall(),
                onTechnical.naturalEmailsFound, onTechnical.naturalEmails, onTechnical.naturalEmailRecall());

        report("technical", onTechnical);
        report("changelogs", onChangelogs);

        mailPhones(changelogs, technical, plants, seed);

        List<PiiEvaluation.Document> all = new ArrayList<>(changelogs);
        all.addAll(technical);
        long totalBytes = onChangelogs.bytes + onTechnical.bytes;
        int every = (int) Math.max(1, totalBytes / THROUGHPUT_BYTES);
        List<PiiEvaluation.Document> sample = new ArrayList<>();
        for (int i = 0; i < all.size(); i += every) {
            sample.add(all.get(i));
        }
        throughput(sample, every);
    }

    /**
     * The same corpora with {@code plants} SYNTHETIC US numbers in mail shapes planted into each
     * ({@link SyntheticPii#nextUsMailPhone}, seeded), scanned with all kinds under each phone rule
     * set. A plant counts as found when one phone match covers all of it, extension included.
     */
    private static void mailPhones(List<PiiEvaluation.Document> changelogs, List<PiiEvaluation.Document> technical, int plants, long seed) {
        List<SyntheticPii.Planted> changelogPlants = mailPhonePlants(seed + 2, plants);
        List<SyntheticPii.Planted> technicalPlants = mailPhonePlants(seed + 3, plants);
        System.out.printf(Locale.ROOT, "US phone numbers in mail shapes: version 1 vs version 2. %d SYNTHETIC numbers per corpus "
                + "(national, trunk and +1 layouts, half with an extension, in signature lines or glued to the words around them); "
                + "found: one phone match covers the whole planted number, extension included. False positives: phone matches on the "
                + "unplanted text that are no known e-mail address.%n%n", plants);
        System.out.println("| phone rules | planted (changelogs + technical) | found | recall | phone false positives on technical text | per 100 KB | on changelogs | per 100 KB |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (PhoneRules rules : PhoneRules.values()) {
            PiiScanner scanner = PiiScanner.allKinds("US", rules);
            PiiEvaluation.Result onChangelogs = PiiEvaluation.evaluate(changelogs, scanner, seed + 2, changelogPlants);
            PiiEvaluation.Result onTechnical = PiiEvaluation.evaluate(technical, scanner, seed + 3, technicalPlants);
            int planted = onChangelogs.planted.getOrDefault(PiiKind.PHONE, 0) + onTechnical.planted.getOrDefault(PiiKind.PHONE, 0);
            int found = onChangelogs.found.getOrDefault(PiiKind.PHONE, 0) + onTechnical.found.getOrDefault(PiiKind.PHONE, 0);
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %.4f | %d | %.3f | %d | %.3f |%n", rules, planted, found, found / (double) planted,
                    onTechnical.falsePositives.getOrDefault(PiiKind.PHONE, 0), onTechnical.falsePositivesPer100Kb(PiiKind.PHONE),
                    onChangelogs.falsePositives.getOrDefault(PiiKind.PHONE, 0), onChangelogs.falsePositivesPer100Kb(PiiKind.PHONE));
            phoneReport("mail phones, " + rules + ", technical", onTechnical);
            phoneReport("mail phones, " + rules + ", changelogs", onChangelogs);
        }
        System.out.println();
    }

    private static List<SyntheticPii.Planted> mailPhonePlants(long seed, int count) {
        SyntheticPii synthetic = new SyntheticPii(seed);
        List<SyntheticPii.Planted> plants = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            plants.add(synthetic.nextUsMailPhone());
        }
        return plants;
    }

    private static void phoneReport(String label, PiiEvaluation.Result result) {
        List<PiiEvaluation.FalsePositive> falsePositives = result.falsePositiveSamples.stream().filter(fp -> fp.kind() == PiiKind.PHONE).toList();
        System.err.println("== " + label + ": phone false positives (" + falsePositives.size() + ")");
        falsePositives.forEach(fp -> System.err.println(fp.document() + "\t" + fp.value().replace('\n', ' ') + "\t" + fp.context()));
        List<PiiEvaluation.Miss> misses = result.misses.stream().filter(miss -> miss.kind() == PiiKind.PHONE).toList();
        System.err.println("== " + label + ": missed planted numbers (" + misses.size() + ")");
        misses.forEach(miss -> System.err.println(miss.value().replace('\n', ' ') + "\t" + miss.context()));
    }

    private static void report(String corpus, PiiEvaluation.Result result) {
        System.err.println("== " + corpus + ": false positives (" + result.falsePositiveSamples.size() + ")");
        result.falsePositiveSamples.forEach(fp -> System.err.println(fp.kind().parameterName() + "\t" + fp.document() + "\t" + fp.value().replace('\n', ' ') + "\t" + fp.context()));
        System.err.println("== " + corpus + ": missed planted values (" + result.misses.size() + ")");
        result.misses.forEach(miss -> System.err.println(miss.kind().parameterName() + "\t" + miss.value().replace('\n', ' ') + "\t" + miss.context()));
        System.err.println("== " + corpus + ": natural e-mails missed (" + result.naturalMisses.size() + ")");
        result.naturalMisses.forEach(System.err::println);
    }

    private static final long THROUGHPUT_BYTES = 12_000_000;

    private static void throughput(List<PiiEvaluation.Document> documents, int every) {
        List<Row> rows = new ArrayList<>(documents.size());
        long bytes = 0;
        for (PiiEvaluation.Document document : documents) {
            rows.add(Row.text(document.name(), document.text()));
            bytes += document.text().getBytes(StandardCharsets.UTF_8).length;
        }
        Transform redact = new PiiRedactStep().bind(Map.of());
        Transform normalize = new NormalizeStep().bind(Map.of());
        Pattern emailOnly = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
        System.out.printf(Locale.ROOT, "Throughput on 1 thread over every %s document of both corpora (%.1f MB, %d rows), median of 3 after a warm-up; "
                + "MB per CPU second of the measuring thread beside wall time (the CPU figure is the one to compare on a shared machine).%n%n",
                every == 1 ? "" : every == 2 ? "2nd" : every == 3 ? "3rd" : every + "th", bytes / 1e6, rows.size());
        System.out.println("| what | MB/s (wall) | MB per CPU s | / normalize |");
        System.out.println("|---|---:|---:|---:|");
        double[] normalizeRate = measure(rows, row -> normalize.apply(row), bytes);
        double[] redactRate = measure(rows, row -> redact.apply(row), bytes);
        double[] regexRate = measure(rows, row -> {
            Matcher matcher = emailOnly.matcher(row.string(Row.TEXT).orElse(""));
            int count = 0;
            while (matcher.find()) {
                count++;
            }
            return count;
        }, bytes);
        print("normalize@1 (peer)", normalizeRate, normalizeRate);
        print("pii-redact@1, all kinds", redactRate, normalizeRate);
        print("one e-mail regex, find only (peer)", regexRate, normalizeRate);
        for (PiiKind kind : PiiKind.values()) {
            Transform single = new PiiRedactStep().bind(Map.of("kinds", List.of(kind.parameterName())));
            print("pii-redact@1, kinds: [" + kind.parameterName() + "]", measure(rows, row -> single.apply(row), bytes), normalizeRate);
        }
    }

    private static void print(String what, double[] rate, double[] peer) {
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2f |%n", what, rate[0], rate[1], rate[1] / peer[1]);
    }

    /** Median wall MB/s and median MB per CPU second of 3 runs after one warm-up. */
    private static double[] measure(List<Row> rows, java.util.function.Function<Row, Object> work, long bytes) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] wall = new double[3];
        double[] cpu = new double[3];
        long sink = 0;
        for (int run = -1; run < 3; run++) {
            long startCpu = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (Row row : rows) {
                sink += work.apply(row).hashCode();
            }
            long elapsed = System.nanoTime() - start;
            long elapsedCpu = threads.getCurrentThreadCpuTime() - startCpu;
            if (run >= 0) {
                wall[run] = bytes / 1e6 / (elapsed / 1e9);
                cpu[run] = bytes / 1e6 / (elapsedCpu / 1e9);
            }
        }
        if (sink == 42) {
            System.err.println("(sink)");
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return new double[] {wall[1], cpu[1]};
    }

    private static List<PiiEvaluation.Document> read(Path directory) throws IOException {
        List<PiiEvaluation.Document> documents = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                if (!text.isBlank()) {
                    documents.add(new PiiEvaluation.Document(file.getFileName().toString(), text));
                }
            }
        }
        return documents;
    }
}
