package io.kiln.transform.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class VoteCountsTest {
    @Test
    void keepsDistinctPatternsWithCountsInCanonicalOrder() {
        VoteCounts votes = new VoteCounts(2, 2);
        votes.add(new int[] {1, 0}, 1);
        votes.add(new int[] {-1, 1});
        votes.add(new int[] {1, 0}, 1);
        votes.add(new int[] {1, 0}, 0);
        votes.add(new int[] {-1, 0});

        List<VoteCounts.Pattern> patterns = votes.patterns();
        assertThat(votes.rows()).isEqualTo(5);
        assertThat(votes.goldRows()).isEqualTo(3);
        assertThat(patterns).extracting(VoteCounts.Pattern::votes)
                .containsExactly(new int[] {-1, 0}, new int[] {-1, 1}, new int[] {1, 0}, new int[] {1, 0});
        assertThat(patterns).extracting(VoteCounts.Pattern::gold).containsExactly(-1, -1, 0, 1);
        assertThat(patterns).extracting(VoteCounts.Pattern::count).containsExactly(1L, 1L, 1L, 2L);
    }

    @Test
    void copiesTheVotesItIsGiven() {
        VoteCounts votes = new VoteCounts(2, 2);
        int[] row = {0, 1};
        votes.add(row);
        row[0] = 1;
        assertThat(votes.patterns().get(0).votes()).containsExactly(0, 1);
    }

    @Test
    void rejectsVotesOfTheWrongLengthOrOutOfRange() {
        VoteCounts votes = new VoteCounts(2, 3);
        assertThatThrownBy(() -> votes.add(new int[] {0, 1, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 2 votes, one per function, got 3");
        assertThatThrownBy(() -> votes.add(new int[] {0, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vote of function 1 must be -1 (abstain) or from 0 to 2, was 3");
        assertThatThrownBy(() -> votes.add(new int[] {-2, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vote of function 0 must be -1 (abstain) or from 0 to 2, was -2");
        assertThatThrownBy(() -> votes.add(new int[] {0, 0}, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gold label must be -1 (unknown) or from 0 to 2, was 3");
        assertThat(votes.rows()).isZero();
    }

    @Test
    void rejectsFewerThanTwoLabelsOrNoFunctions() {
        assertThatThrownBy(() -> new VoteCounts(0, 2)).hasMessage("functions must be 1 or more, was 0");
        assertThatThrownBy(() -> new VoteCounts(3, 1)).hasMessage("labels must be 2 or more, was 1");
    }
}
