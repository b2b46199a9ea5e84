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
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.kiln.dedup.Decision.Verdict;

class ExactDedupIndexTest {
    private static DocumentRank rank(String file, long position) {
        return new DocumentRank("file:///in/" + file, position, 0, file + "#" + position);
    }

    @Test
    void keepsTheFirstCopyInRankOrderAndPointsTheOthersAtIt() {
        ExactDedupIndex index = new ExactDedupIndex(ExactHistory.empty());
        index.add(rank("b", 1), ContentKey.of("Hello   World"));
        index.add(rank("a", 7), ContentKey.of("hello world"));
        index.add(rank("a", 9), ContentKey.of("something else"));
        index.add(rank("a", 2), ContentKey.of("HELLO WORLD\n"));

        DedupDecisions decisions = index.decide();

        assertThat(decisions.decision(rank("a", 2)).orElseThrow())
                .isEqualTo(Decision.keep(rank("a", 2), Optional.of(ContentKey.of("hello world").toHex())));
        for (DocumentRank duplicate : List.of(rank("a", 7), rank("b", 1))) {
            Decision decision = decisions.decision(duplicate).orElseThrow();
            assertThat(decision.verdict()).isEqualTo(Verdict.DUPLICATE_IN_JOB);
            assertThat(decision.duplicateOf()).contains("a#2");
            assertThat(decision.clusterId()).contains(ContentKey.of("hello world").toHex());
        }
        assertThat(decisions.decision(rank("a", 9)).orElseThrow()).isEqualTo(Decision.keep(rank("a", 9), Optional.empty()));
        assertThat(decisions.kept()).isEqualTo(2);
        assertThat(decisions.duplicates()).isEqualTo(2);
        assertThat(decisions.decision(rank("z", 0))).isEmpty();
    }

    @Test
    void decisionsDoNotDependOnInsertionOrder() {
        List<Map.Entry<DocumentRank, ContentKey>> documents = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 500; i++) {
            documents.add(Map.entry(rank("f" + random.nextInt(5), i), ContentKey.of("text " + random.nextInt(120))));
        }
        DedupDecisions expected = null;
        for (int shuffle = 0; shuffle < 10; shuffle++) {
            Collections.shuffle(documents, new Random(shuffle));
            ExactDedupIndex index = new ExactDedupIndex(ExactHistory.empty());
            documents.parallelStream().forEach(document -> index.add(document.getKey(), document.getValue()));
            DedupDecisions decisions = index.decide();
            if (expected == null) {
                expected = decisions;
                assertThat(decisions.kept()).isEqualTo(documents.stream().map(Map.Entry::getValue).distinct().count());
            }
            assertThat(decisions.decisions()).isEqualTo(expected.decisions());
        }
    }

    @Test
    void publishedRowsAlwaysSurvive() {
        ExactHistory history = ExactHistory.builder().add("old-2", ContentKey.of("published text")).add("old-1", ContentKey.of("Published  text")).build();
        ExactDedupIndex index = new ExactDedupIndex(history);
        index.add(rank("a", 1), ContentKey.of("published text"));
        index.add(rank("a", 2), ContentKey.of("new text"));

        DedupDecisions decisions = index.decide();

        Decision duplicate = decisions.decision(rank("a", 1)).orElseThrow();
        assertThat(duplicate.verdict()).isEqualTo(Verdict.DUPLICATE_OF_HISTORY);
        assertThat(duplicate.duplicateOf()).contains("old-1");
        assertThat(decisions.decision(rank("a", 2)).orElseThrow().verdict()).isEqualTo(Verdict.KEEP);
        assertThat(decisions.count(Verdict.DUPLICATE_OF_HISTORY)).isEqualTo(1);
    }

    @Test
    void segmentsOfSeveralPublishesRoundTripAndDeduplicateTheNextBatch() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ExactDedupIndex first = new ExactDedupIndex(ExactHistory.empty());
        first.add(rank("one", 1), ContentKey.of("alpha"));
        first.add(rank("one", 2), ContentKey.of("alpha"));
        first.add(rank("one", 3), ContentKey.of("beta"));
        first.add(rank("one", 4), ContentKey.of("dropped by a later step"));
        ExactHistory firstSegment = first.newSegment(rank -> rank.position() != 4);
        assertThat(firstSegment.size()).isEqualTo(2);
        firstSegment.writeTo(file);

        ExactDedupIndex second = new ExactDedupIndex(ExactHistory.read(new ByteArrayInputStream(file.toByteArray())));
        second.add(rank("two", 1), ContentKey.of("gamma"));
        second.add(rank("two", 2), ContentKey.of("ALPHA"));
        second.add(rank("two", 3), ContentKey.of("dropped by a later step"));
        second.newSegment(rank -> true).writeTo(file);
        assertThat(second.decide().decision(rank("two", 2)).orElseThrow().duplicateOf()).contains("one#1");

        ExactHistory loaded = ExactHistory.read(new ByteArrayInputStream(file.toByteArray()));
        assertThat(loaded.size()).isEqualTo(4);
        assertThat(loaded.rowWith(ContentKey.of("alpha"))).contains("one#1");
        assertThat(loaded.rowWith(ContentKey.of("beta"))).contains("one#3");
        assertThat(loaded.rowWith(ContentKey.of("gamma"))).contains("two#1");
        assertThat(loaded.rowWith(ContentKey.of("dropped by a later step"))).contains("two#3");
        assertThat(loaded.rowWith(ContentKey.of("delta"))).isEmpty();
        assertThat(ExactHistory.read(new ByteArrayInputStream(new byte[0])).size()).isZero();
    }

    @Test
    void rejectsCorruptSegmentsAndDuplicateRanks() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ExactHistory.builder().add("r", ContentKey.of("x")).build().writeTo(file);
        byte[] bytes = file.toByteArray();
        bytes[bytes.length - 6] ^= 1;
        assertThatThrownBy(() -> ExactHistory.read(new ByteArrayInputStream(bytes))).hasMessageContaining("checksum mismatch");
        byte[] truncated = java.util.Arrays.copyOf(file.toByteArray(), 20);
        assertThatThrownBy(() -> ExactHistory.read(new ByteArrayInputStream(truncated))).hasMessageContaining("truncated");
        assertThatThrownBy(() -> NearHistory.read(new ByteArrayInputStream(file.toByteArray()), NearDuplicateParameters.defaults()))
                .hasMessageContaining("kind 'E', expected 'N'");

        ExactDedupIndex index = new ExactDedupIndex(ExactHistory.empty());
        index.add(rank("a", 1), ContentKey.of("x"));
        index.add(rank("a", 1), ContentKey.of("y"));
        assertThatThrownBy(index::decide).hasMessageContaining("two documents have rank");
    }
}
