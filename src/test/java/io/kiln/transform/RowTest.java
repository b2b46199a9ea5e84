package io.kiln.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RowTest {
    @Test
    void settingSeveralColumnsAddsReplacesAndRemovesThemInNameOrder() {
        Row row = new Row("r1", Map.of("b", 2, "d", 4, "f", 6));
        Map<String, Object> set = new HashMap<>();
        set.put("a", "new first");
        set.put("d", 40);
        set.put("e", "between");
        set.put("f", null);
        set.put("z", List.of(1, 2));
        set.put("absent", null);

        Row changed = row.with(set);

        assertThat(changed.id()).isEqualTo("r1");
        assertThat(List.copyOf(changed.columns().entrySet())).containsExactly(Map.entry("a", "new first"), Map.entry("b", 2), Map.entry("d", 40),
                Map.entry("e", "between"), Map.entry("z", List.of(1, 2)));
        assertThat(row.columns()).containsExactly(Map.entry("b", 2), Map.entry("d", 4), Map.entry("f", 6));
    }

    @Test
    void removingEveryColumnLeavesAnEmptyRow() {
        Map<String, Object> none = new HashMap<>();
        none.put("x", null);
        none.put("y", null);

        Row empty = new Row("r", Map.of("x", 1, "y", 2)).with(none);

        assertThat(empty.columns()).isEmpty();
        assertThat(empty).isEqualTo(new Row("r", Map.of()));
        assertThat(empty.with("x", 3).columns()).containsExactly(Map.entry("x", 3));
    }

    @Test
    void settingColumnsAtOnceGivesTheRowOfSettingThemOneByOne() {
        Random random = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            Map<String, Object> start = new HashMap<>();
            for (int i = random.nextInt(8); i > 0; i--) {
                start.put("c" + random.nextInt(12), random.nextInt(100));
            }
            Map<String, Object> set = new LinkedHashMap<>();
            for (int i = random.nextInt(6); i > 0; i--) {
                set.put("c" + random.nextInt(12), random.nextInt(4) == 0 ? null : "v" + random.nextInt(100));
            }
            Row row = new Row("id" + round, start);
            Row oneByOne = row;
            for (Map.Entry<String, Object> entry : set.entrySet()) {
                oneByOne = oneByOne.with(entry.getKey(), entry.getValue());
            }

            Row atOnce = row.with(set);

            assertThat(atOnce).isEqualTo(oneByOne);
            assertThat(List.copyOf(atOnce.columns().entrySet())).isEqualTo(List.copyOf(oneByOne.columns().entrySet()));
        }
    }

    @Test
    void aColumnIsFoundByNameWhereverItSortsAndAnAbsentOneIsNot() {
        Map<String, Object> values = new HashMap<>();
        List<String> names = List.of("", "A", "Z", "_kiln", "a", "a_b", "ab", "b", "Zürich", "z", "zz");
        for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), i);
        }
        Row row = new Row("r", values);
        for (int i = 0; i < names.size(); i++) {
            assertThat(row.value(names.get(i))).as(names.get(i)).contains(i);
            assertThat(row.columns().get(names.get(i))).isEqualTo(i);
            assertThat(row.with(names.get(i), "x").value(names.get(i))).contains("x");
        }
        for (String absent : List.of(" ", "0", "AA", "_", "a_", "aa", "c", "zzz", "\uffff")) {
            assertThat(row.value(absent)).as(absent).isEmpty();
            assertThat(row.columns().get(absent)).isNull();
            Row added = row.with(absent, "new");
            assertThat(added.value(absent)).contains("new");
            assertThat(List.copyOf(added.columns().keySet())).isSorted().hasSize(names.size() + 1);
        }
        assertThat(new Row("empty", Map.of()).value("a")).isEmpty();
    }

    @Test
    void rowsOfALayoutAndRowsMadeFromThemByAddingAColumnShareTheirNames() {
        Row.Layout layout = new Row.Layout(List.of("b", "a", "c"));
        Row first = layout.row("1", new Object[] {1, 2, null});
        Row second = layout.row("2", new Object[] {3, 4, 5});
        assertThat(second.names()).isSameAs(first.names());
        assertThat(first.names().size()).isEqualTo(3);
        assertThat(List.of(first.names().name(0), first.names().name(1), first.names().name(2))).containsExactly("a", "b", "c");
        assertThat(first.valueAt(0)).isEqualTo(2);
        assertThat(first.valueAt(2)).isNull();

        Row firstMore = first.with("ab", "x");
        Row secondMore = second.with("ab", "y");
        assertThat(secondMore.names()).isSameAs(firstMore.names());
        assertThat(firstMore.names().name(1)).isEqualTo("ab");
        assertThat(firstMore.columns()).containsExactly(Map.entry("a", 2), Map.entry("ab", "x"), Map.entry("b", 1));
        assertThat(secondMore.columns()).containsExactly(Map.entry("a", 4), Map.entry("ab", "y"), Map.entry("b", 3), Map.entry("c", 5));

        // another column added to the same names: other names, and the rows are as before
        Row other = first.with("z", 9);
        assertThat(other.names()).isNotSameAs(firstMore.names());
        assertThat(other.columns()).containsExactly(Map.entry("a", 2), Map.entry("b", 1), Map.entry("z", 9));
        assertThat(second.with("ab", "w").columns()).containsExactly(Map.entry("a", 4), Map.entry("ab", "w"), Map.entry("b", 3), Map.entry("c", 5));
        // replacing a value keeps the names
        assertThat(firstMore.with("a", 7).names()).isSameAs(firstMore.names());
        // columns set at once share their names as those set one by one do
        Map<String, Object> firstSet = new LinkedHashMap<>();
        firstSet.put("ab", "x");
        firstSet.put("zz", 1);
        Map<String, Object> secondSet = new LinkedHashMap<>();
        secondSet.put("ab", "y");
        secondSet.put("zz", 2);
        assertThat(second.with(secondSet).names()).isSameAs(first.with(firstSet).names());
        assertThat(second.with(secondSet).columns()).containsExactly(Map.entry("a", 4), Map.entry("ab", "y"), Map.entry("b", 3), Map.entry("c", 5),
                Map.entry("zz", 2));
    }
}
