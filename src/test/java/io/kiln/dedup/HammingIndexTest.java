package io.kiln.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class HammingIndexTest {
    private static DocumentRank rank(String id) {
        return new DocumentRank("file:///in", 0, 0, id);
    }

    @Test
    void firstOccurrenceWinsAndNoChainDropsARow() {
        HammingIndex index = new HammingIndex(6);
        index.add(rank("c"), 0x3ffL); // 10 bits from a, 5 from b
        index.add(rank("a"), 0L);
        index.add(rank("b"), 0x1fL); // 5 bits from a
        DedupDecisions decisions = index.decide();
        assertThat(decisions.decision(rank("a")).orElseThrow().isDuplicate()).isFalse();
        Decision b = decisions.decision(rank("b")).orElseThrow();
        assertThat(b.duplicateOf()).contains("a");
        assertThat(b.similarity()).isEqualTo(1 - 5 / 64.0);
        // c resembles only b, which is dropped: c is kept, never dropped for a chain of resemblances
        assertThat(decisions.decision(rank("c")).orElseThrow().isDuplicate()).isFalse();
    }

    @Test
    void publishedHashesSurviveAndLaterJobsSeeThisJobsSurvivors() throws Exception {
        HammingIndex first = new HammingIndex(6);
        first.add(rank("x"), 0xf0f0L);
        first.add(rank("y"), 0xf0f1L);
        first.decide();
        ByteArrayOutputStream segment = new ByteArrayOutputStream();
        first.writeSegment(segment);
        HammingIndex second = new HammingIndex(2);
        second.loadHistory(new ByteArrayInputStream(segment.toByteArray()));
        second.add(rank("a"), 0xf0f3L); // 2 bits from x
        second.add(rank("z"), 0xffffL);
        DedupDecisions decisions = second.decide();
        Decision a = decisions.decision(rank("a")).orElseThrow();
        assertThat(a.verdict()).isEqualTo(Decision.Verdict.DUPLICATE_OF_HISTORY);
        assertThat(a.duplicateOf()).contains("x");
        assertThat(decisions.decision(rank("z")).orElseThrow().isDuplicate()).isFalse();
    }

    @Test
    void findsWhatComparingEveryPairFindsInAnyOrder() {
        Random random = new Random(7);
        List<Long> hashes = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            long base = i % 3 == 0 || hashes.isEmpty() ? random.nextLong() : hashes.get(random.nextInt(hashes.size()));
            for (int flips = random.nextInt(12); flips > 0; flips--) {
                base ^= 1L << random.nextInt(64);
            }
            hashes.add(base);
        }
        for (int radius : new int[] {0, 3, 6, 10, 15}) {
            // the rule, by brute force: in rank order, a row is dropped when a kept row is within the radius
            List<Long> kept = new ArrayList<>();
            List<Boolean> expected = new ArrayList<>();
            for (long hash : hashes) {
                boolean duplicate = kept.stream().anyMatch(other -> Long.bitCount(other ^ hash) <= radius);
                expected.add(duplicate);
                if (!duplicate) {
                    kept.add(hash);
                }
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < hashes.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(radius));
            HammingIndex index = new HammingIndex(radius);
            for (int i : order) {
                index.add(rank("%05d".formatted(i)), hashes.get(i));
            }
            DedupDecisions decisions = index.decide();
            for (int i = 0; i < hashes.size(); i++) {
                assertThat(decisions.decision(rank("%05d".formatted(i))).orElseThrow().isDuplicate()).as("row %d at radius %d", i, radius).isEqualTo(expected.get(i));
            }
        }
    }
}
