package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.junit.jupiter.api.Test;

import io.kiln.lake.ContentDigest;
import io.kiln.lake.IcebergTypes;
import io.kiln.lake.LakeWriter;
import io.kiln.lake.TableLayout;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;
import io.kiln.transform.Values;

/**
 * A row's digest from the bytes the table takes (strings encoded once by {@link LakeWriter#prepare},
 * decimals appended without their text) is the digest of each value's canonical text, as rows were
 * always digested: the content digests of published snapshots do not change.
 */
class RowDigestTest {
    private final ContentDigest.Field uri = ContentDigest.Field.of("file:///data/in.jsonl");
    private final ContentDigest.Field sha256 = ContentDigest.Field.of("0".repeat(64));
    private final ContentDigest.Field recipe = ContentDigest.Field.of("recipe");

    /** A writer for a new table {@code d.<name>} of these columns (and its rejects table). */
    private static LakeWriter writer(InMemoryCatalog catalog, String name, List<Column> columns) {
        Table table = catalog.createTable(TableIdentifier.of("d", name), IcebergTypes.schema(columns), PartitionSpec.unpartitioned(), TableLayout.properties(1L << 20));
        Table rejects = catalog.createTable(TableIdentifier.of("d", name + TableLayout.REJECTS_SUFFIX), TableLayout.REJECTS, PartitionSpec.unpartitioned(),
                TableLayout.properties(1L << 20));
        return new LakeWriter(table, rejects, "job", "recipe", 1L << 20);
    }
    @Test
    void aRowDigestsTheSameFromItsPreparedValuesAsFromItsCanonicalText() throws Exception {
        try (InMemoryCatalog catalog = new InMemoryCatalog()) {
            catalog.initialize("digest", Map.of());
            catalog.createNamespace(Namespace.of("d"));
            List<Column> columns = TableLayout.columns(List.of(new Column(Row.TEXT, DataType.STRING, false, "text"),
                    Column.string("review", "free text"), Column.string("country", "a category"), Column.optional("price", new DataType.Decimal(12, 2), "money"),
                    Column.optional("score", DataType.DOUBLE, "a double"), Column.optional("clicks", DataType.LONG, "a count"),
                    Column.optional("day", DataType.DATE, "a date"), Column.optional("at", DataType.TIMESTAMP, "a time"), Column.intList("tokens", "ids")), List.of());
            LakeWriter writer = writer(catalog, "rows", columns);

            Random random = new Random(7);
            List<String> texts = List.of("plain ascii", "café crème", "日本語のテキスト", "emoji 🙂 and \u00a0 space", "", "tab\tand\nnewline", "lone \ud800 surrogate");
            ContentDigest prepared = new ContentDigest();
            ContentDigest canonical = new ContentDigest();
            for (int i = 0; i < 2000; i++) {
                Row row = Row.text("row-" + i, texts.get(random.nextInt(texts.size())) + i)
                        .with("review", random.nextInt(5) == 0 ? null : texts.get(random.nextInt(texts.size())))
                        .with("country", List.of("FR", "JP", "DE").get(random.nextInt(3)))
                        .with("price", random.nextInt(4) == 0 ? null : BigDecimal.valueOf(random.nextLong() % 10_000_000_000L, 2))
                        .with("score", random.nextGaussian())
                        .with("clicks", (long) random.nextInt(1000))
                        .with("day", LocalDate.ofEpochDay(random.nextInt(30_000)))
                        .with("at", Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000) * 1000L))
                        .with("tokens", List.of(random.nextInt(50_000), random.nextInt(50_000)));
                BatchWriter.digest(prepared, row, writer.prepare(row), uri, sha256, "line:" + i, recipe, Values::digestText);
                canonical(canonical, row, "line:" + i);
            }
            assertThat(prepared.rows()).isEqualTo(2000);
            assertThat(prepared.value()).isEqualTo(canonical.value());
        }
    }

    @Test
    void formatOneDigestsDoublesAndFloatsAsTheRunningJavaPrintsThem() throws Exception {
        try (InMemoryCatalog catalog = new InMemoryCatalog()) {
            catalog.initialize("digest", Map.of());
            catalog.createNamespace(Namespace.of("d"));
            List<Column> columns = TableLayout.columns(List.of(Column.optional("amount", DataType.FLOAT, "a float"),
                    Column.optional("ratio", DataType.DOUBLE, "a double"), Column.optional("weights", new DataType.ListOf(DataType.DOUBLE), "doubles")), List.of());
            LakeWriter writer = writer(catalog, "numbers", columns);
            // values whose text Java 17 gives with a digit too many (2.72775885E9, 1.9999999999999998E23)
            Row row = new Row("r", Map.of("amount", 2.72775885E9f, "ratio", 2.0E23, "weights", List.of(2.0E23, 0.5)));
            ContentDigest formatOne = new ContentDigest();
            ContentDigest formatTwo = new ContentDigest();
            BatchWriter.digest(formatOne, row, writer.prepare(row), uri, sha256, "line:1", recipe, Values::digestTextFormat1);
            BatchWriter.digest(formatTwo, row, writer.prepare(row), uri, sha256, "line:1", recipe, Values::digestText);
            ContentDigest javaTexts = new ContentDigest();
            javaTexts.add("r", null, "file:///data/in.jsonl", "0".repeat(64), "line:1", "recipe", "amount", Float.toString(2.72775885E9f), "ratio",
                    Double.toString(2.0E23), "weights", "[" + Double.toString(2.0E23) + ",0.5]");
            ContentDigest shortestTexts = new ContentDigest();
            shortestTexts.add("r", null, "file:///data/in.jsonl", "0".repeat(64), "line:1", "recipe", "amount", "2.7277588E9", "ratio", "2.0E23", "weights",
                    "[2.0E23,0.5]");
            assertThat(formatOne.value()).isEqualTo(javaTexts.value());
            assertThat(formatTwo.value()).isEqualTo(shortestTexts.value());
            assertThat(formatOne.value().equals(formatTwo.value())).isEqualTo(Float.toString(2.72775885E9f).equals("2.7277588E9"));
        }
    }

    @Test
    void formatThreeDigestsARowFromItsPreparedValuesAsFromItsValues() throws Exception {
        try (InMemoryCatalog catalog = new InMemoryCatalog()) {
            catalog.initialize("digest", Map.of());
            catalog.createNamespace(Namespace.of("d"));
            List<Column> columns = TableLayout.columns(List.of(Column.string("review", "free text"), Column.string("country", "a category"),
                    Column.optional("score", DataType.DOUBLE, "a double"), Column.optional("at", DataType.TIMESTAMP, "a time")), List.of());
            LakeWriter writer = writer(catalog, "typed", columns);
            ContentDigest.Field input = ContentDigest.Field.hashOf("file:///data/in.jsonl", "0".repeat(64), "recipe");
            List<String> texts = List.of("plain ascii", "café crème", "日本語のテキスト", "emoji 🙂", "", "lone \ud800 surrogate");
            Random random = new Random(11);
            ContentDigest prepared = new ContentDigest();
            ContentDigest values = new ContentDigest();
            for (int i = 0; i < 1000; i++) {
                Row row = new Row("row-" + i, Map.of("review", texts.get(random.nextInt(texts.size())), "country", List.of("FR", "JP").get(random.nextInt(2)),
                        "score", random.nextGaussian(), "at", Instant.ofEpochSecond(random.nextInt(2_000_000_000))));
                BatchWriter.digestTyped(prepared, row, writer.prepare(row), input, "line:" + i);
                byValues(values, row, input, "line:" + i);
            }
            assertThat(prepared.value()).isEqualTo(values.value());

            // rows of one layout, a column added by a step and one the table lacks: they share their names, and the
            // names' encodings and the prepared values' places are worked out once for them
            Row.Layout layout = new Row.Layout(List.of("review", "country", "score", "at"));
            ContentDigest shared = new ContentDigest();
            ContentDigest expected = new ContentDigest();
            Row.Names names = null;
            for (int i = 0; i < 1000; i++) {
                Row read = layout.row("row-" + i, new Object[] {texts.get(random.nextInt(texts.size())), random.nextBoolean() ? "FR" : null,
                        random.nextInt(3) == 0 ? null : random.nextGaussian(), Instant.ofEpochSecond(random.nextInt(2_000_000_000))});
                Row row = read.with("a_not_in_table", "x" + i).with("review", i % 7 == 0 ? null : read.string("review").orElse(null));
                if (i > 0) {
                    assertThat(row.names()).as("rows of a layout with the same column added share their names").isSameAs(names);
                }
                names = row.names();
                BatchWriter.digestTyped(shared, row, writer.prepare(row), input, "line:" + i);
                byValues(expected, row, input, "line:" + i);
            }
            assertThat(shared.value()).isEqualTo(expected.value());
        }
    }

    /** A row in format 3 from its values alone: its input, id and position, then each column with a value by name. */
    private static void byValues(ContentDigest digest, Row row, ContentDigest.Field input, String position) {
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

    /** The row as its canonical texts: how every row was digested before values were prepared. */
    private static void canonical(ContentDigest digest, Row row, String position) {
        digest.beginRow();
        digest.append(row.id());
        Object text = row.columns().get(Row.TEXT);
        digest.append(text == null ? null : Values.digestText(text));
        digest.append("file:///data/in.jsonl");
        digest.append("0".repeat(64));
        digest.append(position);
        digest.append("recipe");
        for (Map.Entry<String, Object> column : row.columns().entrySet()) {
            if (!column.getKey().equals(Row.TEXT)) {
                digest.append(column.getKey());
                digest.append(Values.digestText(column.getValue()));
            }
        }
        digest.endRow();
    }
}
