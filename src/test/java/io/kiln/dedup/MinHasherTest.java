package io.kiln.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class MinHasherTest {
    private final MinHasher hasher = NearDuplicateParameters.defaults().minHasher();

    @Test
    void signatureIsDeterministicAndOfHashCountLength() {
        String text = TestTexts.document(1, 300);
        long[] signature = hasher.signature(text);
        assertThat(signature).hasSize(112);
        assertThat(new MinHasher(Shingling.WORDS, 5, 112, NearDuplicateParameters.DEFAULT_SEED).signature(text)).isEqualTo(signature);
        assertThat(new MinHasher(Shingling.WORDS, 5, 112, 1).signature(text)).isNotEqualTo(signature);
    }

    @Test
    void signatureIgnoresCaseSpacingAndPunctuationBetweenWords() {
        assertThat(hasher.signature("The quick, brown fox -- jumps over the lazy dog!"))
                .isEqualTo(hasher.signature("the QUICK brown\n\nfox jumps over the lazy dog"));
    }

    @Test
    void estimateTracksExactJaccardOfTheShingles() {
        MinHasher wide = new MinHasher(Shingling.WORDS, 5, 1024, 3);
        String original = TestTexts.document(11, 400);
        for (int changes : new int[] {2, 8, 20, 60}) {
            String edited = TestTexts.edited(original, changes, changes);
            double exact = jaccard(wide.shingleHashes(TextNormalizer.normalize(original)), wide.shingleHashes(TextNormalizer.normalize(edited)));
            double estimate = MinHasher.estimateJaccard(wide.signature(original), wide.signature(edited));
            // standard error sqrt(J(1-J)/1024) <= 0.016; 4 standard errors
            assertThat(estimate).as("%d changes", changes).isCloseTo(exact, within(0.06));
        }
    }

    @Test
    void fewChangedWordsKeepTheEstimateAboveTheDefaultThreshold() {
        String original = TestTexts.document(5, 500);
        double estimate = MinHasher.estimateJaccard(hasher.signature(original), hasher.signature(TestTexts.edited(original, 3, 9)));
        assertThat(estimate).isGreaterThan(0.8);
        double unrelated = MinHasher.estimateJaccard(hasher.signature(original), hasher.signature(TestTexts.document(6, 500)));
        assertThat(unrelated).isLessThan(0.1);
    }

    @Test
    void textWithoutWordsHasTheEmptySignature() {
        assertThat(MinHasher.isEmpty(hasher.signature(" ... !!! "))).isTrue();
        assertThat(MinHasher.isEmpty(hasher.signature("one"))).isFalse();
        assertThat(hasher.signature("two words")).isNotEqualTo(hasher.signature("two"));
    }

    @Test
    void characterShinglesWorkWithoutSpaces() {
        MinHasher characters = new MinHasher(Shingling.CHARACTERS, 3, 128, 1);
        String text = "数据湖是一个集中式存储库，允许您以任意规模存储所有结构化和非结构化数据。".repeat(3);
        String edited = text.replaceFirst("存储库", "仓库");
        assertThat(MinHasher.estimateJaccard(characters.signature(text), characters.signature(edited))).isGreaterThan(0.7);
        long[] shingles = characters.shingleHashes("abcab");
        assertThat(shingles).hasSize(3);
        assertThat(shingles[0]).isNotEqualTo(shingles[1]);
        assertThat(characters.shingleHashes("xabc")[1]).isEqualTo(shingles[0]);
    }

    @Test
    void rejectsBadParameters() {
        assertThatThrownBy(() -> new MinHasher(Shingling.WORDS, 0, 112, 1)).hasMessageContaining("shingle size 0");
        assertThatThrownBy(() -> new NearDuplicateParameters(Shingling.WORDS, 5, 112, 15, 0.8, 1)).hasMessageContaining("bands 15: must divide hashCount 112");
        assertThatThrownBy(() -> new NearDuplicateParameters(Shingling.WORDS, 5, 112, 14, 1.5, 1)).hasMessageContaining("threshold 1.5");
    }

    @Test
    void defaultBandsPutTheSCurveBelowTheThreshold() {
        LshBands bands = NearDuplicateParameters.defaults().lshBands();
        assertThat(bands).isEqualTo(new LshBands(14, 8));
        assertThat(bands.threshold()).isCloseTo(0.719, within(0.001));
        assertThat(bands.candidateProbability(0.8)).isCloseTo(0.924, within(0.001));
        assertThat(bands.candidateProbability(0.9)).isGreaterThan(0.999);
        assertThat(bands.candidateProbability(0.5)).isLessThan(0.06);
    }

    @Test
    void bandKeysDifferPerBandAndFollowTheRows() {
        LshBands bands = new LshBands(4, 2);
        long[] signature = {1, 2, 3, 4, 5, 6, 7, 8};
        int[] keys = bands.bandKeys(signature);
        assertThat(Arrays.stream(keys).distinct().count()).isEqualTo(4);
        long[] changed = signature.clone();
        changed[5] = 60;
        int[] changedKeys = bands.bandKeys(changed);
        assertThat(changedKeys[0]).isEqualTo(keys[0]);
        assertThat(changedKeys[2]).isNotEqualTo(keys[2]);
        assertThat(bands.bandKeys(new long[] {3, 4, 1, 2, 5, 6, 7, 8})[0]).isNotEqualTo(keys[1]);
    }

    static double jaccard(long[] first, long[] second) {
        Set<Long> a = new HashSet<>();
        Arrays.stream(first).forEach(a::add);
        Set<Long> b = new HashSet<>();
        Arrays.stream(second).forEach(b::add);
        Set<Long> union = new HashSet<>(a);
        union.addAll(b);
        a.retainAll(b);
        return (double) a.size() / union.size();
    }
}
