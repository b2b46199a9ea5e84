package io.kiln.lake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentDigestTest {
    @Test
    void aDecimalAppendedPlainIsItsPlainText() {
        java.util.Random random = new java.util.Random(42);
        java.util.List<java.math.BigDecimal> decimals = new java.util.ArrayList<>(java.util.List.of(new java.math.BigDecimal("0.00"), new java.math.BigDecimal("-0.005"),
                new java.math.BigDecimal("100.00"), new java.math.BigDecimal("12"), new java.math.BigDecimal("-123.45"), new java.math.BigDecimal("0.123456789012345678"),
                new java.math.BigDecimal("999999999999999999"), new java.math.BigDecimal("-999999999999999999"), new java.math.BigDecimal("1E+3"),
                new java.math.BigDecimal("12345678901234567890.5"), new java.math.BigDecimal("1.0000000000000000001")));
        for (int i = 0; i < 20_000; i++) {
            decimals.add(java.math.BigDecimal.valueOf(random.nextLong() >> random.nextInt(64), random.nextInt(20) - 1));
        }
        for (java.math.BigDecimal decimal : decimals) {
            ContentDigest plain = new ContentDigest();
            plain.beginRow();
            if (!plain.appendPlain(decimal)) {
                assertThat(decimal.scale() < 0 || decimal.scale() > 18 || decimal.precision() > 18).as("%s", decimal).isTrue();
                plain.append(decimal.toPlainString());
            }
            plain.endRow();
            ContentDigest text = new ContentDigest();
            text.beginRow();
            text.append(decimal.toPlainString());
            text.endRow();
            assertThat(plain.value()).as("%s", decimal).isEqualTo(text.value());
        }
    }

    @Test
    void doesNotDependOnOrderOrOnHowRowsAreSplit() {
        ContentDigest inOrder = new ContentDigest();
        inOrder.add("1", "a");
        inOrder.add("2", "b");
        inOrder.add("3", "c");

        ContentDigest first = new ContentDigest();
        first.add("3", "c");
        ContentDigest second = new ContentDigest();
        second.add("2", "b");
        second.add("1", "a");
        first.merge(second);

        assertThat(first.value()).isEqualTo(inOrder.value());
        assertThat(first.rows()).isEqualTo(3);
    }

    @Test
    void changesWithADuplicateRowOrAChangedField() {
        ContentDigest once = new ContentDigest();
        once.add("1", "a");
        ContentDigest twice = new ContentDigest();
        twice.add("1", "a");
        twice.add("1", "a");
        ContentDigest shifted = new ContentDigest();
        shifted.add("1a", "");
        ContentDigest withNull = new ContentDigest();
        withNull.add("1", null);

        assertThat(twice.value()).isNotEqualTo(once.value());
        assertThat(shifted.value()).isNotEqualTo(once.value());
        assertThat(withNull.value()).isNotEqualTo(once.value());
    }

    @Test
    void carriesAcrossWordsWhenSumsOverflow() {
        ContentDigest sum = new ContentDigest();
        ContentDigest merged = new ContentDigest();
        for (int i = 0; i < 10_000; i++) {
            sum.add(Integer.toString(i));
            ContentDigest single = new ContentDigest();
            single.add(Integer.toString(i));
            merged.merge(single);
        }
        assertThat(merged.value()).isEqualTo(sum.value());
    }

    @Test
    void itsStateRoundTripsAndCombinesLikeTheRowsThemselves() {
        ContentDigest first = new ContentDigest();
        first.add("1", "a");
        ContentDigest second = new ContentDigest();
        second.add("2", "b");
        ContentDigest both = new ContentDigest();
        both.add("1", "a");
        both.add("2", "b");

        ContentDigest restored = ContentDigest.fromState(first.state());
        restored.merge(ContentDigest.fromState(second.state()));

        assertThat(restored.value()).isEqualTo(both.value());
        assertThat(restored.state()).isEqualTo(both.state()).startsWith("2:");
    }

    @Test
    void fieldsEncodedOnceDigestAsTheirText() {
        ContentDigest text = new ContentDigest();
        text.add("a", "file:///x/ünïcode.jsonl", null, "");
        ContentDigest encoded = new ContentDigest();
        encoded.beginRow();
        encoded.append("a");
        encoded.append(ContentDigest.Field.of("file:///x/ünïcode.jsonl"));
        encoded.append((String) null);
        encoded.append(ContentDigest.Field.of(""));
        encoded.endRow();
        org.assertj.core.api.Assertions.assertThat(encoded.value()).isEqualTo(text.value());
    }

    @Test
    void wholeNumbersAppendAsTheirDecimalText() {
        for (long value : new long[] {0, 7, -7, 10, 1234567890123L, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE}) {
            ContentDigest text = new ContentDigest();
            text.add(Long.toString(value), "x");
            ContentDigest number = new ContentDigest();
            number.beginRow();
            number.append(value);
            number.append("x");
            number.endRow();
            org.assertj.core.api.Assertions.assertThat(number.value()).as("%d", value).isEqualTo(text.value());
        }
    }
}
