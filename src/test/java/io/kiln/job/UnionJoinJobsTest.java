package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.lake.TableLayout;

/**
 * Several sources in one job: a union of a CSV and a JSON-lines file under one schema, and joins of
 * the Palmer penguins with a lookup of islands (a CSV with a duplicate and a missing key, or a pinned
 * Kiln table), whose rejects carry their reasons and whose counts reconcile.
 */
class UnionJoinJobsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PENGUINS = Path.of("src/test/resources/fixtures/tabular/penguins.csv").toAbsolutePath();
    private static final String PENGUIN_SOURCE = "{\"uri\": \"file://" + PENGUINS + "\", \"format\": \"csv\", \"id\": {\"from\": \"position\"}, \"csv\": {\"nullValue\": \"NA\"}}";

    @TempDir
    Path temp;
    PipelineHarness harness;
    Path islands;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(temp, PENGUINS.getParent()));
        // Torgersen is missing, Dream is there twice, and no penguin lives on Atlantis
        islands = Files.writeString(temp.resolve("islands.csv"), """
                island,latitude,region
                Biscoe,-65.43,Graham Land
                Dream,-64.73,Anvers
                Dream,-64.70,Anvers
                Atlantis,0.0,Nowhere
                """);
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static JobSpec spec(String json) throws IOException {
        return JSON.readValue(json, JobSpec.class);
    }

    private JobSpec joined(String table, String type, String duplicates, String steps) throws IOException {
        return spec("""
                {"table": "%s", "source": %s,
                 "join": [{"source": {"uri": "file://%s", "format": "csv"}, "on": ["island"], "type": "%s", "duplicates": "%s",
                           "columns": {"latitude": "island_latitude"}}],
                 "steps": %s, "maxRejectedRate": 0.9}
                """.formatted(table, PENGUIN_SOURCE, islands, type, duplicates, steps));
    }

    private static Map<String, Long> islandCounts() throws IOException {
        return Files.readAllLines(PENGUINS).stream().skip(1).map(line -> line.split(",")[1]).collect(Collectors.groupingBy(island -> island, TreeMap::new,
                Collectors.counting()));
    }

    private List<Record> rejects(String table) throws IOException {
        return PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse(table + TableLayout.REJECTS_SUFFIX)));
    }

    @Test
    void anInnerJoinRejectingDuplicatesKeepsOnlyRowsWithOneMatchAndEveryOtherRecordIsARejectWithItsReason() throws IOException {
        Map<String, Long> counts = islandCounts();
        assertThat(counts).containsExactly(Map.entry("Biscoe", 168L), Map.entry("Dream", 124L), Map.entry("Torgersen", 52L));

        IngestPipeline.Result result = harness.run("inner", joined("zoo.inner", "inner", "reject", "[]"), 2, 17);

        // 344 penguins + 4 lookup records read; Biscoe's 168 written, its lookup record merged; the rest are rejects
        assertThat(result.read()).isEqualTo(344 + 4);
        assertThat(result.written()).isEqualTo(168);
        assertThat(result.rejectedByReason()).containsExactly(
                Map.entry("join/duplicate-key", 124L + 2),
                Map.entry("join/unmatched-key", 52L + 1));
        assertThat(result.read()).isEqualTo(result.written() + result.rejected() + 1);
        Table table = harness.catalog.loadTable(TableIdentifier.of("zoo", "inner"));
        Map<String, String> summary = table.currentSnapshot().summary();
        assertThat(summary.get(IngestPipeline.ROWS_MERGED)).isEqualTo("1");
        JsonNode joins = JSON.readTree(summary.get(IngestPipeline.JOINS));
        assertThat(joins.path(0).path("lookupRecords").asLong()).isEqualTo(4);
        assertThat(joins.path(0).path("rowsMatched").asLong()).isEqualTo(168);
        assertThat(joins.path(0).path("rowsUnmatched").asLong()).isEqualTo(52);
        assertThat(joins.path(0).path("rowsAmbiguous").asLong()).isEqualTo(124);

        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).hasSize(168).allSatisfy(row -> {
            assertThat(row.getField("island")).isEqualTo("Biscoe");
            assertThat(row.getField("island_latitude")).isEqualTo(-65.43);
            assertThat(row.getField("region")).isEqualTo("Graham Land");
            assertThat(row.getField(TableLayout.SOURCE_URI)).isEqualTo("file://" + PENGUINS);
        });
        assertThat(table.schema().findField("island_latitude").isRequired()).as("an inner join's column is as required as the lookup's").isFalse();

        List<Record> rejects = rejects("zoo.inner");
        assertThat(rejects).hasSize(124 + 2 + 52 + 1).allSatisfy(reject -> assertThat(reject.getField("step")).isEqualTo("join"));
        assertThat(rejects).filteredOn(reject -> reject.getField(TableLayout.SOURCE_URI).equals("file://" + islands))
                .extracting(reject -> reject.getField(TableLayout.SOURCE_POSITION) + " " + reject.getField("reason"))
                .containsExactlyInAnyOrder("record:2 duplicate-key", "record:3 duplicate-key", "record:4 unmatched-key");
        assertThat(rejects).filteredOn(reject -> "record:1".equals(reject.getField(TableLayout.SOURCE_POSITION))
                && reject.getField(TableLayout.SOURCE_URI).equals("file://" + PENGUINS)).singleElement().satisfies(reject -> {
                    assertThat(reject.getField("reason")).isEqualTo("unmatched-key");
                    assertThat((String) reject.getField("detail")).contains("no lookup record has key Torgersen").contains("inner join");
                    assertThat((String) reject.getField("record")).contains("\"species\":\"Adelie\"").contains("\"island\":\"Torgersen\"");
                    assertThat(reject.getField("record_id")).isNotNull();
                });
        assertThat(rejects).filteredOn(reject -> "duplicate-key".equals(reject.getField("reason")) && reject.getField(TableLayout.SOURCE_URI).equals("file://" + PENGUINS))
                .first().satisfies(reject -> assertThat((String) reject.getField("detail")).contains("key Dream appears 2 times"));
    }

    @Test
    void aLeftJoinKeepsEveryRowTheFirstOrLastDuplicateWinsAndTheThreadsAndBatchesChangeNothing() throws IOException {
        IngestPipeline.Result first = harness.run("left-first", joined("zoo.left_first", "left", "first", "[]"), 2, 7);
        assertThat(first.written()).isEqualTo(344);
        assertThat(first.rejectedByReason()).containsExactly(Map.entry("join/duplicate-key", 1L), Map.entry("join/unmatched-key", 1L));
        assertThat(first.read()).isEqualTo(344 + 4).isEqualTo(first.written() + first.rejected() + 2);
        Table table = harness.catalog.loadTable(TableIdentifier.of("zoo", "left_first"));
        Map<String, Double> latitudes = new HashMap<>();
        for (Record row : PipelineHarness.rows(table)) {
            latitudes.merge(row.getField("island") + "", row.getField("island_latitude") == null ? Double.NaN : (Double) row.getField("island_latitude"),
                    (a, b) -> a.equals(b) ? a : Double.MAX_VALUE);
        }
        assertThat(latitudes).containsEntry("Biscoe", -65.43).containsEntry("Dream", -64.73).containsEntry("Torgersen", Double.NaN);
        assertThat(rejects("zoo.left_first")).extracting(reject -> reject.getField(TableLayout.SOURCE_POSITION) + " " + reject.getField("reason"))
                .containsExactlyInAnyOrder("record:3 duplicate-key", "record:4 unmatched-key");

        harness.run("left-last", joined("zoo.left_last", "left", "last", "[]"), 1, 1000);
        assertThat(PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("zoo", "left_last"))))
                .filteredOn(row -> "Dream".equals(row.getField("island"))).allSatisfy(row -> assertThat(row.getField("island_latitude")).isEqualTo(-64.70));
        assertThat(rejects("zoo.left_last")).extracting(reject -> reject.getField(TableLayout.SOURCE_POSITION) + " " + reject.getField("reason"))
                .containsExactlyInAnyOrder("record:2 duplicate-key", "record:4 unmatched-key");

        harness.run("left-first-again", joined("zoo.left_again", "left", "first", "[]"), 1, 1000);
        assertThat(harness.catalog.loadTable(TableIdentifier.of("zoo", "left_again")).currentSnapshot().summary().get("kiln.content-digest"))
                .as("one thread in one batch against two threads in batches of 7").isEqualTo(table.currentSnapshot().summary().get("kiln.content-digest"));
    }

    @Test
    void aFittedStepGroupsByAJoinedColumn() throws IOException {
        harness.run("regions", joined("zoo.regions", "left", "first", """
                [{"name": "scale", "params": {"column": "bill_length_mm", "groupBy": ["region"], "into": "bill_z"}}]"""), 2, 13);
        Table table = harness.catalog.loadTable(TableIdentifier.of("zoo", "regions"));
        // the mean of each region, computed here from the CSV: Biscoe is Graham Land, Dream is Anvers, Torgersen has no region
        Map<String, List<Double>> bills = new TreeMap<>();
        for (String line : Files.readAllLines(PENGUINS).subList(1, 345)) {
            String[] fields = line.split(",");
            String region = switch (fields[1]) {
                case "Biscoe" -> "Graham Land";
                case "Dream" -> "Anvers";
                default -> "none";
            };
            if (!fields[2].equals("NA")) {
                bills.computeIfAbsent(region, key -> new ArrayList<>()).add(Double.parseDouble(fields[2]));
            }
        }
        List<Double> anvers = bills.get("Anvers");
        double mean = anvers.stream().mapToDouble(Double::doubleValue).sum() / anvers.size();
        double std = Math.sqrt(anvers.stream().mapToDouble(value -> (value - mean) * (value - mean)).sum() / (anvers.size() - 1));
        Record dream = PipelineHarness.rows(table).stream().filter(row -> "Dream".equals(row.getField("island")) && row.getField("bill_length_mm") != null)
                .findFirst().orElseThrow();
        assertThat((Double) dream.getField("bill_z")).isCloseTo(((Double) dream.getField("bill_length_mm") - mean) / std, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aPinnedKilnTableIsALookupAndItsUnmatchedRowsAreNoRejects() throws IOException {
        Path unique = Files.writeString(temp.resolve("islands-unique.csv"), "island,latitude,region\nBiscoe,-65.43,Graham Land\nDream,-64.73,Anvers\n"
                + "Torgersen,-64.77,Anvers\nAtlantis,0.0,Nowhere\n");
        harness.run("islands", spec("""
                {"table": "geo.islands", "source": {"uri": "file://%s", "format": "csv", "id": "island",
                 "schema": [{"name": "island", "type": "string", "required": true}, {"name": "latitude", "type": "double"}, {"name": "region", "type": "string"}]}}
                """.formatted(unique)), 1, 100);
        Table islandsTable = harness.catalog.loadTable(TableIdentifier.of("geo", "islands"));
        long pinned = islandsTable.currentSnapshot().snapshotId();
        new io.kiln.lake.Pins(harness.publisher).create(islandsTable, "islands-v1", pinned, "test", "the islands", Optional.empty());

        IngestPipeline.Result result = harness.run("pinned", spec("""
                {"table": "zoo.pinned", "source": %s,
                 "join": [{"table": "geo.islands", "pin": "islands-v1", "on": ["island"], "columns": {"region": null}}]}
                """.formatted(PENGUIN_SOURCE)), 2, 50);
        assertThat(result.written()).isEqualTo(344);
        assertThat(result.rejected()).as("Atlantis stays in geo.islands; it is not a reject").isZero();
        Table table = harness.catalog.loadTable(TableIdentifier.of("zoo", "pinned"));
        assertThat(table.schema().findField("region")).as("dropped by the mapping").isNull();
        assertThat(PipelineHarness.rows(table)).filteredOn(row -> "Torgersen".equals(row.getField("island")))
                .hasSize(52).allSatisfy(row -> assertThat(row.getField("latitude")).isEqualTo(-64.77));
        JsonNode recipe = JSON.readTree(table.currentSnapshot().summary().get("kiln.recipe-spec"));
        assertThat(recipe.path("source").path("join").path(0).path("table").asText()).isEqualTo("geo.islands");
        assertThat(recipe.path("source").path("join").path(0).path("snapshot").asLong()).isEqualTo(pinned);

        assertThatThrownBy(() -> harness.binder.bind(spec("""
                {"table": "zoo.pinned", "source": %s, "join": [{"table": "geo.islands", "pin": "no-such-pin", "on": ["island"]}]}
                """.formatted(PENGUIN_SOURCE)))).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).extracting(Violation::field).containsExactly("join[0].pin"));
    }

    @Test
    void aLookupLargerThanItsLimitFailsTheJobClearlyAndPublishesNothing() throws IOException {
        JobSpec spec = spec("""
                {"table": "zoo.limited", "source": %s,
                 "join": [{"source": {"uri": "file://%s", "format": "csv"}, "on": ["island"], "maxRows": 3}]}
                """.formatted(PENGUIN_SOURCE, islands));
        assertThatThrownBy(() -> harness.run("limited", spec, 1, 100)).isInstanceOf(KilnException.class).satisfies(e -> {
            assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.JOIN_TOO_LARGE);
            assertThat(e.getMessage()).contains("more than 3 records").contains("join[0].maxRows");
        });
        assertThat(harness.catalog.tableExists(TableIdentifier.of("zoo", "limited")) ? harness.catalog.loadTable(TableIdentifier.of("zoo", "limited")).currentSnapshot()
                : null).isNull();
    }

    @Test
    void aBadJoinOrUnionIsA400NamingTheField() throws IOException {
        Path numbered = Files.writeString(temp.resolve("numbered.csv"), "island,latitude\n1,2.0\n");
        assertThat(violations("""
                {"table": "zoo.bad", "source": %s, "join": [{"source": {"uri": "file://%s", "format": "csv"}, "on": ["island"]}]}
                """.formatted(PENGUIN_SOURCE, numbered))).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("join[0].on");
                    assertThat(violation.message()).contains("row column island is string and lookup column island is long");
                });
        assertThat(violations("""
                {"table": "zoo.bad", "source": %s, "join": [{"source": {"uri": "file://%s", "format": "csv"}, "on": {"island": "island"}, "columns": {"region": "species"}}]}
                """.formatted(PENGUIN_SOURCE, islands))).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("join[0].columns");
                    assertThat(violation.message()).contains("would be column species, which the rows have already (string)");
                });
        assertThat(violations("""
                {"table": "zoo.bad", "source": %s, "join": [{"source": {"uri": "file://%s", "format": "csv"}}]}
                """.formatted(PENGUIN_SOURCE, islands))).extracting(Violation::field).containsExactly("join[0].on");
        assertThat(violations("""
                {"table": "zoo.bad", "source": %s, "join": [{"source": {"uri": "file://%s", "format": "csv"}, "table": "geo.islands", "on": ["island"]}]}
                """.formatted(PENGUIN_SOURCE, islands))).extracting(Violation::field).containsExactly("join[0]");
        assertThat(violations("""
                {"table": "zoo.bad", "sources": [%s, {"uri": "file://%s", "format": "csv", "schema": "infer", "columns": {"nope": "x"}}]}
                """.formatted(PENGUIN_SOURCE, islands))).extracting(Violation::field).containsExactly("sources[1].columns.nope");
        assertThat(violations("""
                {"table": "zoo.bad", "sources": [%s, {"uri": "file://%s", "format": "csv", "columns": {"latitude": "species"}}]}
                """.formatted(PENGUIN_SOURCE, islands))).singleElement().satisfies(violation -> {
                    assertThat(violation.field()).isEqualTo("sources[1].columns");
                    assertThat(violation.message()).contains("column species is double here and string in an earlier source");
                });
        assertThat(violations("""
                {"table": "zoo.bad", "sources": [%s, {"uri": "file://%s", "format": "jsonl"}]}
                """.formatted(PENGUIN_SOURCE, islands))).extracting(Violation::field).containsExactly("sources[1].format");
        assertThat(violations("""
                {"table": "zoo.bad", "sources": [%1$s, %1$s]}
                """.formatted(PENGUIN_SOURCE))).extracting(Violation::field).containsExactly("sources[1].uri");
        assertThat(violations("""
                {"table": "zoo.bad"}
                """)).extracting(Violation::field).containsExactly("source");
    }

    private List<Violation> violations(String json) throws IOException {
        JobSpec spec = spec(json);
        try {
            harness.binder.bind(spec);
        }
        catch (KilnException e) {
            return e.violations();
        }
        throw new AssertionError("bound: " + json);
    }

    @Test
    void aUnionReadsACsvAndAJsonLinesFileIntoOneSchemaWithTheirColumnsMappedAndWidened() throws IOException {
        Path more = Files.writeString(temp.resolve("more.jsonl"), """
                {"key": "j1", "kind": "Gentoo", "bill": 50.5, "year": 2021, "ring": "G-17"}
                {"key": "j2", "kind": "Adelie", "bill": null, "year": 2022, "ring": "A-3"}
                """);
        JobSpec spec = spec("""
                {"table": "zoo.union", "sources": [%s,
                   {"uri": "file://%s", "format": "jsonl", "id": "key",
                    "schema": [{"name": "kind", "type": "string", "required": true}, {"name": "bill", "type": "double"}, {"name": "year", "type": "long"},
                               {"name": "ring", "type": "string"}],
                    "columns": {"kind": "species", "bill": "bill_length_mm"}}]}
                """.formatted(PENGUIN_SOURCE, more));
        IngestPipeline.Result result = harness.run("union", spec, 2, 31);
        assertThat(result.read()).isEqualTo(346);
        assertThat(result.written()).isEqualTo(346);
        Table table = harness.catalog.loadTable(TableIdentifier.of("zoo", "union"));
        assertThat(table.schema().findField("year").type().toString()).as("int in the CSV, long in the JSON lines").isEqualTo("long");
        assertThat(table.schema().findField("island").isRequired()).as("the JSON lines have no island").isFalse();
        assertThat(table.schema().findField("ring").isRequired()).isFalse();
        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).filteredOn(row -> "j1".equals(row.getField("id"))).singleElement().satisfies(row -> {
            assertThat(row.getField("species")).isEqualTo("Gentoo");
            assertThat(row.getField("bill_length_mm")).isEqualTo(50.5);
            assertThat(row.getField("year")).isEqualTo(2021L);
            assertThat(row.getField("island")).isNull();
            assertThat(row.getField(TableLayout.SOURCE_URI)).isEqualTo("file://" + more);
        });
        assertThat(rows).filteredOn(row -> ("file://" + PENGUINS).equals(row.getField(TableLayout.SOURCE_URI))).hasSize(344)
                .allSatisfy(row -> assertThat(row.getField("year")).isInstanceOf(Long.class));
        JsonNode recipe = JSON.readTree(table.currentSnapshot().summary().get("kiln.recipe-spec"));
        assertThat(recipe.path("source").path("union")).hasSize(2);
        assertThat(recipe.path("source").path("union").path(1).path("columns").path("kind").asText()).isEqualTo("species");
        assertThat(recipe.path("source").path("schema").path("columns").findValuesAsText("name"))
                .containsExactly("species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year", "ring");
        assertThat(table.currentSnapshot().summary().get("kiln.input-files")).isEqualTo("2");
    }
}
