import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.kiln.embed.BatchLimits;
import io.kiln.embed.Embedder;
import io.kiln.embed.EmbeddingModels;

/**
 * Embedding throughput on CPU, all-MiniLM-L6-v2 fp32, in sentences per CPU-second of the whole
 * process (com.sun.management.OperatingSystemMXBean#getProcessCpuTime: ONNX Runtime's native
 * threads included), for the same sentences:
 *   peer   LangChain4j's AllMiniLmL6V2EmbeddingModel.embedAll (its own executor, one text per inference)
 *   limit  a bare ONNX Runtime loop over pre-tokenized, length-sorted, pre-built batches with the same
 *          session options, batch limits and parallelism as Kiln (single-threaded session, batches run
 *          on one thread per core): tensors + run + reading the output, nothing else
 *   kiln   io.kiln.embed.Embedder.embed: tokenize, sort, batch, run, pool, normalize
 *
 * Usage: EmbedThroughput <mode: all|kiln|peer> <sentences> <rounds> <files or directories...>
 * Prints one line per measurement and, for mode all, the medians and ratios as a markdown table.
 */
public final class EmbedThroughput {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int count = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        List<String> sentences = sentences(Arrays.asList(args).subList(3, args.length), count);
        long tokens = 0;
        Embedder kiln = EmbeddingModels.named(EmbeddingModels.DEFAULT_MODEL, Integer.getInteger("kiln.bench.threads", 0));
        double flops = 0;
        for (String sentence : sentences) {
            int length = kiln.tokenIds(sentence).length;
            tokens += length;
            flops += flops(length);
        }
        System.out.printf(Locale.ROOT, "sentences %d, tokens %d (mean %.1f, truncated at 256), cores %d, provider %s; the model's arithmetic: %.1f MFLOP a sentence%n",
                sentences.size(), tokens, (double) tokens / sentences.size(), Runtime.getRuntime().availableProcessors(), kiln.provider(), flops / sentences.size() / 1e6);
        double flopsPerSentence = flops / sentences.size();

