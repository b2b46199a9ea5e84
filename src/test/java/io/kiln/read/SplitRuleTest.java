package io.kiln.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SplitRuleTest {
    @Test
    void splitsDeterministicallyAndInTheRequestedProportion() {
        SplitRule train = new SplitRule("train", 0.9, 17);
        int inside = 0;
        for (int i = 0; i < 100_000; i++) {
            String id = "doc-" + i;
            assertThat(train.contains(id)).isEqualTo(new SplitRule("again", 0.9, 17).contains(id));
            if (train.contains(id)) {
                inside++;
            }
        }
        assertThat(inside).isBetween(89_500, 90_500);
        assertThat(SplitRule.position(17, "doc-1")).isNotEqualTo(SplitRule.position(18, "doc-1"));
        assertThat(SplitRule.position(17, "doc-1")).isBetween(0.0, 1.0);
    }

    @Test
    void rejectsAFractionOutsideZeroToOne() {
        assertThatThrownBy(() -> new SplitRule("x", 0, 1)).hasMessage("fraction must be more than 0 and at most 1, was 0.0");
        assertThatThrownBy(() -> new SplitRule("x", 1.5, 1)).hasMessage("fraction must be more than 0 and at most 1, was 1.5");
    }
}
