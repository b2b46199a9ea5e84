package io.kiln.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ValuesTest {
    @Test
    void anInstantsCanonicalTextIsItsIsoText() {
        Random random = new Random(5);
        for (int i = 0; i < 50_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-70_000_000_000L, 260_000_000_000L),
                    i % 3 == 0 ? 0 : i % 3 == 1 ? random.nextInt(1_000_000) * 1_000 : random.nextInt(1_000_000_000));
            assertThat(Values.digestText(instant)).isEqualTo(instant.toString());
        }
        assertThat(Values.digestText(Instant.parse("+10000-01-01T00:00:00Z"))).isEqualTo("+10000-01-01T00:00:00Z");
    }

    @Test
    void aDecimalsCanonicalTextIsItsPlainText() {
        Random random = new Random(3);
        for (int i = 0; i < 50_000; i++) {
            BigDecimal decimal = BigDecimal.valueOf(random.nextLong() >> random.nextInt(63), random.nextInt(-3, 22));
            assertThat(Values.digestText(decimal)).isEqualTo(decimal.toPlainString());
        }
        assertThat(Values.digestText(new BigDecimal("-0.05"))).isEqualTo("-0.05");
        assertThat(Values.digestText(new BigDecimal("123456789012345678901234567890.12"))).isEqualTo("123456789012345678901234567890.12");
    }

    @Test
    void digestTextsOfEachType() {
        assertThat(Values.digestText(List.of(1, 2, 30))).isEqualTo("1,2,30,");
        assertThat(Values.digestText(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(Values.digestText(LocalDate.of(2024, 3, 1))).isEqualTo("2024-03-01");
        assertThat(Values.digestText(ByteBuffer.wrap(new byte[] {'K', 'i', 'l', 'n'}))).isEqualTo("S2lsbg==");
        assertThat(Values.digestText(Arrays.asList("a,b", null))).isEqualTo("[\"a,b\",null]");
        Map<String, Object> struct = new LinkedHashMap<>();
        struct.put("b", 1.5);
        struct.put("a", null);
        assertThat(Values.digestText(struct)).isEqualTo("{\"b\":1.5,\"a\":null}");
        assertThat(Values.digestText(new float[] {1f})).isEqualTo("3f800000");
    }

    @Test
    void doublesAndFloatsAreTheShortestTextOnEveryJava() {
        // the texts Temurin 25's Double.toString / Float.toString give; Java 17's differ (in the comments)
        assertThat(Values.digestText(2.0E23)).isEqualTo("2.0E23"); // 1.9999999999999998E23
        assertThat(Values.digestText(Double.longBitsToDouble(0x43965f3cb98819bbL))).isEqualTo("4.030184897929827E17"); // 4.0301848979298272E17
        assertThat(Values.digestText(2.72775885E9f)).isEqualTo("2.7277588E9"); // 2.72775885E9
        assertThat(Values.digestText(-1.25450014E16f)).isEqualTo("-1.2545001E16"); // -1.25450014E16
        // the texts both give
        assertThat(Values.digestText(4.9E-324)).isEqualTo("4.9E-324");
        assertThat(Values.digestText(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(Values.digestText(1234.5)).isEqualTo("1234.5");
        assertThat(Values.digestText(1.0E7)).isEqualTo("1.0E7");
        assertThat(Values.digestText(-0.0)).isEqualTo("-0.0");
        assertThat(Values.digestText(Double.NaN)).isEqualTo("NaN");
        assertThat(Values.digestText(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(Values.digestText(0.1f)).isEqualTo("0.1");
        assertThat(Values.digestText(Float.POSITIVE_INFINITY)).isEqualTo("Infinity");
        // and every double or float reads back as itself
        Random random = new Random(11);
        for (int i = 0; i < 100_000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            assertThat(Double.valueOf(Values.numberText(value))).isEqualTo(Double.valueOf(value)); // Double.equals: NaN is NaN
            float single = Float.intBitsToFloat(random.nextInt());
            assertThat(Float.valueOf(Values.numberText(single))).isEqualTo(Float.valueOf(single));
        }
        // the same texts inside structs and lists
        assertThat(Values.json(List.of(2.0E23, 2.72775885E9f, Double.NaN))).isEqualTo("[2.0E23,2.7277588E9,\"NaN\"]");
    }

    @Test
    void theJsonOfSimpleValuesIsJacksonsText() {
        Random random = new Random(9);
        String[] texts = {"", "ORD", "a b-c_d.e/f", "caf\u00e9", "say \"hi\"", "back\\slash", "tab\tin", "\u0001", "~}{", "line\nbreak", "\u2028"};
        for (int i = 0; i < 20_000; i++) {
            Object value = randomValue(random, texts, 0);
            assertThat(Values.json(value)).as("%s", value).isEqualTo(Values.jacksonJson(value));
        }
        Map<String, Object> sparse = new LinkedHashMap<>();
        sparse.put("size", 229);
        sparse.put("indices", List.of(5));
        assertThat(Values.json(sparse)).isEqualTo("{\"size\":229,\"indices\":[5]}");
        assertThat(Values.json(List.of())).isEqualTo("[]");
    }

    private static Object randomValue(Random random, String[] texts, int depth) {
        int kind = random.nextInt(depth > 2 ? 7 : 9);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextInt();
            case 2 -> random.nextLong();
            case 3 -> random.nextBoolean();
            case 4 -> texts[random.nextInt(texts.length)];
            case 5 -> random.nextDouble() * 1000;
            case 6 -> BigDecimal.valueOf(random.nextInt(100_000), 2);
            case 7 -> {
                java.util.List<Object> list = new java.util.ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(randomValue(random, texts, depth + 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(texts[random.nextInt(texts.length)] + i, randomValue(random, texts, depth + 1));
                }
                yield map;
            }
        };
    }
}
