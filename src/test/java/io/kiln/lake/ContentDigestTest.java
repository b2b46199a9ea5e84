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

    /** Format 3's typed encoding, byte for byte as documented on {@link ContentDigest#appendValue}: a reader can compute it from the table. */
    @Test
    void formatThreeEncodesEachValueByItsTypeAsDocumented() throws Exception {
        byte[] image = new byte[10_000];
        new java.util.Random(3).nextBytes(image);
        java.util.Map<String, Object> struct = new java.util.LinkedHashMap<>();
        struct.put("source", "wéb");
        struct.put("rank", null);
        struct.put("at", java.time.LocalDate.of(1815, 12, 10));
        java.nio.ByteBuffer small = java.nio.ByteBuffer.wrap("Kiln".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        java.nio.ByteBuffer large = java.nio.ByteBuffer.wrap(image).asReadOnlyBuffer();
        ContentDigest digest = new ContentDigest();
        digest.beginRow();
        digest.append(ContentDigest.Field.hashOf("file:///in.jsonl", "ab", "recipe"));
        for (Object value : java.util.Arrays.asList("name", 36, 9007199254740993L, 0.1, 0.5f, true, new java.math.BigDecimal("-12.50"),
                new java.math.BigDecimal("123456789012345678901234.5"), java.time.LocalDate.of(1815, 12, 10),
                java.time.Instant.parse("2024-03-01T12:30:45.123456Z"), small, large, new float[] {1.5f, -0f}, java.util.Arrays.asList(1.5, null), struct)) {
            digest.appendValue(value);
        }
        digest.endRow();
        org.assertj.core.api.Assertions.assertThat(small.position()).isZero();
        org.assertj.core.api.Assertions.assertThat(large.remaining()).isEqualTo(image.length);

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        java.security.MessageDigest inputs = java.security.MessageDigest.getInstance("SHA-256");
        java.io.ByteArrayOutputStream inputFields = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream fields = new java.io.DataOutputStream(inputFields);
        for (String field : new String[] {"file:///in.jsonl", "ab", "recipe"}) {
            text(fields, field);
        }
        out.write(inputs.digest(inputFields.toByteArray()));
        text(out, "name");
        out.writeByte(2);
        out.writeLong(36);
        out.writeByte(2);
        out.writeLong(9007199254740993L);
        out.writeByte(3);
        out.writeLong(Double.doubleToLongBits(0.1));
        out.writeByte(4);
        out.writeInt(Float.floatToIntBits(0.5f));
        out.writeByte(5);
        out.writeByte(1);
        out.writeByte(6);
        out.writeInt(2);
        out.writeLong(-1250);
        byte[] unscaled = new java.math.BigInteger("1234567890123456789012345").toByteArray();
        out.writeByte(7);
        out.writeInt(1);
        out.writeInt(unscaled.length);
        out.write(unscaled);
        out.writeByte(8);
        out.writeLong(java.time.LocalDate.of(1815, 12, 10).toEpochDay());
        out.writeByte(9);
        out.writeLong(java.time.Instant.parse("2024-03-01T12:30:45Z").getEpochSecond());
        out.writeInt(123_456_000);
        out.writeByte(10);
        out.writeInt(4);
        out.write("Kiln".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeByte(10);
        out.writeInt(image.length);
        out.write(image);
        out.writeByte(11);
        out.writeInt(2);
        out.writeByte(4);
        out.writeInt(Float.floatToIntBits(1.5f));
        out.writeByte(4);
        out.writeInt(Float.floatToIntBits(-0f));
        out.writeByte(11);
        out.writeInt(2);
        out.writeByte(3);
        out.writeLong(Double.doubleToLongBits(1.5));
        out.writeByte(0);
        out.writeByte(12);
        out.writeInt(2);
        text(out, "source");
        text(out, "wéb");
        text(out, "at");
        out.writeByte(8);
        out.writeLong(java.time.LocalDate.of(1815, 12, 10).toEpochDay());
        byte[] rowHash = java.security.MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
        java.security.MessageDigest finish = java.security.MessageDigest.getInstance("SHA-256");
        finish.update(java.nio.ByteBuffer.allocate(8).putLong(1).array());
        finish.update(rowHash);
        org.assertj.core.api.Assertions.assertThat(digest.value()).isEqualTo(java.util.HexFormat.of().formatHex(finish.digest()));
    }

    @Test
    void formatThreeTellsTypesApartButNotIntsFromLongsNorVectorsFromListsOfFloats() {
        org.assertj.core.api.Assertions.assertThat(valueDigest(7)).isEqualTo(valueDigest(7L)).isNotEqualTo(valueDigest("7")).isNotEqualTo(valueDigest(7.0));
        org.assertj.core.api.Assertions.assertThat(valueDigest(new float[] {1f, 2f})).isEqualTo(valueDigest(java.util.List.of(1f, 2f)));
        org.assertj.core.api.Assertions.assertThat(valueDigest(new java.math.BigDecimal("1.0"))).isNotEqualTo(valueDigest(new java.math.BigDecimal("1.00")));
        org.assertj.core.api.Assertions.assertThat(valueDigest(1.5f)).isNotEqualTo(valueDigest(1.5));
        org.assertj.core.api.Assertions.assertThat(valueDigest(java.util.List.of("a", "b"))).isNotEqualTo(valueDigest(java.util.List.of("ab")));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> valueDigest(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A row value of type Object has no content digest encoding");
    }

    @Test
    void aRowAfterALargeBinaryStartsFromNothing() {
        ContentDigest twice = new ContentDigest();
        twice.beginRow();
        twice.appendValue(java.nio.ByteBuffer.allocate(50_000));
        twice.beginRow();
        twice.append("x");
        twice.endRow();
        ContentDigest once = new ContentDigest();
        once.add("x");
        org.assertj.core.api.Assertions.assertThat(twice.value()).isEqualTo(once.value());
    }

    private static String valueDigest(Object value) {
        ContentDigest digest = new ContentDigest();
        digest.beginRow();
        digest.appendValue(value);
        digest.endRow();
        return digest.value();
    }

    private static void text(java.io.DataOutputStream out, String text) throws java.io.IOException {
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeByte(1);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
