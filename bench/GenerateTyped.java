import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes the same typed rows as CSV and as JSON lines, for {@code bench/typed-ingest.sh}: an
 * {@code id} (16 hex digits, unique) and 20 columns of an ML-style event log (ids and counters,
 * model scores, a price, flags, dates, timestamps, categories and a free-text review). Rows are
 * added until the CSV holds at least BYTES bytes; the JSON lines file has the same rows (it is
 * larger: it repeats the field names).
 *
 * <pre>java bench/GenerateTyped.java OUT_DIR BYTES [SEED]</pre>
 *
 * Writes into OUT_DIR:
 * <ul>
 * <li>{@code data.csv}: RFC 4180, a header row, comma, UTF-8, LF line ends; a null is an unquoted
 * empty field; a field is quoted only when it holds a comma or a quote (no value holds a line
 * break, so Spark can split the file); every string that is not null is non-empty;</li>
 * <li>{@code data.jsonl}: one object per line with every column (a null is JSON {@code null});
 * numbers as numbers (the decimal too), dates, timestamps and strings as strings;</li>
 * <li>{@code kiln-schema.json}: Kiln's {@code source.schema} for these columns (without {@code id});</li>
 * <li>{@code spark-read.ddl}: Spark's schema string for reading them, {@code id} first;</li>
 * <li>{@code spark-table.ddl}: the same with {@code NOT NULL} on the required columns (the table);</li>
 * <li>{@code manifest.tsv}: rows, seed, target bytes, the byte size of each file.</li>
 * </ul>
 * Text conventions: dates {@code 2024-03-01}; timestamps UTC with milliseconds,
 * {@code 2024-03-01T12:00:00.123Z} (Spark: {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX}); decimals and
 * doubles in plain notation (never an exponent); booleans {@code true}/{@code false}.
 * The output depends only on BYTES and the seed (java.util.SplittableRandom); files are written to
 * {@code *.tmp} and renamed at the end.
 */
public final class GenerateTyped {
    /** One column: its name, Kiln's type, Spark's type, whether it is required. */
    record Col(String name, String kiln, String spark, boolean required) {}

    static final List<Col> COLUMNS = List.of(
            new Col("user_id", "long", "BIGINT", true),
            new Col("item_id", "long", "BIGINT", true),
            new Col("session_id", "long", "BIGINT", false),
            new Col("position", "int", "INT", true),
            new Col("clicks", "int", "INT", false),
            new Col("dwell_ms", "long", "BIGINT", false),
            new Col("age", "int", "INT", false),
            new Col("score", "double", "DOUBLE", true),
            new Col("ctr_7d", "double", "DOUBLE", false),
            new Col("embedding_norm", "float", "FLOAT", true),
            new Col("price", "decimal(12,2)", "DECIMAL(12,2)", false),
            new Col("is_click", "boolean", "BOOLEAN", true),
            new Col("is_premium", "boolean", "BOOLEAN", false),
            new Col("event_date", "date", "DATE", true),
            new Col("signup_date", "date", "DATE", false),
            new Col("event_ts", "timestamp", "TIMESTAMP", true),
            new Col("last_seen_ts", "timestamp", "TIMESTAMP", false),
            new Col("country", "string", "STRING", true),
            new Col("device", "string", "STRING", true),
            new Col("review", "string", "STRING", false));

