package io.kiln.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.kiln.error.Violation;

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

    private static final Map<String, Double> THREE = threeWay();

    private static Map<String, Double> threeWay() {
        Map<String, Double> fractions = new LinkedHashMap<>();
        fractions.put("train", 0.8);
        fractions.put("validation", 0.1);
        fractions.put("test", 0.1);
        return fractions;
    }

    @Test
    void namedSplitsAreDisjointCoverEveryRowAndKeepTheirFractions() {
        List<SplitRule> rules = THREE.keySet().stream().map(name -> SplitRule.named(name, THREE, 17, Optional.empty())).toList();
        Map<String, Integer> sizes = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            String id = "doc-" + i;
            List<String> in = rules.stream().filter(rule -> rule.contains(id)).map(SplitRule::name).toList();
            assertThat(in).as("the splits holding %s", id).hasSize(1);
            sizes.merge(in.get(0), 1, Integer::sum);
        }
        assertThat(sizes.get("train")).isBetween(79_500, 80_500);
        assertThat(sizes.get("validation")).isBetween(9_700, 10_300);
        assertThat(sizes.get("test")).isBetween(9_700, 10_300);
        assertThat(rules.get(1).lower()).isEqualTo(0.8);
        assertThat(rules.get(2).upper()).isEqualTo(1.0);
    }

    @Test
    void validationIsNotInsideTrain() {
        SplitRule train = SplitRule.named("train", THREE, 17, Optional.empty());
        SplitRule validation = SplitRule.named("validation", THREE, 17, Optional.empty());
        for (int i = 0; i < 20_000; i++) {
            assertThat(train.contains("doc-" + i) && validation.contains("doc-" + i)).isFalse();
        }
        assertThat(new SplitRule("train", 0.8, 17).contains("doc-1")).isEqualTo(train.contains("doc-1"));
    }

    @Test
    void everyRowOfAGroupLandsInTheSameSplit() {
        List<SplitRule> rules = THREE.keySet().stream().map(name -> SplitRule.named(name, THREE, 5, Optional.of("sender"))).toList();
        Map<String, String> splitOfSender = new HashMap<>();
        int groupsSeen = 0;
        for (int i = 0; i < 30_000; i++) {
            String sender = "sender-" + (i % 997);
            String id = "mail-" + i;
            String split = rules.stream().filter(rule -> rule.contains(id, sender)).map(SplitRule::name).findFirst().orElseThrow();
            String before = splitOfSender.putIfAbsent(sender, split);
            if (before == null) {
                groupsSeen++;
            }
            else {
                assertThat(split).as("sender %s", sender).isEqualTo(before);
            }
        }
        assertThat(groupsSeen).isEqualTo(997);
        assertThat(splitOfSender.values()).contains("train", "validation", "test");
        // a row without a group value is a group of its own, decided by its id
        assertThat(rules.get(0).contains("mail-1", null)).isEqualTo(new SplitRule("train", 0, 0.8, 5, Optional.empty(), Map.of()).contains("mail-1"));
        // numbers group by their decimal text, as Trino casts them to varchar
        assertThat(rules.get(0).contains("a", 42L)).isEqualTo(rules.get(0).contains("b", "42"));
    }

    @Test
    void aGroupByIdIsASplitById() {
        assertThat(SplitRule.named("train", THREE, 5, Optional.of("id")).by()).isEmpty();
    }

    @Test
    void namesEveryProblemOfARequestedSplit() {
        List<Violation> violations = new ArrayList<>();
        assertThat(SplitRule.of("split.", Optional.of("dev"), Optional.empty(), Optional.of(THREE), 0, Optional.empty(), violations)).isEmpty();
        assertThat(violations).containsExactly(new Violation("split.name", "'dev' is not one of the splits train, validation, test"));

        violations.clear();
        Map<String, Double> short_ = new LinkedHashMap<>(Map.of("train", 0.8));
        short_.put("test", 0.1);
        assertThat(SplitRule.of("split.", Optional.of("test"), Optional.empty(), Optional.of(short_), 0, Optional.empty(), violations)).isEmpty();
        assertThat(violations).extracting(Violation::field, Violation::message).containsExactly(org.assertj.core.groups.Tuple.tuple("split.fractions", "the fractions must sum to 1, they sum to 0.9"));

        violations.clear();
        assertThat(SplitRule.of("split.", Optional.of("train"), Optional.of(0.5), Optional.of(THREE), 0, Optional.of("bad column!"), violations)).isEmpty();
        assertThat(violations).extracting(Violation::field).containsExactly("split.by", "split.fractions");

        violations.clear();
        assertThat(SplitRule.of("split.", Optional.empty(), Optional.empty(), Optional.of(THREE), 0, Optional.empty(), violations)).isEmpty();
        assertThat(violations).extracting(Violation::field).containsExactly("split.name");

        violations.clear();
        assertThat(SplitRule.of("split.", Optional.empty(), Optional.of(0.9), Optional.empty(), 3, Optional.of("sender"), violations))
                .contains(new SplitRule("split", 0, 0.9, 3, Optional.of("sender"), Map.of()));
        assertThat(violations).isEmpty();
    }

    @Test
    void trinoPredicateBoundsBothEndsOnlyWhereNeeded() {
        assertThat(SplitRule.named("train", THREE, 17, Optional.empty()).trinoPredicate("id")).doesNotContain(">=").contains("< 0.8e0");
        assertThat(SplitRule.named("validation", THREE, 17, Optional.empty()).trinoPredicate("id")).contains(">= 0.8e0").contains("< " + (0.8 + 0.1) + "e0");
        assertThat(SplitRule.named("test", THREE, 17, Optional.empty()).trinoPredicate("id")).contains(">= " + (0.8 + 0.1) + "e0").doesNotContain(" < 0.");
        assertThat(SplitRule.named("test", THREE, 17, Optional.of("sender")).trinoPredicate("id"))
                .contains("COALESCE('17:sender=' || CAST(\"sender\" AS varchar), '17:' || id)");
        assertThat(new SplitRule("all", 1.0, 0).trinoPredicate("id")).isEqualTo("TRUE");
    }
}
