import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.kiln.lake.ContentDigest;
import io.kiln.transform.Row;
import io.kiln.transform.Values;

/**
 * The content digest of 1,000,000 rows shaped like issue 13's flights job writes them ({@code flights}, the default) or
 * like issue 12's typed ingest ({@code typed}: the second argument), in format 2 (every value as its canonical text, the
 * lineage per row) and in format 3 (values encoded by type, the input's constants hashed once): nanoseconds per row of
 * each, and 3 / 2, in every round; then the medians. Run by bench/digest-formats.sh. Each side is the same sequence of
 * appends as BatchWriter's digest and digestTyped (strings appended as text; BatchWriter takes the bytes the table
 * takes, which costs the same).
 */
public class DigestFormats {
    private static final int ROWS = 1_000_000;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Random random = new Random(1);
        String[] airports = new String[229];
        for (int i = 0; i < airports.length; i++) {
            airports[i] = "" + (char) ('A' + i % 26) + (char) ('A' + i / 26 % 26) + (char) ('A' + i / 7 % 26);
        }
        boolean typed = args.length > 1 && args[1].equals("typed");
        Row[] rows = new Row[ROWS];
        String[] positions = new String[ROWS];
        for (int i = 0; i < ROWS; i++) {
            rows[i] = typed ? typedRow(random, i) : flightsRow(random, airports, i);
            positions[i] = (typed ? "line:" : "row:") + i;
        }
        String uri = "file:///data/flights-3m.parquet";
        String sha256 = "dbeb920c90f59b6ccaff823dcc3d08f25a97fa1ce128d93f40be4e931f5900b0";
        String recipe = "5f1c0e2b7d0a4c3e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c";
        List<Double> two = new ArrayList<>();
        List<Double> three = new ArrayList<>();
        System.out.println("round\tformat 2 ns/row\tformat 3 ns/row\t3 / 2");
        for (int round = 1; round <= rounds; round++) {
            long start = System.nanoTime();
            ContentDigest textDigest = new ContentDigest();
            ContentDigest.Field uriField = ContentDigest.Field.of(uri);
            ContentDigest.Field sha256Field = ContentDigest.Field.of(sha256);
            ContentDigest.Field recipeField = ContentDigest.Field.of(recipe);
            for (int i = 0; i < ROWS; i++) {
                formatTwo(textDigest, rows[i], uriField, sha256Field, positions[i], recipeField);
            }
            long middle = System.nanoTime();
            ContentDigest typedDigest = new ContentDigest();
            ContentDigest.Field input = ContentDigest.Field.hashOf(uri, sha256, recipe);
            for (int i = 0; i < ROWS; i++) {
                formatThree(typedDigest, rows[i], input, positions[i]);
            }
            long end = System.nanoTime();
            if (textDigest.rows() != ROWS || typedDigest.rows() != ROWS) {
                throw new IllegalStateException("rows missing from a digest");
            }
            double nsTwo = (middle - start) / (double) ROWS;
            double nsThree = (end - middle) / (double) ROWS;
            two.add(nsTwo);
            three.add(nsThree);
            System.out.printf("%d\t%.0f\t%.0f\t%.2f%n", round, nsTwo, nsThree, nsThree / nsTwo);
        }
        double medianTwo = median(two);
        double medianThree = median(three);
        System.out.printf("median\t%.0f\t%.0f\t%.2f%n", medianTwo, medianThree, medianThree / medianTwo);
    }

    /** A row of issue 13's flights job: a timestamp, two ints, two airports, an imputed double, a one-hot struct, a scaled double. */
    private static Row flightsRow(Random random, String[] airports, int i) {
        Map<String, Object> columns = new HashMap<>();
        columns.put("date", Instant.ofEpochSecond(1_104_537_600L + random.nextInt(31_536_000) / 60 * 60));
        int delay = random.nextInt(200) - 20;
        int distance = 100 + random.nextInt(3000);
        int origin = random.nextInt(airports.length);
        columns.put("delay", delay);
        columns.put("distance", distance);
        columns.put("origin", airports[origin]);
        columns.put("destination", airports[random.nextInt(airports.length)]);
        columns.put("delay_imputed", (double) delay);
        Map<String, Object> vector = new LinkedHashMap<>();
        vector.put("size", airports.length);
        vector.put("indices", List.of(origin));
        columns.put("origin_onehot", vector);
        columns.put("distance_scaled", (distance - 731.6204026666667) / 574.6676210594748);
        return new Row("0123456789abcdef:" + i, columns);
    }

    /** A row of issue 12's typed ingest (bench/GenerateTyped.java's 20 columns: counters, doubles, a float, a decimal, booleans, dates, timestamps, categories, a review). */
    private static Row typedRow(Random random, int i) {
        Map<String, Object> columns = new HashMap<>();
        columns.put("user_id", (long) random.nextInt(10_000_000));
        columns.put("item_id", (long) random.nextInt(10_000_000));
        columns.put("session_id", random.nextLong() & 0xFFFF_FFFF_FFFFL);
        columns.put("position", random.nextInt(50));
        columns.put("clicks", random.nextInt(3));
        columns.put("dwell_ms", (long) random.nextInt(100_000));
        columns.put("age", random.nextInt(5) == 0 ? null : 18 + random.nextInt(60));
        columns.put("score", random.nextInt(1_000_000_000) / 1e9);
        columns.put("ctr_7d", random.nextInt(1_000_000) / 1e6);
        columns.put("embedding_norm", random.nextInt(100_000) / 1e4f);
        columns.put("price", random.nextInt(5) == 0 ? null : java.math.BigDecimal.valueOf(random.nextInt(1_000_000), 2));
        columns.put("is_click", random.nextBoolean());
        columns.put("is_premium", random.nextBoolean());
        columns.put("event_date", java.time.LocalDate.ofEpochDay(19_000 + random.nextInt(1000)));
        columns.put("signup_date", java.time.LocalDate.ofEpochDay(16_000 + random.nextInt(3000)));
        columns.put("event_ts", Instant.ofEpochMilli(1_700_000_000_000L + random.nextInt(1_000_000_000)));
        columns.put("last_seen_ts", Instant.ofEpochMilli(1_690_000_000_000L + random.nextInt(1_000_000_000)));
        columns.put("country", List.of("DE", "FR", "US", "JP", "BR").get(random.nextInt(5)));
        columns.put("device", List.of("android", "ios", "web").get(random.nextInt(3)));
        columns.put("review", "One had wi-fi fast last problem after email! " + Integer.toString(random.nextInt(1_000_000), 36));
        return new Row(Long.toHexString(random.nextLong()), columns);
    }

    private static void formatTwo(ContentDigest digest, Row row, ContentDigest.Field uri, ContentDigest.Field sha256, String position, ContentDigest.Field recipe) {
        digest.beginRow();
        digest.append(row.id());
        digest.append((String) null);
        digest.append(uri);
        digest.append(sha256);
        digest.append(position);
        digest.append(recipe);
        for (Map.Entry<String, Object> column : row.columns().entrySet()) {
            digest.append(column.getKey());
            Object value = column.getValue();
            if (value instanceof Integer || value instanceof Long) {
                digest.append(((Number) value).longValue());
            }
            else {
                digest.append(Values.digestText(value));
            }
        }
        digest.endRow();
    }

    private static void formatThree(ContentDigest digest, Row row, ContentDigest.Field input, String position) {
        digest.beginRow();
        digest.append(input);
        digest.append(row.id());
        digest.append(position);
        for (Map.Entry<String, Object> column : row.columns().entrySet()) {
            digest.append(column.getKey());
            digest.appendValue(column.getValue());
        }
        digest.endRow();
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
