package io.kiln.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.kiln.dedup.Decision.Verdict;

class VerifiedNearDedupIndexTest {
    private final NearDuplicateParameters parameters = NearDuplicateParameters.defaults();
    private final MinHasher hasher = parameters.minHasher();

    private static DocumentRank rank(String id) {
        return new DocumentRank("file:///in/docs.jsonl", 0, 0, id);
    }

    /** Words {@code from} to {@code to} of one long random text: windows of it overlap as much as they share. */
    private static String window(int from, int to) {
        String[] words = TestTexts.document(7, 400).split(" ");
        return String.join(" ", Arrays.copyOfRange(words, from, to));
    }

    private VerifiedNearDedupIndex index(byte[] history, Map<DocumentRank, String> documents) throws IOException {
        VerifiedNearDedupIndex index = new VerifiedNearDedupIndex(parameters, ShingleSets.inTemporaryDirectory());
        index.loadHistory(new ByteArrayInputStream(history));
        documents.forEach((rank, text) -> {
            long[] shingles = hasher.shingleSet(text);
            index.add(rank, hasher.signatureOfShingles(shingles), shingles);
        });
        return index;
    }

    private double jaccard(String first, String second) {
        return MinHasher.jaccard(hasher.shingleSet(first), hasher.shingleSet(second));
    }

    @Test
    void keepsBothEndsOfAChainOfResemblances() throws IOException {
        // A~B and B~C at 0.82, A vs C at 0.67: version 1 joins all three and keeps A alone
        String a = window(0, 184);
        String b = window(18, 202);
        String c = window(36, 220);
        assertThat(jaccard(a, b)).isGreaterThanOrEqualTo(0.8);
        assertThat(jaccard(b, c)).isGreaterThanOrEqualTo(0.8);
        assertThat(jaccard(a, c)).isBetween(0.6, 0.7);
        Map<DocumentRank, String> documents = Map.of(rank("a"), a, rank("b"), b, rank("c"), c);

        DedupDecisions decisions = index(new byte[0], documents).decide();

        assertThat(decisions.decision(rank("a")).orElseThrow().verdict()).isEqualTo(Verdict.KEEP);
        Decision middle = decisions.decision(rank("b")).orElseThrow();
        assertThat(middle.verdict()).isEqualTo(Verdict.DUPLICATE_IN_JOB);
        assertThat(middle.duplicateOf()).contains("a");
        assertThat(middle.similarity()).isEqualTo(jaccard(a, b));
        assertThat(decisions.decision(rank("c")).orElseThrow().verdict()).isEqualTo(Verdict.KEEP);

        NearDedupIndex chained = new NearDedupIndex(parameters, NearHistory.empty(parameters));
        documents.forEach((rank, text) -> chained.add(rank, hasher.signature(text)));
        assertThat(chained.decide().decision(rank("c")).orElseThrow().verdict()).as("version 1 chains").isEqualTo(Verdict.DUPLICATE_IN_JOB);
    }

    @Test
    void decidesByTheExactSimilarityNotTheEstimate() throws IOException {
        String original = window(0, 300);
        Map<DocumentRank, String> documents = new LinkedHashMap<>();
        documents.put(rank("a"), original);
        for (int shift = 1; shift <= 40; shift++) {
            documents.put(rank(String.format("b%02d", shift)), window(shift, 300 + shift));
        }
        DedupDecisions decisions = index(new byte[0], documents).decide();

        for (Decision decision : decisions.decisions()) {
            if (decision.isDuplicate()) {
                String survivor = documents.get(rank(decision.duplicateOf().orElseThrow()));
                assertThat(jaccard(documents.get(decision.rank()), survivor)).isGreaterThanOrEqualTo(0.8).isEqualTo(decision.similarity());
                assertThat(decisions.decision(rank(decision.duplicateOf().orElseThrow())).orElseThrow().verdict()).isEqualTo(Verdict.KEEP);
            }
            else {
                // nothing kept before it is within the threshold
                for (Decision earlier : decisions.decisions()) {
                    if (earlier.rank().compareTo(decision.rank()) < 0 && !earlier.isDuplicate()) {
                        assertThat(jaccard(documents.get(decision.rank()), documents.get(earlier.rank()))).isLessThan(0.8);
                    }
                }
            }
        }
        assertThat(decisions.kept()).isGreaterThan(1);
        assertThat(decisions.duplicates()).isGreaterThan(1);
    }

