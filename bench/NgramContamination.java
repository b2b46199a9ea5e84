import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

import io.kiln.contamination.NgramIndex;
import io.kiln.contamination.NgramText;

/**
 * The n-gram contamination check at scale: an index of ITEMS synthetic eval items (60-120 words each, from a
 * seeded 5,000-word pseudo-vocabulary with a Zipf distribution; 30 % of the items start with one of 20 shared
 * instructions, whose n-grams the frequency cap drops), then TRAIN_MB of synthetic training documents (200-3,000
 * words), generated batch by batch and never held whole, with an eval item planted in about one document in 500
 * (half verbatim, half with every 7th word upper-cased, punctuation changed and every 20th word replaced).
 *
 * <p>The limit, measured in the same run on the same batches: hashing alone, {@link NgramText#words} and
 * {@link NgramText#ngramHashes} (the values of {@link NgramText#ngramHash} at every position, rolled) with no lookup.
 * The scan ({@link NgramIndex#match}) and the hashing alone take turns going first on each batch. Throughput is MB
 * (10^6 bytes of UTF-8; the text is ASCII) per CPU second of the whole JVM (GC and JIT included), so run it on one
 * core. Generating the text is not timed.
 *
 * <pre>java -cp target/classes bench/NgramContamination.java ITEMS TRAIN_MB N CAP SEED INDEX_FILE</pre>
 */
public class NgramContamination {
    static final int VOCABULARY = 5000;
    static final int BATCH_BYTES = 4_000_000;

    final String[] words = new String[VOCABULARY];
    final int[] zipf = new int[1 << 16];
    final String[] instructions = new String[20];

    NgramContamination(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String consonants = "bcdfghjklmnprstvwz";
        String vowels = "aeiou";
        Set<String> seen = new HashSet<>();
        for (int w = 0; w < VOCABULARY; ) {
            StringBuilder word = new StringBuilder();
            int syllables = 1 + random.nextInt(4);
            for (int s = 0; s < syllables; s++) {
                word.append(consonants.charAt(random.nextInt(consonants.length()))).append(vowels.charAt(random.nextInt(vowels.length())));
            }
            if (seen.add(word.toString())) {
                words[w++] = word.toString();
            }
        }
        double[] cumulative = new double[VOCABULARY];
        double sum = 0;
        for (int rank = 0; rank < VOCABULARY; rank++) {
            sum += 1.0 / (rank + 1);
            cumulative[rank] = sum;
        }
        int rank = 0;
        for (int i = 0; i < zipf.length; i++) {
            double target = (i + 0.5) / zipf.length * sum;
            while (cumulative[rank] < target) {
                rank++;
            }
            zipf[i] = rank;
        }
        for (int t = 0; t < instructions.length; t++) {
            StringBuilder instruction = new StringBuilder();
            int length = 14 + random.nextInt(7);
            for (int w = 0; w < length; w++) {
                String word = words[random.nextInt(VOCABULARY)];
                instruction.append(w == 0 ? capitalized(word) : " " + word);
            }
            instructions[t] = instruction.append(':').toString();
        }
    }

    static String capitalized(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    /** Sentences of 8-20 Zipf-distributed words until at least {@code wordCount} words. */
    void sentences(SplittableRandom random, int wordCount, StringBuilder text) {
        int written = 0;
        while (written < wordCount) {
            int length = 8 + random.nextInt(13);
            for (int w = 0; w < length; w++) {
                String word = words[zipf[random.nextInt(zipf.length)]];
                if (text.length() > 0 && w == 0) {
                    text.append(' ');
                }
                text.append(w == 0 ? capitalized(word) : word);
                text.append(w == length - 1 ? (random.nextInt(5) == 0 ? "?" : ".") : random.nextInt(12) == 0 ? ", " : " ");
            }
            written += length;
        }
    }

    String evalItem(int item, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5EED_0000_0000L ^ item * 0x9E3779B97F4A7C15L);
        StringBuilder text = new StringBuilder(900);
        if (random.nextInt(10) < 3) {
            text.append(instructions[random.nextInt(instructions.length)]);
        }
        sentences(random, 60 + random.nextInt(61), text);
        return text.toString();
    }