        AllMiniLmL6V2EmbeddingModel peer = mode.equals("kiln") ? null : new AllMiniLmL6V2EmbeddingModel();
        Bare bare = mode.equals("all") ? new Bare(sentences, BatchLimits.DEFAULT) : null;
        List<TextSegment> segments = sentences.stream().map(TextSegment::from).toList();
        // warm up each path on a slice: JIT, ORT arenas
        List<String> warm = sentences.subList(0, Math.min(200, sentences.size()));
        if (!mode.equals("peer")) {
            kiln.embed(warm);
        }
        if (peer != null) {
            peer.embedAll(warm.stream().map(TextSegment::from).toList());
        }
        if (bare != null) {
            bare.run();
        }
        Map<String, List<double[]>> results = new HashMap<>();
        for (int round = 1; round <= rounds; round++) {
            if (peer != null) {
                record(results, "peer", round, sentences.size(), () -> peer.embedAll(segments));
            }
            if (bare != null) {
                record(results, "limit", round, sentences.size(), bare::run);
            }
            if (!mode.equals("peer")) {
                record(results, "kiln", round, sentences.size(), () -> kiln.embed(sentences));
            }
        }
        System.out.printf(Locale.ROOT, "peak RSS (VmHWM) of this JVM: %d MB%n", peakRssMb());
        if (mode.equals("all")) {
            double peerRate = median(results.get("peer"), 0);
            double limitRate = median(results.get("limit"), 0);
            double kilnRate = median(results.get("kiln"), 0);
            System.out.println();
            System.out.println("| path | sentences / CPU-s (median of " + rounds + ") | sentences / s wall | GFLOP / CPU-s | kiln / path |");
            System.out.println("|---|---:|---:|---:|---:|");
            for (String path : List.of("peer", "limit", "kiln")) {
                double rate = median(results.get(path), 0);
                System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.1f | %.2f |%n", path, rate, median(results.get(path), 1), rate * flopsPerSentence / 1e9, kilnRate / rate);
            }
            System.out.printf(Locale.ROOT, "%nkiln / peer = %.2f (goal >= 2), kiln / limit = %.2f (goal >= 0.9)%n", kilnRate / peerRate, kilnRate / limitRate);
            System.out.printf(Locale.ROOT, "twice the peer = %.1f GFLOP of the model's arithmetic per CPU-s%n", 2 * peerRate * flopsPerSentence / 1e9);
        }
    }

    /**
     * The arithmetic of all-MiniLM-L6-v2 (6 layers, hidden 384, feed-forward 1536; its config.json) on one
     * text of {@code length} tokens, multiply-adds counted as 2: per layer the Q, K, V and output projections
     * (8 L H^2), the feed-forward (4 L H I) and attention's scores and weighted sum (4 L^2 H). Padding is not
     * counted: it is work a path chooses to do.
     */
    static double flops(int length) {
        double hidden = 384;
        double feedForward = 1536;
        return 6 * (length * (8 * hidden * hidden + 4 * hidden * feedForward) + 4.0 * length * length * hidden);
    }

    private static void record(Map<String, List<double[]>> results, String path, int round, int sentences, Runnable work) {
        System.gc();
        long cpu0 = processCpuNanos();
        long wall0 = System.nanoTime();
        work.run();
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        double wall = (System.nanoTime() - wall0) / 1e9;
        double[] rates = {sentences / cpu, sentences / wall};
        results.computeIfAbsent(path, key -> new ArrayList<>()).add(rates);
        System.out.printf(Locale.ROOT, "round %d %-5s cpu %.2f s, wall %.2f s: %.0f sentences/CPU-s, %.0f sentences/s (cpu/wall %.2f)%n",
                round, path, cpu, wall, rates[0], rates[1], cpu / wall);
    }

    private static double median(List<double[]> values, int index) {
        double[] sorted = values.stream().mapToDouble(value -> value[index]).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /** Sentences of 4 to 80 words from the text files, in file order, without duplicates. */
    static List<String> sentences(List<String> roots, int count) throws IOException {
        Set<String> sentences = new LinkedHashSet<>();
        for (String root : roots) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(Path.of(root))) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                String text;
                try {
                    text = Files.readString(file);
                }
                catch (IOException | java.io.UncheckedIOException e) {
                    continue;
                }
                for (String paragraph : text.split("\\n\\s*\\n")) {
                    for (String sentence : paragraph.replaceAll("\\s+", " ").trim().split("(?<=[.!?;:])\\s+")) {
                        int words = sentence.split(" ").length;
                        if (words >= 4 && words <= 80 && sentence.chars().filter(Character::isLetter).count() > sentence.length() / 2) {
                            sentences.add(sentence);
                            if (sentences.size() == count) {
                                return List.copyOf(sentences);
                            }
                        }
                    }
                }
            }
        }
        return List.copyOf(sentences);
    }

    /** The limit: the tokenizing, sorting and batching done before the clock starts. */
    static final class Bare {
        private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
        private final OrtSession session;
        private final List<long[][]> batches = new ArrayList<>();
        private final List<long[]> shapes = new ArrayList<>();

        Bare(List<String> sentences, BatchLimits limits) throws Exception {
            byte[] model;
            try (var in = EmbedThroughput.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
                model = in.readAllBytes();
            }
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                options.setIntraOpNumThreads(1);
                session = environment.createSession(model, options);
            }
            HuggingFaceTokenizer tokenizer;
            try (var in = EmbedThroughput.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
                tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("truncation", "true", "padding", "false", "maxLength", "256", "modelMaxLength", "256"));
            }
            List<long[]> ids = new ArrayList<>();
            sentences.forEach(sentence -> ids.add(tokenizer.encode(sentence).getIds()));
            ids.sort((a, b) -> Integer.compare(a.length, b.length));
            int start = 0;
            while (start < ids.size()) {
                int end = start + 1;
                while (end < ids.size() && end - start < limits.maxBatchSize() && (long) (end - start + 1) * ids.get(end).length <= limits.maxBatchTokens()) {
                    end++;
                }
                int batch = end - start;
                int length = ids.get(end - 1).length;
                long[] inputIds = new long[batch * length];
                long[] mask = new long[batch * length];
                for (int r = 0; r < batch; r++) {
                    long[] row = ids.get(start + r);
                    System.arraycopy(row, 0, inputIds, r * length, row.length);
                    Arrays.fill(mask, r * length, r * length + row.length, 1L);
                }
                batches.add(new long[][] {inputIds, mask, new long[batch * length]});
                shapes.add(new long[] {batch, length});
                start = end;
            }
        }

        private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), task -> {
            Thread thread = new Thread(task, "bare");
            thread.setDaemon(true);
            return thread;
        });

        void run() {
            try {
                List<java.util.concurrent.Future<?>> running = new ArrayList<>();
                for (int b = 0; b < batches.size(); b++) {
                    int index = b;
                    running.add(pool.submit(() -> runBatch(index)));
                }
                for (java.util.concurrent.Future<?> batch : running) {
                    batch.get();
                }
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private void runBatch(int index) {
            long[][] batch = batches.get(index);
            long[] shape = shapes.get(index);
            try (OnnxTensor ids = OnnxTensor.createTensor(environment, LongBuffer.wrap(batch[0]), shape);
                 OnnxTensor mask = OnnxTensor.createTensor(environment, LongBuffer.wrap(batch[1]), shape);
                 OnnxTensor types = OnnxTensor.createTensor(environment, LongBuffer.wrap(batch[2]), shape);
                 OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
                ((OnnxTensor) result.get(0)).getFloatBuffer();
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