    @Test
    void decidesTheSameWhateverTheOrderOfAdds() throws IOException {
        List<Map.Entry<DocumentRank, String>> documents = new ArrayList<>();
        for (int shift = 0; shift < 60; shift += 3) {
            documents.add(Map.entry(rank(String.format("d%02d", (shift * 7) % 60)), window(shift, 200 + shift)));
        }
        List<Decision> first = null;
        Random random = new Random(5);
        for (int round = 0; round < 4; round++) {
            Collections.shuffle(documents, random);
            Map<DocumentRank, String> ordered = new LinkedHashMap<>();
            documents.forEach(entry -> ordered.put(entry.getKey(), entry.getValue()));
            List<Decision> decisions = index(new byte[0], ordered).decide().decisions();
            if (first == null) {
                first = decisions;
            }
            assertThat(decisions).isEqualTo(first);
        }
    }

    @Test
    void verifiesAgainstThePublishedHistoryWithItsShingleSets() throws IOException {
        String a = window(0, 184);
        String b = window(18, 202);
        String c = window(36, 220);
        VerifiedNearDedupIndex first = index(new byte[0], Map.of(rank("a"), a));
        ByteArrayOutputStream segment = new ByteArrayOutputStream();
        first.writeSegment(segment);
        first.close();

        // C resembles only B, which this job drops as A's duplicate: C is kept
        DedupDecisions decisions = index(segment.toByteArray(), Map.of(rank("b"), b, rank("c"), c, rank("c-copy"), c)).decide();

        Decision middle = decisions.decision(rank("b")).orElseThrow();
        assertThat(middle.verdict()).isEqualTo(Verdict.DUPLICATE_OF_HISTORY);
        assertThat(middle.duplicateOf()).contains("a");
        assertThat(middle.similarity()).isEqualTo(jaccard(a, b));
        assertThat(decisions.decision(rank("c")).orElseThrow().verdict()).isEqualTo(Verdict.KEEP);
        assertThat(decisions.decision(rank("c-copy")).orElseThrow().duplicateOf()).contains("c");
    }

    @Test
    void sharesHistoryWithVersionOneBothWays() throws IOException {
        String a = window(0, 184);
        String b = window(18, 202);
        // version 1 reads a version 2 segment, leaving out the shingle sets
        VerifiedNearDedupIndex second = index(new byte[0], Map.of(rank("a"), a));
        ByteArrayOutputStream versionTwo = new ByteArrayOutputStream();
        second.writeSegment(versionTwo);
        NearHistory read = NearHistory.read(new ByteArrayInputStream(versionTwo.toByteArray()), parameters);
        assertThat(read.size()).isEqualTo(1);
        NearDedupIndex one = new NearDedupIndex(parameters, read);
        one.add(rank("b"), hasher.signature(b));
        assertThat(one.decide().decision(rank("b")).orElseThrow().duplicateOf()).contains("a");

        // version 2 reads a version 1 segment, whose rows it compares by their estimate
        ByteArrayOutputStream versionOne = new ByteArrayOutputStream();
        NearHistory.builder(parameters).add("a", hasher.signature(a)).build().writeTo(versionOne);
        DedupDecisions decisions = index(versionOne.toByteArray(), Map.of(rank("b"), b, rank("far"), window(200, 400))).decide();
        assertThat(decisions.decision(rank("b")).orElseThrow().duplicateOf()).contains("a");
        assertThat(decisions.decision(rank("far")).orElseThrow().verdict()).isEqualTo(Verdict.KEEP);
    }

    @Test
    void keepsMassCopiesInLinearWork() throws IOException {
        String text = window(0, 100);
        Map<DocumentRank, String> documents = new LinkedHashMap<>();
        for (int i = 0; i < 5000; i++) {
            documents.put(rank(String.format("copy-%05d", i)), text);
        }
        DedupDecisions decisions = index(new byte[0], documents).decide();
        assertThat(decisions.kept()).isEqualTo(1);
        assertThat(decisions.decision(rank("copy-04999")).orElseThrow().duplicateOf()).contains("copy-00000");
    }

    @Test
    void neverDropsAnEmptyText() throws IOException {
        DedupDecisions decisions = index(new byte[0], Map.of(rank("a"), "", rank("b"), "  ")).decide();
        assertThat(decisions.kept()).isEqualTo(2);
    }

    @Test
    void storesShingleSetsOnDiskAndReadsThemBack() {
        try (ShingleSets sets = ShingleSets.inTemporaryDirectory()) {
            List<long[]> written = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            Random random = new Random(3);
            for (int i = 0; i < 300; i++) {
                long[] set = random.longs(random.nextInt(200)).sorted().toArray();
                written.add(set);
                offsets.add(sets.append(set));
            }
            for (int i = written.size() - 1; i >= 0; i--) {
                assertThat(sets.read(offsets.get(i), written.get(i).length)).isEqualTo(written.get(i));
            }
            assertThat(sets.bytes()).isEqualTo(8L * written.stream().mapToInt(set -> set.length).sum());
        }
    }
}
