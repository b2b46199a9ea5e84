package io.kiln.contamination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpanCutterTest {
    private static final int[] NONE = {};

    @Test
    void returnsTheTextUnchangedWithoutSpans() {
        String text = "  Nothing to cut here.\n";

        SpanCutter.Cut cut = SpanCutter.cut(text, NONE, NONE, 200, 10);

        assertThat(cut).isEqualTo(new SpanCutter.Cut(text, 1, 0, false));
        assertThat(SpanCutter.cut(" \n\t", NONE, NONE, 200, 10)).isEqualTo(new SpanCutter.Cut(" \n\t", 0, 0, false));
    }

    @Test
    void removesTheSpanAndTheMarginOnEachSide() {
        String text = "keep this part 0123LEAKED4567 and this part";
        int start = text.indexOf("LEAKED");

        SpanCutter.Cut cut = SpanCutter.cut(text, new int[] {start}, new int[] {start + 6}, 4, 10);

        assertThat(cut).isEqualTo(new SpanCutter.Cut("keep this part\n\nand this part", 2, 14, false));
    }

    @Test
    void clampsTheMarginToTheText() {
        String text = "LEAKED right at the start, and the rest stays";

        SpanCutter.Cut cut = SpanCutter.cut(text, new int[] {0}, new int[] {6}, 200, 10);

        assertThat(cut).isEqualTo(new SpanCutter.Cut("", 0, text.length(), false));
        assertThat(SpanCutter.cut(text, new int[] {0}, new int[] {6}, 6, 10)).isEqualTo(new SpanCutter.Cut("at the start, and the rest stays", 1, 12, false));
    }

    @Test
    void mergesSpansWhoseMarginsOverlapOrTouch() {
        String text = "aaaa XX bb YY cccc";

        SpanCutter.Cut overlapping = SpanCutter.cut(text, new int[] {5, 11}, new int[] {7, 13}, 3, 10);
        SpanCutter.Cut touching = SpanCutter.cut(text, new int[] {5, 11}, new int[] {7, 13}, 2, 10);
        SpanCutter.Cut apart = SpanCutter.cut(text, new int[] {5, 11}, new int[] {7, 13}, 1, 10);

        assertThat(overlapping).isEqualTo(new SpanCutter.Cut("aa\n\ncc", 2, 14, false));
        assertThat(touching).isEqualTo(new SpanCutter.Cut("aaa\n\nccc", 2, 12, false));
        assertThat(apart).isEqualTo(new SpanCutter.Cut("aaaa\n\nbb\n\ncccc", 3, 8, false));
    }

    @Test
    void acceptsSpansInAnyOrder() {
        String text = "one XX two YY three";

        assertThat(SpanCutter.cut(text, new int[] {11, 4}, new int[] {13, 6}, 0, 10))
                .isEqualTo(SpanCutter.cut(text, new int[] {4, 11}, new int[] {6, 13}, 0, 10));
    }

    @Test
    void countsOnlyNonBlankPiecesAndFlagsTooMany() {
        String text = "p1 X p2 X p3 X p4 X";
        int[] starts = {3, 8, 13, 18};
        int[] ends = {4, 9, 14, 19};

        SpanCutter.Cut cut = SpanCutter.cut(text, starts, ends, 0, 4);

        assertThat(cut).isEqualTo(new SpanCutter.Cut("p1\n\np2\n\np3\n\np4", 4, 4, false));
        assertThat(SpanCutter.cut(text, starts, ends, 0, 3).tooManyPieces()).isTrue();
        assertThat(SpanCutter.cut(text, starts, ends, 0, 3).pieces()).isEqualTo(4);
    }

    @Test
    void neverSplitsASurrogatePairAtTheCutEdges() {
        String text = "ab😀cdLEAKEDef😀gh";
        int start = text.indexOf("LEAKED");
        int end = start + "LEAKED".length();

        SpanCutter.Cut cut = SpanCutter.cut(text, new int[] {start}, new int[] {end}, 3, 10);

        assertThat(cut).isEqualTo(new SpanCutter.Cut("ab\n\ngh", 2, 14, false));
        assertThat(SpanCutter.cut(text, new int[] {start}, new int[] {end}, 4, 10)).isEqualTo(new SpanCutter.Cut("ab\n\ngh", 2, 14, false));
        assertThat(SpanCutter.cut(text, new int[] {start}, new int[] {end}, 2, 10)).isEqualTo(new SpanCutter.Cut("ab😀\n\n😀gh", 2, 10, false));
    }

    @Test
    void anEmptySpanRemovesOnlyItsMargin() {
        String text = "left|right";

        assertThat(SpanCutter.cut(text, new int[] {4}, new int[] {4}, 0, 10)).isEqualTo(new SpanCutter.Cut(text, 1, 0, false));
        assertThat(SpanCutter.cut(text, new int[] {4}, new int[] {4}, 1, 10)).isEqualTo(new SpanCutter.Cut("lef\n\nright", 2, 2, false));
    }

    @Test
    void cutsTheSpansThatAMatchFinds() {
        NgramIndex index = NgramIndexTest.evalIndex(13, 3);
        String document = "Intro paragraph about plants.\n\n" + NgramIndexTest.EVAL.get(1) + "\n\nAn unrelated closing paragraph that stays.";
        NgramIndex.Match match = index.match(document);

        SpanCutter.Cut cut = SpanCutter.cut(document, match.spanStarts(), match.spanEnds(), 5, 10);

        assertThat(cut.text()).isEqualTo("Intro paragraph about plan\n\nunrelated closing paragraph that stays.");
        assertThat(cut.pieces()).isEqualTo(2);
    }

    @Test
    void rejectsSpansOutsideTheText() {
        assertThatThrownBy(() -> SpanCutter.cut("short", new int[] {2}, new int[] {9}, 0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Span 0 [2, 9) is not within the text of 5 chars");
        assertThatThrownBy(() -> SpanCutter.cut("short", new int[] {3}, new int[] {2}, 0, 10)).hasMessage("Span 0 [3, 2) is not within the text of 5 chars");
        assertThatThrownBy(() -> SpanCutter.cut("short", new int[] {1, 2}, new int[] {3}, 0, 10)).hasMessage("2 span starts but 1 span ends");
        assertThatThrownBy(() -> SpanCutter.cut("short", NONE, NONE, -1, 10)).hasMessage("margin must not be negative, got -1");
        assertThatThrownBy(() -> SpanCutter.cut("short", NONE, NONE, 0, -1)).hasMessage("maxPieces must not be negative, got -1");
    }
}