    static String edited(String item) {
        String[] parts = item.split(" ");
        StringBuilder edited = new StringBuilder(item.length());
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i > 0 && i % 20 == 0) {
                part = "zzedit" + i;
            }
            else if (i % 7 == 0) {
                part = part.toUpperCase(Locale.ROOT);
            }
            else if (i % 5 == 0) {
                part = part.replace('.', ';').replace(',', ' ');
            }
            edited.append(i == 0 ? "" : " ").append(part);
        }
        return edited.toString();
    }

    /** One training document; {@code planted[0]} is set to the planted item, or -1. */
    String trainingDocument(long document, long seed, int items, int[] planted) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x7EA1_0000_0000L ^ document * 0xBF58476D1CE4E5B9L);
        int length = 200 + random.nextInt(2801);
        StringBuilder text = new StringBuilder(length * 8);
        sentences(random, length / 2, text);
        planted[0] = -1;
        planted[1] = 0;
        if (random.nextInt(500) == 0) {
            planted[0] = random.nextInt(items);
            String item = evalItem(planted[0], seed);
            planted[1] = random.nextBoolean() ? 1 : 0;
            text.append("\n\n").append(planted[1] == 1 ? edited(item) : item).append("\n\n");
        }
        sentences(random, length - length / 2, text);
        return text.toString();
    }

    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    static long hashAlone(List<String> documents, int n) {
        long sink = 0;
        for (String document : documents) {
            long[] ngrams = NgramText.ngramHashes(NgramText.words(document), n);
            for (long ngram : ngrams) {
                sink ^= ngram;
            }
            sink += ngrams.length;
        }
        return sink;
    }

    public static void main(String[] args) throws Exception {
        int items = Integer.parseInt(args[0]);
        long trainBytes = Math.round(Double.parseDouble(args[1]) * 1e6);
        int n = Integer.parseInt(args[2]);
        int cap = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        Path indexFile = Path.of(args[5]);
        NgramContamination bench = new NgramContamination(seed);

        List<String> eval = new ArrayList<>(items);
        long evalBytes = 0;
        for (int item = 0; item < items; item++) {
            eval.add(bench.evalItem(item, seed));
            evalBytes += eval.get(item).length();
        }
        // warm-up: the same code paths on a separate index and separate documents
        NgramIndex.Builder warmBuilder = NgramIndex.builder(n, cap);
        for (int item = 0; item < Math.min(items, 5000); item++) {
            warmBuilder.add(item, eval.get(item));
        }
        NgramIndex warm = warmBuilder.build();
        List<String> warmDocuments = new ArrayList<>();
        int[] planted = new int[2];
        for (long d = 0; d < 1500; d++) {
            warmDocuments.add(bench.trainingDocument(-1 - d, seed, Math.min(items, 5000), planted));
        }
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            sink += hashAlone(warmDocuments, n);
            for (String document : warmDocuments) {
                sink += warm.match(document).matchedNgrams();
            }
        }
        warm = null;
        warmBuilder = null;
        warmDocuments = null;
        System.gc();

        double hashEvalCpu = cpuSeconds();
        sink += hashAlone(eval, n);
        hashEvalCpu = cpuSeconds() - hashEvalCpu;

        double buildCpu = cpuSeconds();
        long buildWall = System.nanoTime();
        NgramIndex.Builder builder = NgramIndex.builder(n, cap);
        for (int item = 0; item < items; item++) {
            builder.add(item, eval.get(item));
        }
        double addCpu = cpuSeconds() - buildCpu;
        NgramIndex index = builder.build();
        buildCpu = cpuSeconds() - buildCpu;
        double buildWallSeconds = (System.nanoTime() - buildWall) / 1e9;
        builder = null;
        eval = null;
        System.gc();

        long writeStart = System.nanoTime();
        index.write(indexFile);
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        long readStart = System.nanoTime();
        NgramIndex read = NgramIndex.read(indexFile);
        double readSeconds = (System.nanoTime() - readStart) / 1e9;
        if (read.ngrams() != index.ngrams() || read.cappedNgrams() != index.cappedNgrams()) {
            throw new IllegalStateException("the index read back differs from the one written");
        }
        long indexBytes = Files.size(indexFile);
        index = read;

        long trainWritten = 0;
        long documents = 0;
        double scanCpu = 0;
        double hashCpu = 0;
        long ngrams = 0;
        long matchedNgrams = 0;
        long flagged = 0;
        long flaggedClean = 0;
        long[] plantedCount = new long[2];
        long[] plantedFound = new long[2];
        int batch = 0;
        while (trainWritten < trainBytes) {
            List<String> documentsOfBatch = new ArrayList<>();
            List<int[]> plantedOfBatch = new ArrayList<>();
            long batchBytes = 0;
            while (batchBytes < BATCH_BYTES && trainWritten + batchBytes < trainBytes) {
                int[] plant = new int[2];
                String document = bench.trainingDocument(documents++, seed, items, plant);
                documentsOfBatch.add(document);
                plantedOfBatch.add(plant);
                batchBytes += document.length();
            }
            trainWritten += batchBytes;
            for (int turn = 0; turn < 2; turn++) {
                if ((batch + turn) % 2 == 0) {
                    double cpu = cpuSeconds();
                    for (int d = 0; d < documentsOfBatch.size(); d++) {
                        NgramIndex.Match match = index.match(documentsOfBatch.get(d));
                        ngrams += match.ngrams();
                        matchedNgrams += match.matchedNgrams();
                        int[] plant = plantedOfBatch.get(d);
                        if (match.matchedNgrams() > 0) {
                            flagged++;
                            if (plant[0] < 0) {
                                flaggedClean++;
                            }
                        }
                        if (plant[0] >= 0) {
                            plantedCount[plant[1]]++;
                            if (Arrays.binarySearch(match.items(), plant[0]) >= 0) {
                                plantedFound[plant[1]]++;
                            }
                        }
                    }
                    scanCpu += cpuSeconds() - cpu;
                }
                else {
                    double cpu = cpuSeconds();
                    sink += hashAlone(documentsOfBatch, n);
                    hashCpu += cpuSeconds() - cpu;
                }
            }
            batch++;
        }

        double evalMb = evalBytes / 1e6;
        double trainMb = trainWritten / 1e6;
        double hashRate = trainMb / hashCpu;
        double scanRate = trainMb / scanCpu;
        double buildRate = evalMb / buildCpu;
        System.out.printf(Locale.ROOT, "n %d, frequency cap %d, seed %d; MB = 10^6 bytes; rates per CPU second of the JVM%n%n", n, cap, seed);
        System.out.println("| eval items | eval MB | kept n-grams | capped n-grams | build CPU s (add + sort/table) | build wall s | build MB/s | hashing alone MB/s (eval) | build / hashing alone | index MB | write s | read s |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| %,d | %.1f | %,d | %,d | %.2f (%.2f + %.2f) | %.2f | %.1f | %.1f | %.2f | %.1f | %.3f | %.3f |%n", items, evalMb,
                read.ngrams(), read.cappedNgrams(), buildCpu, addCpu, buildCpu - addCpu, buildWallSeconds, buildRate, evalMb / hashEvalCpu,
                buildRate / (evalMb / hashEvalCpu), indexBytes / 1e6, writeSeconds, readSeconds);
        System.out.println();
        System.out.println("| train MB | documents | hashing alone MB/s | scan (match) MB/s | scan / hashing alone | n-grams | matched n-grams | flagged docs | flagged without a plant | planted verbatim found | planted edited found |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| %.1f | %,d | %.1f | %.1f | %.2f | %,d | %,d | %,d | %,d | %d / %d | %d / %d |%n", trainMb, documents, hashRate, scanRate,
                scanRate / hashRate, ngrams, matchedNgrams, flagged, flaggedClean, plantedFound[0], plantedCount[0], plantedFound[1], plantedCount[1]);
        if (sink == 42) {
            System.out.println();
        }
    }
}