    private static final String[] COUNTRIES = {
        "US", "US", "US", "US", "GB", "GB", "DE", "DE", "FR", "FR", "IN", "IN", "IN", "BR", "BR", "JP", "CA", "AU", "ES", "IT",
        "MX", "NL", "SE", "PL", "KR", "TR", "ID", "NG", "ZA", "AR", "CH", "NO", "DK", "FI", "IE", "PT", "BE", "AT", "NZ", "SG"};
    private static final String[] DEVICES = {"android", "android", "android", "ios", "ios", "web", "web", "tablet", "tv", "desktop-app"};
    private static final String[] WORDS = (
            "the a an and or but this that it is was be been very really quite not too so just also still "
            + "great good fine nice bad poor awful excellent decent solid cheap pricey fast slow quick late early "
            + "product item order delivery package box seller shop store app update screen battery camera sound "
            + "quality price value size color fit fabric material design feature setting button cable charger "
            + "works worked broke arrived returned refund replaced recommend love like hate expected ordered bought "
            + "would could should will can did does had has have got get use used using tried try again "
            + "after before during within about around over under than then when while because since until "
            + "day days week weeks month months year hour hours minute time first second third last next every "
            + "customer support service team reply response email chat call phone help issue problem bug crash "
            + "easy hard simple clear confusing comfortable heavy light small large big tiny huge perfect "
            + "colour flavour taste smell texture packaging instructions manual setup install battery-life wi-fi "
            + "my our your their his her its we you they i me us them one two three few many some all any").split(" ");
    private static final String[] PUNCT = {".", ".", ".", "!", "?", ",", ",", ",", ";", ":"};
    private static final String[] EXTRAS = {
        "5/5", "10/10", "\"as described\"", "(again)", "- meh", "naïve", "café", "Größe passt", "très bien", "¡genial!",
        "日本語のレビュー", "отлично", "👍", "\"best buy\", honestly", "2-pack", "3.5 stars", "50% off", "#1", "w/o box", "it's"};

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: java bench/GenerateTyped.java OUT_DIR BYTES [SEED]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        long target = Long.parseLong(args[1]);
        long seed = args.length == 3 ? Long.parseLong(args[2]) : 42L;
        if (target < 1) {
            throw new IllegalArgumentException("BYTES must be at least 1, was " + target);
        }
        long started = System.nanoTime();
        Files.createDirectories(dir);
        Path csvTmp = dir.resolve("data.csv.tmp");
        Path jsonlTmp = dir.resolve("data.jsonl.tmp");
        SplittableRandom random = new SplittableRandom(seed);
        long rows = 0;
        long csvBytes;
        long jsonlBytes;
        long nulls = 0;
        try (Out csv = new Out(Files.newOutputStream(csvTmp)); Out jsonl = new Out(Files.newOutputStream(jsonlTmp))) {
            StringBuilder header = new StringBuilder("id");
            for (Col column : COLUMNS) {
                header.append(',').append(column.name());
            }
            csv.line(header);
            String[] values = new String[COLUMNS.size()];
            boolean[] quotedInJson = new boolean[COLUMNS.size()];
            StringBuilder line = new StringBuilder(1024);
            while (csv.bytes < target) {
                rows++;
                String id = hex16(mix(seed * 0x9E3779B97F4A7C15L + rows));
                nulls += row(random, values, quotedInJson);
                line.setLength(0);
                line.append(id);
                for (int i = 0; i < values.length; i++) {
                    line.append(',');
                    if (values[i] != null) {
                        csvField(line, values[i]);
                    }
                }
                csv.line(line);
                line.setLength(0);
                line.append("{\"id\":\"").append(id).append('"');
                for (int i = 0; i < values.length; i++) {
                    line.append(",\"").append(COLUMNS.get(i).name()).append("\":");
                    if (values[i] == null) {
                        line.append("null");
                    }
                    else if (quotedInJson[i]) {
                        jsonString(line, values[i]);
                    }
                    else {
                        line.append(values[i]);
                    }
                }
                line.append('}');
                jsonl.line(line);
            }
            csvBytes = csv.bytes;
            jsonlBytes = jsonl.bytes;
        }
        Files.move(csvTmp, dir.resolve("data.csv"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(jsonlTmp, dir.resolve("data.jsonl"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        StringBuilder kiln = new StringBuilder("[");
        StringBuilder read = new StringBuilder("id STRING");
        StringBuilder table = new StringBuilder("id STRING NOT NULL");
        for (Col column : COLUMNS) {
            if (kiln.length() > 1) {
                kiln.append(", ");
            }
            kiln.append("{\"name\": \"").append(column.name()).append("\", \"type\": \"").append(column.kiln()).append('"');
            if (column.required()) {
                kiln.append(", \"required\": true");
            }
            kiln.append('}');
            read.append(", ").append(column.name()).append(' ').append(column.spark());
            table.append(", ").append(column.name()).append(' ').append(column.spark()).append(column.required() ? " NOT NULL" : "");
        }
        kiln.append(']');
        Files.writeString(dir.resolve("kiln-schema.json"), kiln + "\n");
        Files.writeString(dir.resolve("spark-read.ddl"), read + "\n");
        Files.writeString(dir.resolve("spark-table.ddl"), table + "\n");
        Files.writeString(dir.resolve("manifest.tsv"), "rows\t" + rows + "\nseed\t" + seed + "\ntarget_bytes\t" + target
                + "\ncsv_bytes\t" + csvBytes + "\njsonl_bytes\t" + jsonlBytes + "\n");
        System.err.printf(Locale.ROOT, "generate-typed: %s: %d rows, %d CSV bytes (%.0f per row), %d JSONL bytes, %.1f%% of the optional values null, seed %d, %.1f s%n",
                dir, rows, csvBytes, csvBytes / (double) rows, jsonlBytes,
                100.0 * nulls / (rows * COLUMNS.stream().filter(c -> !c.required()).count()), seed, (System.nanoTime() - started) / 1e9);
        System.out.println("rows=" + rows);
        System.out.println("kiln_schema=" + kiln);
        System.out.println("spark_schema=" + read);
    }

    /** Fills values (text as in the files, null for null) for one row; returns how many are null. */
    static int row(SplittableRandom r, String[] v, boolean[] quoted) {
        int i = 0;
        long user = 1 + (long) Math.floor(Math.pow(r.nextDouble(), 2.5) * 20_000_000L); // skewed: heavy users
        v[i] = Long.toString(user); quoted[i++] = false;
        v[i] = Long.toString(1_000_000L + r.nextLong(5_000_000L)); quoted[i++] = false;
        v[i] = r.nextInt(100) < 3 ? null : Long.toString(r.nextLong(1L << 40, 1L << 48)); quoted[i++] = false;
        v[i] = Integer.toString(r.nextInt(50)); quoted[i++] = false;
        boolean click = r.nextInt(100) < 7;
        v[i] = r.nextInt(100) < 10 ? null : Integer.toString(click ? 1 + r.nextInt(5) : 0); quoted[i++] = false;
        v[i] = r.nextInt(100) < 15 ? null : Long.toString((long) Math.exp(r.nextDouble(4.0, 13.0))); quoted[i++] = false;
        v[i] = r.nextInt(100) < 25 ? null : Integer.toString(16 + r.nextInt(65)); quoted[i++] = false;
        v[i] = fixed(r.nextLong(1, 1_000_000_000L), 9, false); quoted[i++] = false; // (0, 1), 9 digits
        v[i] = r.nextInt(100) < 20 ? null : fixed(r.nextLong(0, 300_000), 6, false); quoted[i++] = false;
        v[i] = fixed(r.nextLong(1_000, 400_000), 4, false); quoted[i++] = false; // 0.1 to 40, fits a float
        v[i] = r.nextInt(100) < 30 ? null : fixed((long) Math.exp(r.nextDouble(4.5, 13.8)), 2, false); quoted[i++] = false; // 0.90 to 9,843.94
        v[i] = Boolean.toString(click); quoted[i++] = false;
        v[i] = r.nextInt(100) < 40 ? null : Boolean.toString(r.nextInt(100) < 12); quoted[i++] = false;
        long eventMillis = LocalDateTime.of(2024, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1000 + r.nextLong(366L * 86_400_000L);
        LocalDate eventDate = LocalDate.ofEpochDay(Math.floorDiv(eventMillis, 86_400_000L));
        v[i] = eventDate.toString(); quoted[i++] = true;
        v[i] = r.nextInt(100) < 5 ? null : eventDate.minusDays(r.nextInt(3_650)).toString(); quoted[i++] = true;
        v[i] = timestamp(eventMillis); quoted[i++] = true;
        v[i] = r.nextInt(100) < 20 ? null : timestamp(eventMillis - r.nextLong(90L * 86_400_000L)); quoted[i++] = true;
        v[i] = COUNTRIES[r.nextInt(COUNTRIES.length)]; quoted[i++] = true;
        v[i] = DEVICES[r.nextInt(DEVICES.length)]; quoted[i++] = true;
        v[i] = r.nextInt(100) < 35 ? null : review(r); quoted[i++] = true;
        int nulls = 0;
        for (String value : v) {
            nulls += value == null ? 1 : 0;
        }
        return nulls;
    }

    /** A review of 3 to about 120 words (log-uniform), with punctuation and now and then a quote, a comma or non-ASCII text. */
    static String review(SplittableRandom r) {
        int words = (int) Math.round(Math.exp(r.nextDouble(Math.log(3), Math.log(120))));
        StringBuilder text = new StringBuilder(words * 7);
        boolean capital = true;
        for (int w = 0; w < words; w++) {
            if (w > 0) {
                text.append(' ');
            }
            String word = r.nextInt(40) == 0 ? EXTRAS[r.nextInt(EXTRAS.length)] : WORDS[r.nextInt(WORDS.length)];
            if (capital) {
                text.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
                capital = false;
            }
            else {
                text.append(word);
            }
            if (r.nextInt(9) == 0 && w < words - 1) {
                String p = PUNCT[r.nextInt(PUNCT.length)];
                text.append(p);
                capital = !p.equals(",") && !p.equals(";") && !p.equals(":");
            }
        }
        text.append(PUNCT[r.nextInt(4)]);
        return text.toString();
    }

    /** A non-negative value / 10^scale in plain notation, e.g. fixed(5, 3) = 0.005. */
    static String fixed(long value, int scale, boolean negative) {
        StringBuilder digits = new StringBuilder(Long.toString(value));
        while (digits.length() <= scale) {
            digits.insert(0, '0');
        }
        digits.insert(digits.length() - scale, '.');
        return negative ? "-" + digits : digits.toString();
    }

    static String timestamp(long epochMillis) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000L), (int) Math.floorMod(epochMillis, 1000L) * 1_000_000, ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1_000_000);
    }

    /** splitmix64's finalizer: a bijection, so distinct row numbers give distinct ids. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static String hex16(long value) {
        String hex = Long.toHexString(value);
        return "0".repeat(16 - hex.length()) + hex;
    }

    static void csvField(StringBuilder line, String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0) {
            line.append(value);
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                line.append('"');
            }
            line.append(c);
        }
        line.append('"');
    }

    static void jsonString(StringBuilder line, String value) {
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            }
            else if (c < 0x20) {
                line.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
            else {
                line.append(c);
            }
        }
        line.append('"');
    }

    /** A buffered UTF-8 line writer that counts bytes. */
    static final class Out implements AutoCloseable {
        private final OutputStream out;
        long bytes;

        Out(OutputStream out) {
            this.out = new BufferedOutputStream(out, 1 << 20);
        }

        void line(CharSequence text) throws IOException {
            byte[] encoded = (text + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(encoded);
            bytes += encoded.length;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
