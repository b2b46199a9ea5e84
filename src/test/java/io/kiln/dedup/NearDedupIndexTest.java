package io.kiln.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.kiln.dedup.Decision.Verdict;

class NearDedupIndexTest {
    private final NearDuplicateParameters parameters = NearDuplicateParameters.defaults();
    private final MinHasher hasher = parameters.minHasher();

    private static DocumentRank rank(String file, long position) {
        return new DocumentRank("file:///in/" + file, position, 0, file + "#" + position);
    }

    private NearDedupIndex index(NearHistory history, Map<DocumentRank, String> documents) {
        NearDedupIndex index = new NearDedupIndex(parameters, history);
        documents.forEach((rank, text) -> index.add(rank, hasher.signature(text)));
        return index;
    }

    @Test
    void findsCopiesWithAFewWordsChanged() {
        String original = TestTexts.document(1, 400);
        DedupDecisions decisions = index(NearHistory.empty(parameters), Map.of(
                rank("b", 5), TestTexts.edited(original, 3, 1),
                rank("a", 3), TestTexts.edited(original, 2, 2),
                rank("c", 1), original.toUpperCase(),
                rank("a", 4), TestTexts.document(2, 400))).decide();

        Decision survivor = decisions.decision(rank("a", 3)).orElseThrow();
        assertThat(survivor.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(survivor.clusterId()).isPresent();
        for (DocumentRank copy : List.of(rank("b", 5), rank("c", 1))) {
            Decision decision = decisions.decision(copy).orElseThrow();
            assertThat(decision.verdict()).isEqualTo(Verdict.DUPLICATE_IN_JOB);
            assertThat(decision.duplicateOf()).contains("a#3");
            assertThat(decision.clusterId()).isEqualTo(survivor.clusterId());
            assertThat(decision.similarity()).isGreaterThanOrEqualTo(0.8).isLessThan(1.0);
        }
        assertThat(decisions.decision(rank("a", 4)).orElseThrow().clusterId()).isEmpty();
    }

    @Test
    void keepsDifferentDocumentsEvenWithSharedPhrases() {
        Map<DocumentRank, String> documents = new java.util.HashMap<>();
        List<String> texts = TestTexts.documents(4, 300, 200);
        String boilerplate = " Licensed under the Apache License, Version 2.0; you may not use this file except in compliance with the License.";
        for (int i = 0; i < texts.size(); i++) {
            documents.put(rank("f", i), texts.get(i) + boilerplate);
        }
        documents.put(rank("g", 0), " ... ");
        documents.put(rank("g", 1), " !!! ");

        DedupDecisions decisions = index(NearHistory.empty(parameters), documents).decide();

        assertThat(decisions.kept()).isEqualTo(302);
    }

    @Test
    void clustersAreTransitive() {
        String a = TestTexts.document(9, 500);
        String b = TestTexts.edited(a, 7, 1, 0.5);
        String c = TestTexts.edited(b, 7, 2, 0.0);
        // preconditions: A~B and B~C above the threshold, A~C below it
        assertThat(MinHasher.estimateJaccard(hasher.signature(a), hasher.signature(b))).isGreaterThanOrEqualTo(0.8);
        assertThat(MinHasher.estimateJaccard(hasher.signature(b), hasher.signature(c))).isGreaterThanOrEqualTo(0.8);
        assertThat(MinHasher.estimateJaccard(hasher.signature(a), hasher.signature(c))).isLessThan(0.8);

        DedupDecisions decisions = index(NearHistory.empty(parameters), Map.of(rank("x", 1), a, rank("x", 2), b, rank("x", 3), c)).decide();

        assertThat(decisions.kept()).isEqualTo(1);
        Decision last = decisions.decision(rank("x", 3)).orElseThrow();
        assertThat(last.duplicateOf()).contains("x#1");
        assertThat(last.similarity()).isLessThan(0.8);
    }

    @Test
    void decisionsDoNotDependOnInsertionOrderOrThreads() {
        List<Map.Entry<DocumentRank, long[]>> documents = new ArrayList<>();
        Random random = new Random(5);
        List<String> originals = TestTexts.documents(6, 60, 300);
        int position = 0;
        for (String original : originals) {
            String previous = original;
            for (int copy = random.nextInt(4); copy >= 0; copy--) {
                // chains of edits, so that clusters are joined through intermediate copies
                previous = TestTexts.edited(previous, 1 + random.nextInt(4), random.nextLong(), random.nextDouble());
                documents.add(Map.entry(rank("f" + random.nextInt(3), position++), hasher.signature(previous)));
            }
        }
        DedupDecisions expected = null;
        for (int shuffle = 0; shuffle < 10; shuffle++) {
            Collections.shuffle(documents, new Random(shuffle));
            NearDedupIndex index = new NearDedupIndex(parameters, NearHistory.empty(parameters));
            documents.parallelStream().forEach(document -> index.add(document.getKey(), document.getValue()));
            DedupDecisions decisions = index.decide();
            if (expected == null) {
                expected = decisions;
                assertThat(decisions.kept()).isBetween(60L, 70L);
                assertThat(decisions.duplicates()).isGreaterThan(20);
            }
            assertThat(decisions.decisions()).isEqualTo(expected.decisions());
        }
    }

    @Test
    void publishedRowsAlwaysSurviveAndClustersKeepTheirIds() throws IOException {
        String original = TestTexts.document(12, 400);
        NearDedupIndex first = index(NearHistory.empty(parameters), Map.of(
                rank("one", 2), original,
                rank("one", 1), TestTexts.edited(original, 2, 5),
                rank("one", 3), TestTexts.document(13, 400)));
        Decision firstSurvivor = first.decide().decision(rank("one", 1)).orElseThrow();
        assertThat(firstSurvivor.verdict()).isEqualTo(Verdict.KEEP);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        first.newSegment(rank -> true).writeTo(file);

        NearHistory history = NearHistory.read(new ByteArrayInputStream(file.toByteArray()), parameters);
        assertThat(history.size()).isEqualTo(2);
        // rank "a" sorts before "one": history still wins
        DedupDecisions second = index(history, Map.of(
                rank("a", 1), TestTexts.edited(original, 3, 6),
                rank("a", 2), TestTexts.document(14, 400))).decide();

        Decision copy = second.decision(rank("a", 1)).orElseThrow();
        assertThat(copy.verdict()).isEqualTo(Verdict.DUPLICATE_OF_HISTORY);
        assertThat(copy.duplicateOf()).contains("one#1");
        assertThat(copy.clusterId()).isEqualTo(firstSurvivor.clusterId());
        assertThat(second.decision(rank("a", 2)).orElseThrow().verdict()).isEqualTo(Verdict.KEEP);
    }

    @Test
    void theLeastPublishedRowIdSurvivesWhenSeveralMatch() {
        String original = TestTexts.document(31, 400);
        NearHistory history = NearHistory.builder(parameters)
                .add("z-row", hasher.signature(TestTexts.edited(original, 2, 1)))
                .add("a-row", hasher.signature(TestTexts.edited(original, 2, 2, 0.25)))
                .add("other", hasher.signature(TestTexts.document(32, 400)))
                .build();

        Decision decision = index(history, Map.of(rank("x", 1), original)).decide().decision(rank("x", 1)).orElseThrow();

        assertThat(decision.verdict()).isEqualTo(Verdict.DUPLICATE_OF_HISTORY);
        assertThat(decision.duplicateOf()).contains("a-row");
    }

    @Test
    void segmentsOfSeveralPublishesLoadTogether() throws IOException {
        List<String> texts = TestTexts.documents(21, 40, 300);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        NearHistory.Builder all = NearHistory.builder(parameters);
        for (int segment = 0; segment < 4; segment++) {
            NearHistory.Builder builder = NearHistory.builder(parameters);
            for (int i = segment * 10; i < segment * 10 + 10; i++) {
                builder.add("row-" + i, hasher.signature(texts.get(i)));
                all.add("row-" + i, hasher.signature(texts.get(i)));
            }
            builder.build().writeTo(file);
        }
        NearHistory loaded = NearHistory.read(new ByteArrayInputStream(file.toByteArray()), parameters);
        assertThat(loaded.size()).isEqualTo(40);
        ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
        loaded.writeTo(rewritten);
        ByteArrayOutputStream direct = new ByteArrayOutputStream();
        all.build().writeTo(direct);
        assertThat(rewritten.toByteArray()).isEqualTo(direct.toByteArray());

        NearDedupIndex index = new NearDedupIndex(parameters, loaded);
        for (int i = 0; i < 40; i += 3) {
            index.add(rank("new", i), hasher.signature(TestTexts.edited(texts.get(i), 2, i)));
        }
        for (Decision decision : index.decide().decisions()) {
            assertThat(decision.duplicateOf()).contains("row-" + decision.rank().position());
        }
    }

    @Test
    void refusesHistoryMadeWithOtherParameters() throws IOException {
        NearDuplicateParameters other = new NearDuplicateParameters(Shingling.WORDS, 3, 112, 14, 0.8, NearDuplicateParameters.DEFAULT_SEED);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        NearHistory.builder(other).add("r", other.minHasher().signature("some text here")).build().writeTo(file);
        assertThatThrownBy(() -> NearHistory.read(new ByteArrayInputStream(file.toByteArray()), parameters))
                .hasMessageContaining("rebuild the history");
        assertThatThrownBy(() -> new NearDedupIndex(parameters, NearHistory.empty(other))).hasMessageContaining("Cannot use near-dedup history");
        NearDuplicateParameters stricter = new NearDuplicateParameters(Shingling.WORDS, 5, 112, 14, 0.9, NearDuplicateParameters.DEFAULT_SEED);
        assertThat(new NearDedupIndex(stricter, NearHistory.empty(parameters)).parameters()).isEqualTo(stricter);
    }
}
