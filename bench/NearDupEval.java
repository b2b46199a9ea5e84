import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kiln.dedup.ContentKey;
import io.kiln.dedup.DedupDecisions;
import io.kiln.dedup.Decision;
import io.kiln.dedup.DocumentRank;
import io.kiln.dedup.ExactHistory;
import io.kiln.dedup.LshBands;
import io.kiln.dedup.MinHasher;
import io.kiln.dedup.NearDedupIndex;
import io.kiln.dedup.NearDuplicateParameters;
import io.kiln.dedup.NearHistory;
import io.kiln.dedup.ShingleSets;
import io.kiln.dedup.Shingling;
import io.kiln.dedup.VerifiedNearDedupIndex;
import io.kiln.dedup.TextNormalizer;

/**
 * Near-duplicate quality, MinHash throughput and index sizes on real near-duplicates: the license and copyright
 * texts of the machine. Ground truth is the exact Jaccard similarity of the same 5-word shingle sets, computed
 * here independently of io.kiln.dedup's hashing (shingles as strings, compared brute force over all pairs).
 *
 * Usage: java -cp target/classes bench/NearDupEval.java [file-list]   (one path per line; default: the globs below)
 */
public class NearDupEval {
    static final Pattern WORD = Pattern.compile("[\\p{L}\\p{Nd}]+");

