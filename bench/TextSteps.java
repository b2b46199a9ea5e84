import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import io.kiln.transform.BatchTransform;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;
import io.kiln.transform.TransformChain;

/**
 * Throughput of every registered step on real text, one core: each step of
 * {@code StepRegistry.defaultRegistry()} bound with its default parameters and applied to every
 * document alone, the chain {@code normalize, chunk, tokenize} end to end, and, as the limit for
 * {@code tokenize}, jtokkit's raw {@code encodeOrdinary} (cl100k_base) of the same texts, in the
 * same JVM and the same repetitions (interleaved, so that load from other processes hits both alike).
 * Prints a markdown table: MB/s (1 MB = 10^6 UTF-8 bytes of input) by wall clock and per CPU second
 * of the whole process (GC and JIT included), medians of the repetitions, and tokenize/raw.
 *
 * <pre>java -cp target/classes:$(cat classpath) bench/TextSteps.java FILE_LIST [REPETITIONS] [STEP_SECONDS]</pre>
 *
 * FILE_LIST names one document per line (a .gz is decompressed; bytes that are not UTF-8 become
 * U+FFFD). A step slower than STEP_SECONDS (default 30) per pass is measured on the documents it
 * gets through in that time, and says so. Steps that implement {@link BatchTransform} get batches
 * of 1000 rows, as in a job.
 */
public final class TextSteps {
    private static final int BATCH = 1000;
    private static final String RAW = "jtokkit encodeOrdinary cl100k_base (raw)";
    private static final String RAW_AGAIN = "jtokkit encodeOrdinary cl100k_base (raw, again)";
    private static final String RAW_CHUNKS = "jtokkit encodeOrdinary cl100k_base of the chunks (raw)";
    private static final String TOKENIZE_CHUNKS = "step tokenize@1 on the chunks";
    private static final String RAW_AS_STEP_CHUNKS = "jtokkit encodeOrdinary of the chunks called as a step (diagnostic)";
    private static final String RAW_CHUNKS_AGAIN = "jtokkit encodeOrdinary cl100k_base of the chunks (raw, again)";
    /** Tokens the raw encoder produced, summed so that the JIT cannot drop the work; printed at the end. */
    private static long tokens;
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    record Measure(double seconds, double cpuSeconds, long bytes, long rows, long outputs, long drops, long errors, boolean partial) {
        double mbPerSecond() {
            return bytes / 1e6 / seconds;
        }

        double mbPerCpuSecond() {
            return bytes / 1e6 / cpuSeconds;
        }
    }

