package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.KilnException;
import io.kiln.read.FeaturesReport;

/**
 * Feature steps on the Palmer penguins (344 rows, NA for missing values): per-species z-score of the
 * bill length, the body mass imputed with its per-species median (with an indicator), the log of the
 * flipper length. Every value is computed again here, independently, from the CSV; the fitted state is
 * the JSON artifact the features report returns, and threads and batches change no bit.
 */
class TabularFeaturesTest {
    private static final Path PENGUINS = Path.of("src/test/resources/fixtures/tabular/penguins.csv").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    PipelineHarness harness;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(PENGUINS.getParent(), temp));
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static JobSpec spec(String table) throws IOException {
        return spec(table, PENGUINS, Map.of());
    }

    /** The feature steps over {@code file}; {@code extra} is added to the params of each fitted step ({@code fitFrom}). */
    private static JobSpec spec(String table, Path file, Map<String, Object> extra) throws IOException {
        SourceSpec source = new SourceSpec("file://" + file, "csv", Map.of(), null, JSON.readTree("{\"from\": \"position\"}"), null,
                new SourceSpec.CsvSpec(null, null, null, null, "NA", null), null, null, null);
        return new JobSpec(table, source, List.of(
                new StepSpec("scale", with(Map.of("column", "bill_length_mm", "groupBy", List.of("species"), "into", "bill_length_z"), extra)),
                new StepSpec("impute", with(Map.of("column", "body_mass_g", "strategy", "median", "groupBy", List.of("species"), "indicator", true), extra)),
                new StepSpec("log", Map.of("column", "flipper_length_mm", "into", "flipper_log")),
                new StepSpec("scale", with(Map.of("column", "flipper_length_mm", "method", "minmax", "into", "flipper_minmax"), extra)),
                new StepSpec("encode", with(Map.of("column", "island"), extra)),
                new StepSpec("encode", with(Map.of("column", "species", "method", "onehot"), extra)),
                new StepSpec("bucketize", with(Map.of("column", "flipper_length_mm", "quantiles", 4), extra)),
                new StepSpec("clip", with(Map.of("column", "body_mass_g", "quantiles", List.of(0.05, 0.95), "into", "mass_clipped"), extra))), null, 0.1, null);
    }

    private static Map<String, Object> with(Map<String, Object> params, Map<String, Object> extra) {
        Map<String, Object> all = new HashMap<>(params);
        all.putAll(extra);
        return all;
    }

    private record Penguin(String species, Double bill, Double mass, Double flipper) {}

    private static List<Penguin> penguins() throws IOException {
        List<Penguin> penguins = new ArrayList<>();
        try (var reader = Files.newBufferedReader(PENGUINS)) {
            for (CSVRecord record : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(reader)) {
                penguins.add(new Penguin(record.get("species"), number(record.get("bill_length_mm")), number(record.get("body_mass_g")),
                        number(record.get("flipper_length_mm"))));
            }
        }
        return penguins;
    }

    private static Double number(String text) {
        return text.equals("NA") ? null : Double.valueOf(text);
    }

    @Test
    void perSpeciesZScoreMedianImputationAndLogMatchAnIndependentComputation() throws IOException {
        harness.run("penguins", spec("zoo.penguins"), 2, 17);
        Table table = harness.catalog.loadTable(TableIdentifier.of("zoo", "penguins"));
        List<Penguin> penguins = penguins();
        Map<String, List<Double>> bills = new TreeMap<>();
        Map<String, List<Double>> masses = new TreeMap<>();
        List<Double> flippers = new ArrayList<>();
        for (Penguin penguin : penguins) {
            if (penguin.bill() != null) {
                bills.computeIfAbsent(penguin.species(), any -> new ArrayList<>()).add(penguin.bill());
            }
            if (penguin.mass() != null) {
                masses.computeIfAbsent(penguin.species(), any -> new ArrayList<>()).add(penguin.mass());
            }
            if (penguin.flipper() != null) {
                flippers.add(penguin.flipper());
            }
        }
        Map<String, double[]> meanAndStd = new HashMap<>();
        bills.forEach((species, values) -> {
            // two-pass in BigDecimal: mean, then the sample variance
            BigDecimal sum = values.stream().map(BigDecimal::new).reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal mean = sum.divide(BigDecimal.valueOf(values.size()), MathContext.DECIMAL128);
            BigDecimal squares = values.stream().map(value -> new BigDecimal(value).subtract(mean).pow(2)).reduce(BigDecimal.ZERO, BigDecimal::add);
            meanAndStd.put(species, new double[] {mean.doubleValue(), Math.sqrt(squares.divide(BigDecimal.valueOf(values.size() - 1), MathContext.DECIMAL128).doubleValue())});
        });
        Map<String, Double> medians = new HashMap<>();
        masses.forEach((species, values) -> {
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            medians.put(species, n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
        });
        double min = flippers.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = flippers.stream().mapToDouble(Double::doubleValue).max().orElseThrow();

        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).hasSize(344);
        // ids from the position: <sha256 prefix>:<kind>:<n>, n counting the records in file order
        Map<Integer, Record> byPosition = new TreeMap<>();
        rows.forEach(row -> byPosition.put(Integer.parseInt(((String) row.getField("id")).replaceAll(".*:", "")), row));
        int first = byPosition.keySet().iterator().next();
        int imputed = 0;
        for (int i = 0; i < penguins.size(); i++) {
            Penguin penguin = penguins.get(i);
            Record row = byPosition.get(first + i);
            assertThat(row).as("record %d", i).isNotNull();
            if (penguin.bill() == null) {
                assertThat(row.getField("bill_length_z")).isNull();
            }
            else {
                double[] stats = meanAndStd.get(penguin.species());
                assertThat((Double) row.getField("bill_length_z")).as("z of record %d", i).isCloseTo((penguin.bill() - stats[0]) / stats[1], within(1e-12));
            }
            double mass = ((Number) row.getField("body_mass_g")).doubleValue();
            if (penguin.mass() == null) {
                imputed++;
                assertThat(mass).isEqualTo(medians.get(penguin.species()));
                assertThat(row.getField("body_mass_g_missing")).isEqualTo(true);
            }
            else {
                assertThat(mass).isEqualTo(penguin.mass());
                assertThat(row.getField("body_mass_g_missing")).isEqualTo(false);
            }
            if (penguin.flipper() == null) {
                assertThat(row.getField("flipper_log")).isNull();
            }
            else {
                assertThat((Double) row.getField("flipper_log")).isEqualTo(StrictMath.log(penguin.flipper()));
                assertThat((Double) row.getField("flipper_minmax")).isCloseTo((penguin.flipper() - min) / (max - min), within(1e-15));
            }
        }
        assertThat(imputed).isEqualTo(2);

        // encode: vocabularies by frequency, then value; bucketize at the flipper quartiles; clip the (imputed) mass at its 5th and 95th percentiles
        Map<String, Long> islands = new TreeMap<>();
        Map<String, Long> species = new TreeMap<>();
        List<Double> imputedMasses = new ArrayList<>();
        for (Penguin penguin : penguins) {
            species.merge(penguin.species(), 1L, Long::sum);
            imputedMasses.add(penguin.mass() != null ? penguin.mass() : medians.get(penguin.species()));
        }
        try (var reader = Files.newBufferedReader(PENGUINS)) {
            for (CSVRecord record : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(reader)) {
                islands.merge(record.get("island"), 1L, Long::sum);
            }
        }
        List<String> islandOrder = islands.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()
                .thenComparing(java.util.Map.Entry.comparingByKey())).map(java.util.Map.Entry::getKey).toList();
        List<String> speciesOrder = species.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()
                .thenComparing(java.util.Map.Entry.comparingByKey())).map(java.util.Map.Entry::getKey).toList();
        assertThat(islandOrder).containsExactly("Biscoe", "Dream", "Torgersen");
        List<Double> sortedFlippers = flippers.stream().sorted().toList();
        double[] quartiles = {quantile(sortedFlippers, 0.25), quantile(sortedFlippers, 0.5), quantile(sortedFlippers, 0.75)};
        List<Double> sortedMasses = imputedMasses.stream().sorted().toList();
        double low = quantile(sortedMasses, 0.05);
        double high = quantile(sortedMasses, 0.95);
        try (var reader = Files.newBufferedReader(PENGUINS)) {
            int i = 0;
            for (CSVRecord record : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(reader)) {
                Record row = byPosition.get(first + i);
                Penguin penguin = penguins.get(i++);
                assertThat(row.getField("island_index")).isEqualTo(islandOrder.indexOf(record.get("island")));
                List<Integer> oneHot = new ArrayList<>(List.of(0, 0, 0));
                oneHot.set(speciesOrder.indexOf(penguin.species()), 1);
                assertThat(row.getField("species_onehot")).isEqualTo(oneHot);
                if (penguin.flipper() != null) {
                    int bucket = 0;
                    for (double edge : quartiles) {
                        bucket += edge <= penguin.flipper() ? 1 : 0;
                    }
                    assertThat(row.getField("flipper_length_mm_bucket")).as("bucket of %s", penguin.flipper()).isEqualTo(bucket);
                }
                double mass = penguin.mass() != null ? penguin.mass() : medians.get(penguin.species());
                assertThat(row.getField("mass_clipped")).isEqualTo(Math.min(Math.max(mass, low), high));
            }
        }

        FeaturesReport.Report report = FeaturesReport.of("zoo.penguins", table, table.currentSnapshot().snapshotId());
        assertThat(report.features()).extracting(FeaturesReport.Feature::name)
                .containsExactly("features-bucketize-flipper_length_mm_bucket", "features-clip-mass_clipped", "features-encode-island_index",
                        "features-encode-species_onehot", "features-impute-body_mass_g", "features-scale-bill_length_z", "features-scale-flipper_minmax");
        JsonNode scale = report.features().get(5).state();
        assertThat(scale.path("method").asText()).isEqualTo("zscore");
        assertThat(scale.path("groups").path("[\"Gentoo\"]").path("mean").asDouble()).isEqualTo(meanAndStd.get("Gentoo")[0]);
        assertThat(scale.path("groups").path("[\"Gentoo\"]").path("std").asDouble()).isEqualTo(meanAndStd.get("Gentoo")[1]);
        assertThat(report.features().get(4).state().path("fills").path("[\"Adelie\"]").asDouble()).isEqualTo(medians.get("Adelie"));
        assertThat(report.features().get(4).sha256()).matches("[0-9a-f]{64}");
        assertThat(report.features().get(2).state().path("vocabulary").path(0).path("value").asText()).isEqualTo("Biscoe");
        assertThat(table.currentSnapshot().summary().get("kiln.features.scale.bill_length_z")).isEqualTo("zscore of bill_length_mm by species, 3 groups");

        harness.run("penguins-again", spec("zoo.penguins_again"), 1, 1000);
        assertThat(harness.catalog.loadTable(TableIdentifier.of("zoo", "penguins_again")).currentSnapshot().summary().get("kiln.content-digest"))
                .as("one thread in one batch against two threads in batches of 17").isEqualTo(table.currentSnapshot().summary().get("kiln.content-digest"));
    }

    @Test
    void aNewBatchReusingAPinsFittedStateGetsTheTrainingSetsFeatures() throws IOException {
        harness.run("penguins", spec("zoo.penguins"), 2, 50);
        Table table = harness.catalog.loadTable(TableIdentifier.of("zoo", "penguins"));
        new io.kiln.lake.Pins(harness.publisher).create(table, "features-v1", table.currentSnapshot().snapshotId(), "test", "training features", java.util.Optional.empty());
        // a later batch: the first 60 penguins again (Adelie only), with an NA in body mass among them
        List<String> lines = Files.readAllLines(PENGUINS);
        Path later = Files.write(temp.resolve("later.csv"), lines.subList(0, 61));

        harness.run("reused", spec("zoo.penguins", later, Map.of("fitFrom", "features-v1")), 2, 7);
        table.refresh();
        Map<String, Record> original = new HashMap<>();
        Map<String, Record> reused = new HashMap<>();
        long reusedSnapshot = table.currentSnapshot().snapshotId();
        for (Record row : PipelineHarness.rows(table)) {
            String position = ((String) row.getField("id")).replaceAll(".*:", "");
            (row.getField("_kiln_source_uri").toString().endsWith("later.csv") ? reused : original).put(position, row);
        }
        assertThat(reused).hasSize(60);
        for (Map.Entry<String, Record> entry : reused.entrySet()) {
            Record before = original.get(entry.getKey());
            for (String column : List.of("bill_length_z", "body_mass_g", "body_mass_g_missing", "flipper_log", "flipper_minmax", "island_index", "species_onehot",
                    "flipper_length_mm_bucket", "mass_clipped")) {
                assertThat(entry.getValue().getField(column)).as("%s of record %s", column, entry.getKey()).isEqualTo(before.getField(column));
            }
        }
        FeaturesReport.Report report = FeaturesReport.of("zoo.penguins", table, reusedSnapshot);
        assertThat(report.features().get(5).state().path("fittedBy").asText()).isEqualTo(Long.toString(table.refs().get("features-v1").snapshotId()));
        assertThat(table.currentSnapshot().summary().get("kiln.recipe-spec")).contains("fit-from");

        // refitted on those 60 alone, the z-scores differ: the statistics are the batch's, not the training set's
        harness.run("refit", spec("zoo.refit", later, Map.of()), 1, 100);
        Record refit = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("zoo", "refit"))).stream()
                .filter(row -> row.getField("bill_length_z") != null).findFirst().orElseThrow();
        String position = ((String) refit.getField("id")).replaceAll(".*:", "");
        assertThat(refit.getField("bill_length_z")).isNotEqualTo(reused.get(position).getField("bill_length_z"));

        assertThatThrownBy(() -> harness.binder.bind(spec("zoo.penguins", later, Map.of("fitFrom", "no-such-pin")))).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).extracting(io.kiln.error.Violation::field).contains("steps[0].params.fitFrom"));
    }

    @Test
    void theServingPathGivesEveryRowExactlyAsTheTableHoldsIt() throws IOException {
        harness.run("penguins", spec("zoo.penguins"), 2, 50);
        Table table = harness.catalog.loadTable(TableIdentifier.of("zoo", "penguins"));
        Map<Integer, Record> byPosition = new TreeMap<>();
        PipelineHarness.rows(table).forEach(row -> byPosition.put(Integer.parseInt(((String) row.getField("id")).replaceAll(".*:", "")), row));
        int first = byPosition.keySet().iterator().next();
        com.fasterxml.jackson.databind.node.ArrayNode records = JSON.createArrayNode();
        List<Record> expected = new ArrayList<>();
        try (var reader = Files.newBufferedReader(PENGUINS)) {
            int i = 0;
            for (CSVRecord csv : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(reader)) {
                Record row = byPosition.get(first + i++);
                com.fasterxml.jackson.databind.node.ObjectNode record = records.addObject();
                record.put("id", (String) row.getField("id"));
                csv.toMap().forEach((column, text) -> {
                    if (text.equals("NA")) {
                        record.putNull(column);
                    }
                    else if (text.matches("-?[0-9]+")) {
                        record.put(column, Long.parseLong(text));
                    }
                    else if (text.matches("-?[0-9.]+")) {
                        record.put(column, Double.parseDouble(text));
                    }
                    else {
                        record.put(column, text);
                    }
                });
                expected.add(row);
            }
        }
        List<Serving.Served> served = Serving.serve(harness.catalog, harness.binder, "zoo.penguins", table.currentSnapshot().snapshotId(), records);
        assertThat(served).hasSize(344);
        for (int i = 0; i < served.size(); i++) {
            Record row = expected.get(i);
            assertThat(served.get(i).outcome()).isEqualTo("written");
            Map<String, Object> values = served.get(i).rows().get(0);
            for (org.apache.iceberg.types.Types.NestedField field : table.schema().columns()) {
                if (field.name().startsWith("_kiln_")) {
                    continue;
                }
                assertThat(values.get(field.name())).as("%s of %s", field.name(), row.getField("id")).isEqualTo(row.getField(field.name()));
            }
        }

        com.fasterxml.jackson.databind.node.ArrayNode bad = JSON.createArrayNode();
        bad.addObject().put("id", "x").put("species", "Adelie").put("wingspan", 3);
        assertThat(Serving.serve(harness.catalog, harness.binder, "zoo.penguins", table.currentSnapshot().snapshotId(), bad)).singleElement()
                .satisfies(result -> {
                    assertThat(result.outcome()).isEqualTo("rejected");
                    assertThat(result.reason()).isEqualTo("unknown-field");
                });
    }

    @Test
    void aNonNumericColumnOrAWrongConstantIsA400NamingTheParameter() throws IOException {
        JobSpec scaleText = new JobSpec("zoo.bad", spec("zoo.bad").source(), List.of(new StepSpec("scale", Map.of("column", "species"))), null, 0.1, null);
        assertThatThrownBy(() -> harness.binder.bind(scaleText)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("steps[0].params.column");
                    assertThat(violation.message()).contains("'species' is string, not a number");
                }));
        JobSpec constant = new JobSpec("zoo.bad", spec("zoo.bad").source(), List.of(new StepSpec("impute", Map.of("column", "sex", "strategy", "constant", "value", 3))),
                null, 0.1, null);
        assertThatThrownBy(() -> harness.binder.bind(constant)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).extracting(io.kiln.error.Violation::field).contains("steps[0].params.value"));
    }

    @Test
    void aSparseOneHotHoldsTheSizeAndTheIndexOfTheDenseOnesOne() throws IOException {
        JobSpec both = new JobSpec("zoo.sparse", spec("zoo.sparse").source(), List.of(
                new StepSpec("encode", Map.of("column", "island", "method", "onehot", "into", "island_dense")),
                new StepSpec("encode", Map.of("column", "island", "method", "onehot", "layout", "sparse", "into", "island_sparse"))), null, 0.1, null);
        harness.run("sparse", both, 2, 17);
        Table table = harness.catalog.loadTable(TableIdentifier.parse("zoo.sparse"));
        assertThat(table.schema().findType("island_sparse").toString()).isEqualTo("struct<" + table.schema().findField("island_sparse.size").fieldId()
                + ": size: required int (the vector's size: the vocabulary's), " + table.schema().findField("island_sparse.indices").fieldId()
                + ": indices: required list<int> (where the vector's 1 is; empty for an unseen value or a null)>");
        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).hasSize(344);
        for (Record row : rows) {
            List<?> dense = (List<?>) row.getField("island_dense");
            Record sparse = (Record) row.getField("island_sparse");
            assertThat(sparse.getField("size")).isEqualTo(dense.size()).isEqualTo(3);
            assertThat(sparse.getField("indices")).isEqualTo(List.of(dense.indexOf(1)));
        }
        com.fasterxml.jackson.databind.node.ArrayNode unseen = JSON.createArrayNode();
        unseen.addObject().put("id", "p-atlantis").put("island", "Atlantis");
        assertThat(Serving.serve(harness.catalog, harness.binder, "zoo.sparse", table.currentSnapshot().snapshotId(), unseen)).singleElement()
                .satisfies(served -> {
                    assertThat(served.outcome()).as("%s: %s", served.reason(), served.detail()).isEqualTo("written");
                    assertThat(served.rows().get(0).get("island_sparse")).isEqualTo(Map.of("size", 3, "indices", List.of()));
                });

        JobSpec ordinal = new JobSpec("zoo.bad", spec("zoo.bad").source(), List.of(new StepSpec("encode", Map.of("column", "island", "layout", "sparse"))),
                null, 0.1, null);
        assertThatThrownBy(() -> harness.binder.bind(ordinal)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("steps[0].params.layout");
                    assertThat(violation.message()).isEqualTo("applies to method onehot only (this step's method is ordinal)");
                }));
    }

    /** The q-quantile of sorted values, linear between the nearest ranks (numpy's default). */
    private static double quantile(List<Double> sorted, double q) {
        double rank = q * (sorted.size() - 1);
        int below = (int) Math.floor(rank);
        double fraction = rank - below;
        return fraction == 0 ? sorted.get(below) : sorted.get(below) + (sorted.get(Math.min(below + 1, sorted.size() - 1)) - sorted.get(below)) * fraction;
    }
}