    public static void main(String[] args) throws Exception {
        String corpus = args.length > 0 ? args[0] : "files";
        boolean stanzas = corpus.equals("stanzas");
        List<Path> files = defaultFiles();
        List<String> names = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path file : files) {
            Path real = file.toRealPath();
            if (!Files.isRegularFile(real) || !seen.add(real)) {
                continue;
            }
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(real))).toString();
            if (stanzas && file.getFileName().toString().equals("copyright")) {
                // DEP-5: paragraphs are separated by empty lines; the License: paragraphs carry the license texts
                String[] paragraphs = text.split("\\n[ \\t]*\\n");
                for (int p = 0; p < paragraphs.length; p++) {
                    String paragraph = paragraphs[p].strip();
                    if (paragraph.startsWith("License:") && WORD.matcher(paragraph).results().count() >= 30) {
                        names.add(file + "#" + p);
                        texts.add(paragraph);
                    }
                }
            }
            else if (!text.isBlank()) {
                names.add(file.toString());
                texts.add(text);
            }
        }
        int n = texts.size();
        NAMES = names;
        long bytes = texts.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf(Locale.ROOT, "corpus '%s': %d documents (%s), %.2f MB of UTF-8 text%n", corpus, n,
                stanzas ? "the License: paragraphs of at least 30 words of the copyright files, and the common-licenses files" : "common-licenses and copyright files, links resolved", bytes / 1e6);

        // ground truth: exact Jaccard of 5-word shingle sets, brute force over all pairs
        long start = System.nanoTime();
        Map<String, Integer> dictionary = new HashMap<>();
        int[][] sets = new int[n][];
        for (int d = 0; d < n; d++) {
            List<String> words = new ArrayList<>();
            Matcher matcher = WORD.matcher(TextNormalizer.normalize(texts.get(d)));
            while (matcher.find()) {
                words.add(matcher.group());
            }
            TreeSet<Integer> ids = new TreeSet<>();
            int span = Math.min(5, words.size());
            for (int i = 0; i + span <= words.size() && span > 0; i++) {
                ids.add(dictionary.computeIfAbsent(String.join(" ", words.subList(i, i + span)), key -> dictionary.size()));
            }
            sets[d] = ids.stream().mapToInt(Integer::intValue).toArray();
        }
        double[][] jaccard = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                jaccard[a][b] = jaccard[b][a] = jaccard(sets[a], sets[b]);
            }
        }
        System.out.printf(Locale.ROOT, "ground truth: %d distinct shingles, %d pairs compared in %.1f s%n", dictionary.size(), (long) n * (n - 1) / 2, (System.nanoTime() - start) / 1e9);
        double threshold = 0.8;
        int[] histogram = new int[6];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (jaccard[a][b] >= 0.5) {
                    histogram[bin(jaccard[a][b])]++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "true pairs by Jaccard (of %d): [0.5,0.7) %d, [0.7,0.8) %d, [0.8,0.85) %d, [0.85,0.9) %d, [0.9,1) %d, =1 %d%n",
                (long) n * (n - 1) / 2, histogram[0], histogram[1], histogram[2], histogram[3], histogram[4], histogram[5]);
        boolean[] trulyDropped = dropped(jaccard, threshold, n);
        int trueDrops = count(trulyDropped);

        System.out.println();
        System.out.println("| setting | S-curve (1/b)^(1/r) | P(cand) at J=0.8 | candidate pairs | pair precision | pair recall | recall J in [0.8,0.85) | [0.85,0.9) | >=0.9 | precision, pairs with J<1 | false pairs (least J) | dropped docs (truth " + trueDrops + ") | drop precision | drop recall |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        int[][] settings = {{14, 8}, {16, 8}, {20, 6}, {9, 13}, {28, 8}, {20, 10}};
        for (int[] setting : settings) {
            NearDuplicateParameters parameters = new NearDuplicateParameters(Shingling.WORDS, 5, setting[0] * setting[1], setting[0], threshold, NearDuplicateParameters.DEFAULT_SEED);
            evaluate(parameters, texts, names, jaccard, trulyDropped, false);
        }
        evaluate(NearDuplicateParameters.defaults(), texts, names, jaccard, trulyDropped, true);

        versions(texts, names, jaccard, bytes);

        if (!stanzas) {
            throughput(texts, bytes);
            jobIndexMemory(texts);
            sizes(texts, names);
        }
    }

    static void evaluate(NearDuplicateParameters parameters, List<String> texts, List<String> names, double[][] jaccard, boolean[] trulyDropped, boolean allPairs) {
        int n = texts.size();
        MinHasher hasher = parameters.minHasher();
        LshBands bands = parameters.lshBands();
        long[][] signatures = new long[n][];
        short[][] compact = new short[n][];
        int[][] keys = new int[n][];
        for (int d = 0; d < n; d++) {
            signatures[d] = hasher.signature(texts.get(d));
            compact[d] = new short[parameters.hashCount()];
            for (int i = 0; i < compact[d].length; i++) {
                compact[d][i] = (short) (signatures[d][i] >>> 48);
            }
            keys[d] = bands.bandKeys(signatures[d]);
        }
        int required = (int) Math.ceil(parameters.threshold() * parameters.hashCount() - 1e-9);
        long candidates = 0;
        long predicted = 0;
        long truePositive = 0;
        long truePairs = 0;
        long predictedNear = 0;
        long truePositiveNear = 0;
        double leastFalse = 1;
        long[] binTrue = new long[6];
        long[] binFound = new long[6];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                boolean candidate = allPairs;
                for (int band = 0; band < keys[a].length && !candidate; band++) {
                    candidate = keys[a][band] == keys[b][band];
                }
                boolean truth = jaccard[a][b] >= parameters.threshold();
                boolean found = false;
                if (candidate && !MinHasher.isEmpty(signatures[a]) && !MinHasher.isEmpty(signatures[b])) {
                    candidates++;
                    int equal = 0;
                    for (int i = 0; i < compact[a].length; i++) {
                        if (compact[a][i] == compact[b][i]) {
                            equal++;
                        }
                    }
                    found = equal >= required;
                }
                predicted += found ? 1 : 0;
                truePairs += truth ? 1 : 0;
                truePositive += found && truth ? 1 : 0;
                if (found && jaccard[a][b] < 1) {
                    predictedNear++;
                    truePositiveNear += truth ? 1 : 0;
                }
                if (found && !truth) {
                    leastFalse = Math.min(leastFalse, jaccard[a][b]);
                }
                if (truth) {
                    binTrue[bin(jaccard[a][b])]++;
                    binFound[bin(jaccard[a][b])] += found ? 1 : 0;
                }
            }
        }
        // the decisions of the real index (transitive clusters, survivor = smallest rank) against the same rule on the truth
        NearDedupIndex index = new NearDedupIndex(parameters, NearHistory.empty(parameters));
        for (int d = 0; d < n; d++) {
            index.add(new DocumentRank(names.get(d), 0, 0, names.get(d)), signatures[d]);
        }
        DedupDecisions decisions = index.decide();
        boolean[] predictedDropped = new boolean[n];
        Map<String, Integer> byName = new HashMap<>();
        for (int d = 0; d < n; d++) {
            byName.put(names.get(d), d);
        }
        for (Decision decision : decisions.decisions()) {
            predictedDropped[byName.get(decision.rank().rowId())] = decision.isDuplicate();
        }
        int bothDropped = 0;
        for (int d = 0; d < n; d++) {
            bothDropped += predictedDropped[d] && trulyDropped[d] ? 1 : 0;
        }
        String setting = allPairs ? "%d hashes, no LSH (every pair estimated)".formatted(parameters.hashCount())
                : "%d x %d = %d hashes".formatted(parameters.bands(), parameters.rowsPerBand(), parameters.hashCount());
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %d | %.3f | %.3f | %s | %s | %s | %s | %s | %d | %.3f | %.3f |%n",
                setting, bands.threshold(), allPairs ? 1.0 : bands.candidateProbability(0.8), candidates,
                (double) truePositive / predicted, (double) truePositive / truePairs,
                ratio(binFound[2], binTrue[2]), ratio(binFound[3], binTrue[3]), ratio(binFound[4] + binFound[5], binTrue[4] + binTrue[5]),
                ratio(truePositiveNear, predictedNear), predicted - truePositive == 0 ? "0" : "%d (%.3f)".formatted(predicted - truePositive, leastFalse),
                count(predictedDropped), (double) bothDropped / count(predictedDropped), (double) bothDropped / count(trulyDropped));
    }

    /**
     * The decisions of dedup-near version 1 (transitive clusters by the MinHash estimate) and version 2 (greedy
     * against kept documents, verified by the exact Jaccard), judged by the ground truth: pair recall (pairs at
     * J >= 0.8 of which at least one document is dropped), false drops (dropped, yet no kept document is within
     * J 0.7 of it), and the time to sign and decide the whole corpus on 1 thread.
     */
    static void versions(List<String> texts, List<String> names, double[][] jaccard, long bytes) throws IOException {
        NearDuplicateParameters parameters = NearDuplicateParameters.defaults();
        MinHasher hasher = parameters.minHasher();
        int n = texts.size();
        boolean[][] dropped = new boolean[2][];
        double[][] seconds = new double[2][];
        DedupDecisions[] last = new DedupDecisions[2];
        seconds[0] = median(() -> {
            NearDedupIndex index = new NearDedupIndex(parameters, NearHistory.empty(parameters));
            for (int d = 0; d < n; d++) {
                index.add(new DocumentRank(names.get(d), 0, 0, names.get(d)), hasher.signature(texts.get(d)));
            }
            last[0] = index.decide();
        });
        seconds[1] = median(() -> {
            try (VerifiedNearDedupIndex index = new VerifiedNearDedupIndex(parameters, ShingleSets.inTemporaryDirectory())) {
                for (int d = 0; d < n; d++) {
                    long[] shingles = hasher.shingleSet(texts.get(d));
                    index.add(new DocumentRank(names.get(d), 0, 0, names.get(d)), hasher.signatureOfShingles(shingles), shingles);
                }
                last[1] = index.decide();
            }
        });
        // the history segment each version's publish would add, per kept document
        long[] segmentBytes = new long[2];
        NearDedupIndex one = new NearDedupIndex(parameters, NearHistory.empty(parameters));
        try (VerifiedNearDedupIndex two = new VerifiedNearDedupIndex(parameters, ShingleSets.inTemporaryDirectory())) {
            for (int d = 0; d < n; d++) {
                long[] shingles = hasher.shingleSet(texts.get(d));
                DocumentRank rank = new DocumentRank(names.get(d), 0, 0, names.get(d));
                one.add(rank, hasher.signatureOfShingles(shingles));
                two.add(rank, hasher.signatureOfShingles(shingles), shingles);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            one.newSegment(rank -> true).writeTo(out);
            segmentBytes[0] = out.size();
            out.reset();
            two.writeSegment(out);
            segmentBytes[1] = out.size();
        }
        Map<String, Integer> byName = new HashMap<>();
        for (int d = 0; d < n; d++) {
            byName.put(names.get(d), d);
        }
        System.out.println();
        System.out.println("| dedup-near (defaults: 5-word shingles, 14 x 8 hashes, threshold 0.8) | kept | dropped | pairs at J >= 0.8 with one dropped (recall) | false drops: no kept doc within J 0.7 | of which no kept doc within 0.8 | docs per CPU s, sign + decide (1 thread) | MB per CPU s | vs version 1 | history bytes per kept doc |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int version = 0; version < 2; version++) {
            dropped[version] = new boolean[n];
            for (Decision decision : last[version].decisions()) {
                dropped[version][byName.get(decision.rank().rowId())] = decision.isDuplicate();
            }
            long pairs = 0;
            long caught = 0;
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    if (jaccard[a][b] >= 0.8) {
                        pairs++;
                        caught += dropped[version][a] || dropped[version][b] ? 1 : 0;
                    }
                }
            }
            int falseDrops = 0;
            int falseDropsAtThreshold = 0;
            for (int d = 0; d < n; d++) {
                if (!dropped[version][d]) {
                    continue;
                }
                double best = 0;
                for (int k = 0; k < n; k++) {
                    if (k != d && !dropped[version][k]) {
                        best = Math.max(best, jaccard[d][k]);
                    }
                }
                if (best < 0.7) {
                    falseDrops++;
                    System.err.printf(Locale.ROOT, "version %d false drop: %s (best kept J %.3f)%n", version + 1, names.get(d), best);
                }
                falseDropsAtThreshold += best < 0.8 ? 1 : 0;
            }
            int droppedCount = count(dropped[version]);
            System.out.printf(Locale.ROOT, "| version %d | %d | %d | %d of %d (%.4f) | %d | %d | %.0f | %.2f | %.2f | %.0f |%n", version + 1, n - droppedCount, droppedCount,
                    caught, pairs, (double) caught / pairs, falseDrops, falseDropsAtThreshold, n / seconds[version][0], bytes / 1e6 / seconds[version][0],
                    seconds[0][0] / seconds[version][0], (double) segmentBytes[version] / (n - droppedCount));
        }
    }

    static void throughput(List<String> texts, long bytes) {
        MinHasher words = NearDuplicateParameters.defaults().minHasher();
        MinHasher characters = new MinHasher(Shingling.CHARACTERS, 5, 112, 1);
        System.out.println();
        System.out.println("| 1 thread, whole corpus per pass (median of 3) | docs per CPU s | MB per CPU s | vs content key | MB/s wall |");
        System.out.println("|---|---|---|---|---|");
        double[] key = median(() -> texts.forEach(text -> sink ^= ContentKey.of(text).high()));
        double[] normalize = median(() -> texts.forEach(text -> sink ^= TextNormalizer.normalize(text).length()));
        double[] minHash = median(() -> texts.forEach(text -> sink ^= words.signature(text)[0]));
        double[] characterHash = median(() -> texts.forEach(text -> sink ^= characters.signature(text)[0]));
        row("ContentKey.of (normalize + Murmur3-128): the peer", key, key, texts.size(), bytes);
        row("TextNormalizer.normalize alone", normalize, key, texts.size(), bytes);
        row("MinHasher 5-word shingles, 112 hashes (default)", minHash, key, texts.size(), bytes);
        row("MinHasher 5-character shingles, 112 hashes", characterHash, key, texts.size(), bytes);
    }

    static void row(String name, double[] seconds, double[] peer, int docs, long bytes) {
        System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.2f | %.1f |%n", name, docs / seconds[0], bytes / 1e6 / seconds[0], peer[0] / seconds[0], bytes / 1e6 / seconds[1]);
    }

    static long sink;

    /**
     * Medians of 3 timed passes after 2 warm-up passes: {CPU seconds of this thread, wall seconds}. The CPU time is
     * what the figures use: the machine is shared, and wall time counts the time other processes had the core.
     */
    static double[] median(Runnable pass) {
        var threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 2; i++) {
            pass.run();
        }
        double[] cpu = new double[3];
        double[] wall = new double[3];
        for (int i = 0; i < 3; i++) {
            long startCpu = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            pass.run();
            wall[i] = (System.nanoTime() - start) / 1e9;
            cpu[i] = (threads.getCurrentThreadCpuTime() - startCpu) / 1e9;
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        return new double[] {cpu[1], wall[1]};
    }

    static void sizes(List<String> texts, List<String> names) throws IOException {
        NearDuplicateParameters parameters = NearDuplicateParameters.defaults();
        MinHasher hasher = parameters.minHasher();
        List<long[]> signatures = texts.stream().map(hasher::signature).toList();
        int documents = 150_000;
        // the history: the corpus plus unrelated documents (random signatures stand in for them: same sizes, no matches)
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        NearHistory.Builder near = NearHistory.builder(parameters);
        ExactHistory.Builder exact = ExactHistory.builder();
        long idBytes = 0;
        for (int d = 0; d < documents; d++) {
            String rowId = "%08x-%04x".formatted(d, d % 65536);
            idBytes += rowId.length();
            near.add(rowId, d < texts.size() ? signatures.get(d) : randomSignature(random, parameters.hashCount()));
            exact.add(rowId, d < texts.size() ? ContentKey.of(texts.get(d)) : new ContentKey(random.nextLong(), random.nextLong()));
        }
        NearHistory nearHistory = near.build();
        ExactHistory exactHistory = exact.build();
        ByteArrayOutputStream nearFile = new ByteArrayOutputStream();
        nearHistory.writeTo(nearFile);
        ByteArrayOutputStream exactFile = new ByteArrayOutputStream();
        exactHistory.writeTo(exactFile);
        System.out.println();
        System.out.printf(Locale.ROOT, "history index sizes, %d documents, row ids of %.1f bytes (defaults: 112 hashes, 14 bands):%n", documents, (double) idBytes / documents);
        System.out.println("| index | heap bytes/doc | serialized bytes/doc |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| near history (NearHistory) | %.1f | %.1f |%n", (double) nearHistory.heapBytes() / documents, (double) nearFile.size() / documents);
        System.out.printf(Locale.ROOT, "| exact history (ExactHistory) | %.1f | %.1f |%n", (double) exactHistory.heapBytes() / documents, (double) exactFile.size() / documents);
        long loadCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        NearHistory loaded = NearHistory.read(new java.io.ByteArrayInputStream(nearFile.toByteArray()), parameters);
        System.out.printf(Locale.ROOT, "NearHistory.read of %d documents (%.1f MB, from memory): %.2f CPU s%n", loaded.size(), nearFile.size() / 1e6, (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - loadCpu) / 1e9);

        // a job of 150,000 documents: the corpus (all near-duplicates of history rows) and unrelated ones, against that history
        for (int pass = 0; pass < 3; pass++) {
            NearDedupIndex index = new NearDedupIndex(parameters, loaded);
            for (int d = 0; d < documents; d++) {
                index.add(new DocumentRank("file:///in/job", d, 0, "job-" + d), d < texts.size() ? signatures.get(d) : randomSignature(random, parameters.hashCount()));
            }
            long decideStart = System.nanoTime();
            long decideCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            DedupDecisions decisions = index.decide();
            System.out.printf(Locale.ROOT, "decide() pass %d: %d job documents against a history of %d: %.2f CPU s (%.2f s wall), %d duplicates of history, %d in job%n", pass + 1, documents,
                    loaded.size(), (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - decideCpu) / 1e9, (System.nanoTime() - decideStart) / 1e9, decisions.count(Decision.Verdict.DUPLICATE_OF_HISTORY), decisions.count(Decision.Verdict.DUPLICATE_IN_JOB));
        }
        // mass copies: every corpus document 200 times in one job
        NearDedupIndex copies = new NearDedupIndex(parameters, NearHistory.empty(parameters));
        for (int copy = 0; copy < 200; copy++) {
            for (int d = 0; d < texts.size(); d++) {
                copies.add(new DocumentRank("file:///in/part-" + copy, d, 0, copy + "-" + d), signatures.get(d));
            }
        }
        long copiesCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        DedupDecisions copied = copies.decide();
        System.out.printf(Locale.ROOT, "decide() on %d job documents, every one with 199 identical copies: %.2f CPU s, %d kept%n", copies.size(), (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - copiesCpu) / 1e9, copied.kept());
    }

    static long[] randomSignature(java.util.SplittableRandom random, int hashCount) {
        long[] signature = new long[hashCount];
        for (int i = 0; i < hashCount; i++) {
            signature[i] = random.nextLong();
        }
        return signature;
    }

    /** Heap growth of a near job index holding 200 x the corpus (ranks with a 20-character URI and a 10-character row id). */
    static void jobIndexMemory(List<String> texts) {
        NearDuplicateParameters parameters = NearDuplicateParameters.defaults();
        MinHasher hasher = parameters.minHasher();
        List<long[]> signatures = texts.stream().map(hasher::signature).toList();
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long before = memory.getHeapMemoryUsage().getUsed();
        NearDedupIndex index = new NearDedupIndex(parameters, NearHistory.empty(parameters));
        int documents = 0;
        for (int copy = 0; copy < 200; copy++) {
            for (int d = 0; d < texts.size(); d++) {
                index.add(new DocumentRank("file:///in/part-" + copy, d, 0, "%08x-%s".formatted(copy, Integer.toHexString(d))), signatures.get(d));
                documents++;
            }
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long after = memory.getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "%nnear job index (NearDedupIndex before decide), %d documents: %.1f heap bytes/doc, measured (heap used after GC, growth)%n",
                index.size(), (double) (after - before) / documents);
    }

    static boolean[] dropped(double[][] jaccard, double threshold, int n) {
        // the index's rule applied to the truth: connected components of J >= threshold, smallest rank (here: name order) kept
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (jaccard[a][b] >= threshold) {
                    int ra = find(parent, a);
                    int rb = find(parent, b);
                    parent[Math.max(ra, rb)] = Math.min(ra, rb);
                }
            }
        }
        // documents are in the order of names, but the index orders by name: the member kept is the least name
        Map<Integer, Integer> keptByRoot = new HashMap<>();
        boolean[] dropped = new boolean[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        List<String> names = NAMES;
        Arrays.sort(order, (x, y) -> names.get(x).compareTo(names.get(y)));
        for (int i : order) {
            int root = find(parent, i);
            if (keptByRoot.putIfAbsent(root, i) != null) {
                dropped[i] = true;
            }
        }
        return dropped;
    }

    static List<String> NAMES = List.of();

    static int find(int[] parent, int node) {
        while (parent[node] != node) {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        return node;
    }

    static int count(boolean[] flags) {
        int count = 0;
        for (boolean flag : flags) {
            count += flag ? 1 : 0;
        }
        return count;
    }

    static String ratio(long found, long total) {
        return total == 0 ? "-" : "%.3f (%d)".formatted((double) found / total, total);
    }

    static int bin(double j) {
        if (j >= 1.0) {
            return 5;
        }
        if (j >= 0.9) {
            return 4;
        }
        if (j >= 0.85) {
            return 3;
        }
        if (j >= 0.8) {
            return 2;
        }
        return j >= 0.7 ? 1 : 0;
    }

    static double jaccard(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            return 0;
        }
        int i = 0;
        int j = 0;
        int common = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                common++;
                i++;
                j++;
            }
            else if (a[i] < b[j]) {
                i++;
            }
            else {
                j++;
            }
        }
        return (double) common / (a.length + b.length - common);
    }

    static List<Path> defaultFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (var licenses = Files.list(Path.of("/usr/share/common-licenses"))) {
            licenses.sorted().forEach(files::add);
        }
        try (var docs = Files.list(Path.of("/usr/share/doc"))) {
            docs.sorted().map(dir -> dir.resolve("copyright")).filter(Files::exists).forEach(files::add);
        }
        return files;
    }
}