    interface Work {
        Measure run(List<Row> rows, long[] bytes);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: java -cp ... bench/TextSteps.java FILE_LIST [REPETITIONS] [STEP_SECONDS]");
            System.exit(2);
        }
        int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        double stepSeconds = args.length > 2 ? Double.parseDouble(args[2]) : 30;
        List<Row> rows = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank()) {
                continue;
            }
            String text = read(Path.of(line));
            rows.add(Row.text(line, text));
            sizes.add((long) text.getBytes(StandardCharsets.UTF_8).length);
        }
        long[] bytes = sizes.stream().mapToLong(Long::longValue).toArray();
        long total = Arrays.stream(bytes).sum();
        System.out.printf(Locale.ROOT, "text-steps: %d documents, %d bytes (UTF-8), %d available processors, java %s, %s%n",
                rows.size(), total, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                ManagementFactory.getRuntimeMXBean().getInputArguments());

        Encoding raw = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        Map<String, Work> works = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        Work rawWork = (docs, size) -> timed(docs, size, 1e6, row -> {
            tokens += raw.encodeOrdinary(row.string(Row.TEXT).orElseThrow()).size();
            return 1;
        });
        works.put(RAW, rawWork);
        // tokenize right between two raw passes, so that the limit is measured under the same load
        List<StepDefinition> definitions = new ArrayList<>(StepRegistry.defaultRegistry().definitions());
        definitions.sort(java.util.Comparator.comparing(definition -> !definition.name().equals("tokenize")));
        for (StepDefinition definition : definitions) {
            Transform step;
            try {
                step = definition.bind(Map.of());
            }
            catch (RuntimeException e) {
                skipped.put(definition.id().toString(), "does not bind with default parameters: " + e.getMessage());
                continue;
            }
            works.put("step " + definition.id(), (docs, size) -> step instanceof BatchTransform batch
                    ? timedBatches(docs, size, stepSeconds, batch)
                    : timedOutcomes(docs, size, stepSeconds, step));
            if (definition.name().equals("tokenize")) {
                works.put(RAW_AGAIN, rawWork);
            }
        }
        works.putIfAbsent(RAW_AGAIN, rawWork);
        // tokenize where it usually runs: on chunks (chunk@1 defaults), against raw jtokkit of the same chunk texts
        List<Row> chunkRows = new ArrayList<>();
        StepRegistry.defaultRegistry().find("chunk").ifPresent(chunk -> {
            Transform chunker = chunk.bind(Map.of());
            for (Row row : rows) {
                if (chunker.apply(row) instanceof Outcome.Emit emit) {
                    chunkRows.addAll(emit.rows());
                }
            }
        });
        Transform tokenizeStep = StepRegistry.defaultRegistry().find("tokenize").map(definition -> definition.bind(Map.of())).orElse(null);
        if (!chunkRows.isEmpty() && tokenizeStep != null) {
            long[] chunkBytes = chunkRows.stream().mapToLong(row -> row.string(Row.TEXT).orElseThrow().getBytes(StandardCharsets.UTF_8).length).toArray();
            works.put(RAW_CHUNKS, (docs, size) -> timed(chunkRows, chunkBytes, 1e6, row -> {
                tokens += raw.encodeOrdinary(row.string(Row.TEXT).orElseThrow()).size();
                return 1;
            }));
            works.put(TOKENIZE_CHUNKS, (docs, size) -> timedOutcomes(chunkRows, chunkBytes, stepSeconds, tokenizeStep));
            // diagnostic: raw jtokkit called the way the runtime calls a step (an interface call returning an Outcome), output discarded
            Transform rawAsStep = new Transform() {
                @Override
                public io.kiln.transform.StepId id() {
                    return new io.kiln.transform.StepId("raw-jtokkit", 1);
                }

                @Override
                public Outcome apply(Row row) {
                    tokens += raw.encodeOrdinary(row.string(Row.TEXT).orElseThrow()).size();
                    return Outcome.emit(row);
                }
            };
            works.put(RAW_AS_STEP_CHUNKS, (docs, size) -> timedOutcomes(chunkRows, chunkBytes, stepSeconds, rawAsStep));
            works.put(RAW_CHUNKS_AGAIN, works.get(RAW_CHUNKS));
        }
        // the short chain, and the whole text recipe without the duplicate filters (their work is a separate
        // pass; see the dedup benchmark) and without embed (see the embedding benchmark)
        for (List<String> chainNames : List.of(List.of("normalize", "chunk", "tokenize"),
                List.of("clean", "normalize", "pii-redact", "quality-filter", "language", "chunk", "tokenize"))) {
            List<Transform> chainSteps = new ArrayList<>();
            for (String name : chainNames) {
                StepRegistry.defaultRegistry().find(name).ifPresent(definition -> chainSteps.add(definition.bind(Map.of())));
            }
            String label = "chain " + String.join(", ", chainNames);
            if (chainSteps.size() == chainNames.size()) {
                works.put(label, (docs, size) -> timedChain(docs, size, stepSeconds, chainSteps));
            }
            else {
                skipped.put(label, "a step of it is not registered");
            }
        }

        System.out.println("text-steps: warm-up pass");
        for (Map.Entry<String, Work> work : works.entrySet()) {
            Measure measure = work.getValue().run(rows, bytes);
            System.out.printf(Locale.ROOT, "text-steps:   warm-up %-45s %8.2f MB/s%n", work.getKey(), measure.mbPerSecond());
        }
        Map<String, List<Measure>> results = new LinkedHashMap<>();
        for (int repetition = 1; repetition <= repetitions; repetition++) {
            for (Map.Entry<String, Work> work : works.entrySet()) {
                System.gc();
                Measure measure = work.getValue().run(rows, bytes);
                results.computeIfAbsent(work.getKey(), key -> new ArrayList<>()).add(measure);
                System.out.printf(Locale.ROOT, "text-steps:   run %d %-45s %8.2f MB/s, %8.2f MB per CPU s (%.2f s)%n",
                        repetition, work.getKey(), measure.mbPerSecond(), measure.mbPerCpuSecond(), measure.seconds());
            }
        }

        List<Measure> rawRuns = results.get(RAW);
        List<Measure> rawAgainRuns = results.get(RAW_AGAIN);
        int runCount = rawRuns.size();
        double[] rawWall = new double[runCount];
        double[] rawCpu = new double[runCount];
        for (int i = 0; i < runCount; i++) {
            rawWall[i] = (rawRuns.get(i).mbPerSecond() + rawAgainRuns.get(i).mbPerSecond()) / 2;
            rawCpu[i] = (rawRuns.get(i).mbPerCpuSecond() + rawAgainRuns.get(i).mbPerCpuSecond()) / 2;
        }
        System.out.println();
        System.out.println("| measured | MB/s (median of " + repetitions + ") | MB per CPU s | runs MB/s | rows in | rows out | dropped | step errors | / raw jtokkit (wall, CPU) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<Measure>> entry : results.entrySet()) {
            List<Measure> runs = entry.getValue();
            Measure last = runs.get(runs.size() - 1);
            double wall = median(runs.stream().mapToDouble(Measure::mbPerSecond).toArray());
            double cpu = median(runs.stream().mapToDouble(Measure::mbPerCpuSecond).toArray());
            double[] wallRatios = new double[runs.size()];
            double[] cpuRatios = new double[runs.size()];
            boolean onChunks = entry.getKey().equals(RAW_CHUNKS) || entry.getKey().equals(TOKENIZE_CHUNKS)
                    || entry.getKey().equals(RAW_AS_STEP_CHUNKS) || entry.getKey().equals(RAW_CHUNKS_AGAIN);
            for (int i = 0; i < runs.size(); i++) {
                wallRatios[i] = runs.get(i).mbPerSecond() / (onChunks ? mean(results, RAW_CHUNKS, RAW_CHUNKS_AGAIN, i, Measure::mbPerSecond) : rawWall[i]);
                cpuRatios[i] = runs.get(i).mbPerCpuSecond() / (onChunks ? mean(results, RAW_CHUNKS, RAW_CHUNKS_AGAIN, i, Measure::mbPerCpuSecond) : rawCpu[i]);
            }
            String perRun = String.join(" / ", runs.stream().map(run -> String.format(Locale.ROOT, "%.2f", run.mbPerSecond())).toList());
            System.out.printf(Locale.ROOT, "| %s%s | %.2f | %.2f | %s | %d | %d | %d | %d | %.3f, %.3f |%n",
                    entry.getKey(), last.partial() ? String.format(Locale.ROOT, " (partial: %.0f%% of the bytes in %.0f s)", 100.0 * last.bytes() / total, stepSeconds) : "",
                    wall, cpu, perRun, last.rows(), last.outputs(), last.drops(), last.errors(), median(wallRatios), median(cpuRatios));
        }
        skipped.forEach((name, why) -> System.out.println("| " + name + " | skipped: " + why + " | | | | | | | |"));
        System.out.println();
        System.out.printf(Locale.ROOT, "raw jtokkit produced %d tokens in all passes (documents and chunks)%n", tokens);
        System.out.println();
        System.out.println("ratios: the median over repetitions of (this / raw jtokkit of the same repetition, the mean of its two raw passes);"
                + " the goal for step tokenize@1 is >= 0.8. The rows on the chunks (chunk@1 defaults) are over raw jtokkit of the chunk texts (the mean of its two passes around tokenize);"
                + " their MB are the bytes of the chunks (overlaps count twice). MB per CPU s: CPU time of the whole JVM (GC, JIT) during the pass.");
    }

    private interface PerRow {
        long apply(Row row);
    }

    private static Measure timed(List<Row> rows, long[] bytes, double budgetSeconds, PerRow work) {
        long cpuStart = OS.getProcessCpuTime();
        long start = System.nanoTime();
        long deadline = start + (long) (budgetSeconds * 1e9);
        long done = 0;
        long outputs = 0;
        int index = 0;
        for (; index < rows.size(); index++) {
            outputs += work.apply(rows.get(index));
            done += bytes[index];
            if (System.nanoTime() > deadline) {
                index++;
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpuStart) / 1e9;
        return new Measure(seconds, cpu, done, index, outputs, 0, 0, index < rows.size());
    }

    private static Measure timedOutcomes(List<Row> rows, long[] bytes, double budgetSeconds, Transform step) {
        long[] drops = new long[2];
        Measure measure = timed(rows, bytes, budgetSeconds, row -> {
            try {
                Outcome outcome = step.apply(row);
                if (outcome instanceof Outcome.Emit emit) {
                    return emit.rows().size();
                }
                drops[0]++;
            }
            catch (RuntimeException e) {
                drops[1]++;
            }
            return 0;
        });
        return new Measure(measure.seconds(), measure.cpuSeconds(), measure.bytes(), measure.rows(), measure.outputs(), drops[0], drops[1], measure.partial());
    }

    private static Measure timedBatches(List<Row> rows, long[] bytes, double budgetSeconds, BatchTransform step) {
        long cpuStart = OS.getProcessCpuTime();
        long start = System.nanoTime();
        long deadline = start + (long) (budgetSeconds * 1e9);
        long done = 0;
        long outputs = 0;
        long drops = 0;
        int index = 0;
        while (index < rows.size() && System.nanoTime() <= deadline) {
            int end = Math.min(rows.size(), index + BATCH);
            for (Outcome outcome : step.applyAll(rows.subList(index, end))) {
                if (outcome instanceof Outcome.Emit emit) {
                    outputs += emit.rows().size();
                }
                else {
                    drops++;
                }
            }
            for (int i = index; i < end; i++) {
                done += bytes[i];
            }
            index = end;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpuStart) / 1e9;
        return new Measure(seconds, cpu, done, index, outputs, drops, 0, index < rows.size());
    }

    private static Measure timedChain(List<Row> rows, long[] bytes, double budgetSeconds, List<Transform> steps) {
        TransformChain chain = new TransformChain(steps);
        long cpuStart = OS.getProcessCpuTime();
        long start = System.nanoTime();
        long deadline = start + (long) (budgetSeconds * 1e9);
        long done = 0;
        long outputs = 0;
        long drops = 0;
        int index = 0;
        while (index < rows.size() && System.nanoTime() <= deadline) {
            int end = Math.min(rows.size(), index + BATCH);
            for (TransformChain.Result result : chain.runAll(rows.subList(index, end))) {
                outputs += result.rows().size();
                drops += result.dropped().size();
            }
            for (int i = index; i < end; i++) {
                done += bytes[i];
            }
            index = end;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpuStart) / 1e9;
        long errors = chain.statistics().stream().mapToLong(statistics -> statistics.dropped().getOrDefault(TransformChain.STEP_ERROR, 0L)).sum();
        return new Measure(seconds, cpu, done, index, outputs, drops, errors, index < rows.size());
    }

    private static double mean(Map<String, List<Measure>> results, String first, String second, int run, java.util.function.ToDoubleFunction<Measure> rate) {
        return (rate.applyAsDouble(results.get(first).get(run)) + rate.applyAsDouble(results.get(second).get(run))) / 2;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String read(Path file) throws IOException {
        byte[] content;
        if (file.toString().endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                content = in.readAllBytes();
            }
        }
        else {
            content = Files.readAllBytes(file);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(content)).toString();
        }
        catch (CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
