package io.kiln.transform.text.pii;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures a {@link PiiScanner} on real text: recall on SYNTHETIC values planted into the text
 * ({@link SyntheticPii}), recall on the e-mail addresses the text already has (found by a simple,
 * independent oracle regex), and false positives: every match on the unplanted text that is not
 * one of those natural e-mail addresses.
 */
public final class PiiEvaluation {
    /** The oracle for natural e-mail addresses: deliberately simple and separate from {@link EmailDetector}. */
    static final Pattern ORACLE_EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");

    public record Document(String name, String text) {}

    /** A match on ordinary text that is no known PII, with some context to judge it by eye. */
    public record FalsePositive(PiiKind kind, String document, String value, String context) {}

    public record Miss(PiiKind kind, String value, String context) {}

    public static final class Result {
        public final Map<PiiKind, Integer> planted = new EnumMap<>(PiiKind.class);
        public final Map<PiiKind, Integer> found = new EnumMap<>(PiiKind.class);
        public final Map<PiiKind, Integer> falsePositives = new EnumMap<>(PiiKind.class);
        public final List<FalsePositive> falsePositiveSamples = new ArrayList<>();
        public final List<Miss> misses = new ArrayList<>();
        public final List<String> naturalMisses = new ArrayList<>();
        public int naturalEmails;
        public int naturalEmailsFound;
        public long bytes;

        public double recall(PiiKind kind) {
            int total = planted.getOrDefault(kind, 0);
            return total == 0 ? Double.NaN : found.getOrDefault(kind, 0) / (double) total;
        }

        public double naturalEmailRecall() {
            return naturalEmails == 0 ? Double.NaN : naturalEmailsFound / (double) naturalEmails;
        }

        /** False positives of {@code kind} per 100 KB (100,000 bytes of UTF-8) of the unplanted text. */
        public double falsePositivesPer100Kb(PiiKind kind) {
            return falsePositives.getOrDefault(kind, 0) / (bytes / 100_000.0);
        }
    }

    private PiiEvaluation() {}

    /**
     * Plants {@code plantsPerKind} values of each kind into the documents (at random white space,
     * documents chosen at random), scans both the planted and the unplanted texts.
     */
    public static Result evaluate(List<Document> documents, PiiScanner scanner, long seed, int plantsPerKind) {
        SyntheticPii synthetic = new SyntheticPii(seed);
        List<SyntheticPii.Planted> plants = new ArrayList<>();
        for (PiiKind kind : PiiKind.values()) {
            for (int i = 0; i < plantsPerKind; i++) {
                plants.add(synthetic.next(kind));
            }
        }
        return evaluate(documents, scanner, seed, plants);
    }

    /**
     * Plants the given values into the documents (each into a random document, at random white
     * space), scans both the planted and the unplanted texts.
     */
    public static Result evaluate(List<Document> documents, PiiScanner scanner, long seed, List<SyntheticPii.Planted> plants) {
        Result result = new Result();
        Random random = new Random(seed);
        List<List<SyntheticPii.Planted>> plantsByDocument = new ArrayList<>();
        documents.forEach(document -> plantsByDocument.add(new ArrayList<>()));
        for (SyntheticPii.Planted plant : plants) {
            plantsByDocument.get(random.nextInt(documents.size())).add(plant);
        }
        for (int d = 0; d < documents.size(); d++) {
            Document document = documents.get(d);
            result.bytes += document.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            countFalsePositives(document, scanner.scan(document.text()), result);
            plantAndScan(document, plantsByDocument.get(d), scanner, random, result);
        }
        return result;
    }

    private static void countFalsePositives(Document document, List<PiiMatch> matches, Result result) {
        String text = document.text();
        List<int[]> natural = new ArrayList<>();
        Matcher oracle = ORACLE_EMAIL.matcher(text);
        while (oracle.find()) {
            natural.add(new int[] {oracle.start(), oracle.end()});
        }
        result.naturalEmails += natural.size();
        boolean[] naturalFound = new boolean[natural.size()];
        for (PiiMatch match : matches) {
            boolean known = false;
            for (int i = 0; i < natural.size(); i++) {
                int[] span = natural.get(i);
                if (match.start() < span[1] && span[0] < match.end()) {
                    known = true;
                    if (match.kind() == PiiKind.EMAIL) {
                        naturalFound[i] = true;
                    }
                }
            }
            if (!known) {
                result.falsePositives.merge(match.kind(), 1, Integer::sum);
                result.falsePositiveSamples.add(new FalsePositive(match.kind(), document.name(),
                        text.substring(match.start(), match.end()), context(text, match.start(), match.end())));
            }
        }
        for (int i = 0; i < natural.size(); i++) {
            if (naturalFound[i]) {
                result.naturalEmailsFound++;
            }
            else {
                result.naturalMisses.add(context(text, natural.get(i)[0], natural.get(i)[1]));
            }
        }
    }

    private static void plantAndScan(Document document, List<SyntheticPii.Planted> plants, PiiScanner scanner, Random random, Result result) {
        if (plants.isEmpty()) {
            return;
        }
        String text = document.text();
        List<Integer> gaps = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' || (text.charAt(i) == ' ' && random.nextInt(8) == 0)) {
                gaps.add(i);
            }
        }
        gaps.add(text.length());
        int[] positions = new int[plants.size()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = gaps.get(random.nextInt(gaps.size()));
        }
        java.util.Arrays.sort(positions);
        StringBuilder planted = new StringBuilder(text.length() + plants.size() * 60);
        List<int[]> spans = new ArrayList<>();
        int copied = 0;
        for (int i = 0; i < plants.size(); i++) {
            planted.append(text, copied, positions[i]);
            copied = positions[i];
            SyntheticPii.Planted plant = plants.get(i);
            String sentence = plant.sentence();
            int valueAt = sentence.indexOf("%s");
            planted.append(' ').append(sentence, 0, valueAt);
            spans.add(new int[] {planted.length(), planted.length() + plant.value().length()});
            planted.append(plant.value()).append(sentence, valueAt + 2, sentence.length()).append(' ');
        }
        planted.append(text, copied, text.length());
        String plantedText = planted.toString();
        List<PiiMatch> matches = scanner.scan(plantedText);
        for (int i = 0; i < plants.size(); i++) {
            PiiKind kind = plants.get(i).kind();
            int[] span = spans.get(i);
            result.planted.merge(kind, 1, Integer::sum);
            boolean covered = false;
            for (PiiMatch match : matches) {
                if (match.kind() == kind && match.start() <= span[0] && match.end() >= span[1]) {
                    covered = true;
                    break;
                }
            }
            if (covered) {
                result.found.merge(kind, 1, Integer::sum);
            }
            else {
                result.misses.add(new Miss(kind, plants.get(i).value(), context(plantedText, span[0], span[1])));
            }
        }
    }

    static String context(String text, int start, int end) {
        int from = Math.max(0, start - 40);
        int to = Math.min(text.length(), end + 40);
        return (text.substring(from, start) + "[[" + text.substring(start, end) + "]]" + text.substring(end, to)).replace('\n', ' ');
    }
}
