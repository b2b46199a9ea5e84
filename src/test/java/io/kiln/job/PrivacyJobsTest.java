package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.KilnException;
import io.kiln.lake.Pins;

/**
 * The anonymize step on real tables (Weka's credit-g, Berndt's CPS wages) and on a synthetic one
 * with identifiers: every claim is checked against the table Kiln wrote, by a GROUP BY written here.
 */
class PrivacyJobsTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/privacy").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "test-key-0123456789-abcdef";
    private static final String OTHER_KEY = "another-key-9876543210-zyxw";

    @TempDir
    Path temp;
    PipelineHarness harness;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(FIXTURES, temp), Map.of("hr", KEY, "hr-2027", OTHER_KEY));
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    /** credit-g.arff's {@code @data} as CSV with a header: ARFF quotes with ', CSV with ". */
    static Path creditCsv(Path folder) throws IOException {
        List<String> lines = Files.readAllLines(FIXTURES.resolve("credit-g.arff"), StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>(List.of("id"));
        Path csv = folder.resolve("credit-g.csv");
        boolean data = false;
        int row = 0;
        try (Writer out = Files.newBufferedWriter(csv); CSVPrinter printer = new CSVPrinter(out, CSVFormat.DEFAULT)) {
            for (String line : lines) {
                if (line.startsWith("%") || line.isBlank()) {
                    continue;
                }
                if (line.startsWith("@attribute")) {
                    names.add(line.split("\\s+")[1]);
                }
                else if (line.startsWith("@data")) {
                    printer.printRecord(names);
                    data = true;
                }
                else if (data) {
                    CSVRecord record = CSVFormat.DEFAULT.builder().setQuote('\'').get().parse(new StringReader(line)).getRecords().get(0);
                    List<String> values = new ArrayList<>(List.of(String.format("c%04d", ++row)));
                    values.addAll(record.toList());
                    printer.printRecord(values);
                }
            }
        }
        return csv;
    }

    private static Map<String, Map<String, String>> originals(Path csv) throws IOException {
        Map<String, Map<String, String>> rows = new HashMap<>();
        try (var parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(Files.newBufferedReader(csv))) {
            for (CSVRecord record : parser) {
                rows.put(record.get("id"), record.toMap());
            }
        }
        return rows;
    }

    private static JobSpec job(String table, Path input, String format, Map<String, Object> anonymize) throws IOException {
        SourceSpec source = new SourceSpec("file://" + input, format, Map.of(), format.equals("jsonl") ? JSON.readTree("\"infer\"") : null, null, null, null, null, null);
        return new JobSpec(table, source, List.of(new StepSpec("anonymize", anonymize)), null, 0.5, null);
    }

    private static final Map<String, Object> CREDIT = Map.of(
            "columns", Map.of(
                    "age", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", 5, "fanout", 2, "levels", 3)),
                    "personal_status", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "groups", "levels", List.of(Map.of(
                            "male div/sep", "male", "male single", "male", "male mar/wid", "male", "female div/dep/mar", "female", "female single", "female")))),
                    "housing", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "csv", "csvPath", FIXTURES.resolve("housing.csv").toString())),
                    "job", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "groups", "levels", List.of(Map.of(
                            "unemp/unskilled non res", "unskilled", "unskilled resident", "unskilled", "skilled", "skilled", "high qualif/self emp/mgmt", "skilled")))),
                    "class", Map.of("role", "sensitive")),
            "k", 5,
            "maxSuppression", 0.02);

    /** The rows grouped by the columns, as SQL's GROUP BY would (a null is a value). */
    private static Map<List<Object>, List<Record>> groupBy(List<Record> rows, List<String> columns) {
        Map<List<Object>, List<Record>> classes = new HashMap<>();
        for (Record row : rows) {
            List<Object> key = new ArrayList<>();
            columns.forEach(column -> key.add(row.getField(column)));
            classes.computeIfAbsent(key, ignored -> new ArrayList<>()).add(row);
        }
        return classes;
    }

    /** Whether the generalized value (exact, an interval [a, b), or *) holds the original age. */
    private static boolean holds(String generalized, int age) {
        if (generalized.equals("*")) {
            return true;
        }
        if (generalized.startsWith("[")) {
            String[] bounds = generalized.substring(1, generalized.length() - 1).split(", ");
            return Integer.parseInt(bounds[0]) <= age && age < Integer.parseInt(bounds[1]);
        }
        return Integer.parseInt(generalized) == age;
    }

    @Test
    void creditGIsFiveAnonymousOverItsQuasiIdentifiersAndTheSuppressedRowsAreRejects() throws IOException {
        Path csv = creditCsv(temp);
        IngestPipeline.Result result = harness.run("credit-1", job("privacy.credit", csv, "csv", CREDIT), 2, 7);
        Map<String, Map<String, String>> originals = originals(csv);

        assertThat(result.read()).isEqualTo(1000);
        assertThat(result.written() + result.rejected()).isEqualTo(1000);
        Table table = harness.catalog.loadTable(TableIdentifier.of("privacy", "credit"));
        Map<String, String> summary = table.currentSnapshot().summary();
        assertThat(summary).containsEntry("kiln.privacy.quasi-identifiers", "age,housing,job,personal_status").containsEntry("kiln.privacy.k", "5")
                .containsEntry("kiln.privacy.satisfied", "true").containsEntry("kiln.privacy.lattice-size", Long.toString(5 * 3 * 3 * 3))
                .containsEntry("kiln.privacy.suppressed-rows", Long.toString(result.rejected()));
        assertThat(result.rejected()).isLessThanOrEqualTo(20);
        assertThat(result.rejectedByReason().keySet()).allMatch(reason -> reason.endsWith("suppressed-for-k"));
        for (String column : List.of("age", "housing", "job", "personal_status")) {
            assertThat(table.schema().findType(column)).isEqualTo(Types.StringType.get());
        }
        assertThat(table.schema().findType("credit_amount")).isNotEqualTo(Types.StringType.get());

        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).hasSize((int) result.written());
        Map<List<Object>, List<Record>> classes = groupBy(rows, List.of("age", "housing", "job", "personal_status"));
        assertThat(classes.values()).allSatisfy(members -> assertThat(members).hasSizeGreaterThanOrEqualTo(5));
        assertThat(Long.parseLong(summary.get("kiln.privacy.classes"))).isEqualTo(classes.size());
        assertThat(Long.parseLong(summary.get("kiln.privacy.smallest-class"))).isEqualTo(classes.values().stream().mapToInt(List::size).min().orElseThrow());

        // every generalized value holds the original one; the rest of the row is unchanged
        Map<String, Integer> levels = new TreeMap<>();
        JSON.readTree(summary.get("kiln.privacy.levels")).fields().forEachRemaining(entry -> levels.put(entry.getKey(), entry.getValue().asInt()));
        for (Record row : rows) {
            Map<String, String> original = originals.get((String) row.getField("id"));
            assertThat(holds((String) row.getField("age"), Integer.parseInt(original.get("age")))).as("%s", row).isTrue();
            assertThat(row.getField("personal_status")).isEqualTo(levels.get("personal_status") == 0 ? original.get("personal_status")
                    : levels.get("personal_status") == 1 ? original.get("personal_status").split(" ")[0] : "*");
            assertThat(row.getField("class")).isEqualTo(original.get("class"));
            assertThat(String.valueOf(row.getField("credit_amount"))).isEqualTo(original.get("credit_amount"));
        }

        // the suppressed rows are in the rejects table, and each was in a class below k at the chosen levels
        List<Record> rejects = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("privacy", "credit__rejects")));
        assertThat(rejects).hasSize((int) result.rejected());
        assertThat(rejects).allSatisfy(reject -> {
            assertThat(reject.getField("reason")).isEqualTo("suppressed-for-k");
            assertThat(reject.getField("step")).isEqualTo("anonymize@1");
            assertThat((String) reject.getField("record")).contains("\"age\"");
        });
        Set<String> kept = rows.stream().map(row -> (String) row.getField("id")).collect(Collectors.toSet());
        assertThat(rejects).extracting(reject -> (String) reject.getField("record_id")).doesNotContainAnyElementsOf(kept);
    }

    @Test
    void threadsAndBatchesChangeNeitherTheLevelsNorTheDigest() throws IOException {
        Path csv = creditCsv(temp);
        IngestPipeline.Result one = harness.run("credit-a", job("privacy.one", csv, "csv", CREDIT), 1, 1000);
        IngestPipeline.Result two = harness.run("credit-b", job("privacy.two", csv, "csv", CREDIT), 2, 3);
        assertThat(two.contentDigest()).isEqualTo(one.contentDigest());
        Map<String, String> first = harness.catalog.loadTable(TableIdentifier.of("privacy", "one")).currentSnapshot().summary();
        Map<String, String> second = harness.catalog.loadTable(TableIdentifier.of("privacy", "two")).currentSnapshot().summary();
        assertThat(second.get("kiln.privacy.levels")).isEqualTo(first.get("kiln.privacy.levels"));
        assertThat(second.get("kiln.privacy.loss")).isEqualTo(first.get("kiln.privacy.loss"));
    }

    @Test
    void cpsWagesIsThreeAnonymousAndTwoDiverseInOccupation() throws IOException {
        Path csv = FIXTURES.resolve("cps-wages-1985.csv");
        Map<String, Object> spec = Map.of(
                "columns", Map.of(
                        "age", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", 10, "levels", 2)),
                        "education", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", 4, "levels", 2)),
                        "gender", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "groups", "levels", List.of(Map.of("male", "person", "female", "person")))),
                        "race", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "groups", "levels", List.of(Map.of("white", "white", "hispanic", "other", "other", "other")))),
                        "occupation", Map.of("role", "sensitive"),
                        "wage", Map.of("role", "insensitive")),
                "k", 3,
                "diversity", Map.of("column", "occupation", "l", 2),
                "maxSuppression", 0.05);
        IngestPipeline.Result result = harness.run("cps-1", job("privacy.cps", csv, "csv", spec), 2, 50);
        assertThat(result.read()).isEqualTo(534);
        assertThat(result.rejected()).isLessThanOrEqualTo(26);
        Table table = harness.catalog.loadTable(TableIdentifier.of("privacy", "cps"));
        assertThat(table.currentSnapshot().summary()).containsEntry("kiln.privacy.l-diversity", "distinct occupation 2.0");
        Map<List<Object>, List<Record>> classes = groupBy(PipelineHarness.rows(table), List.of("age", "education", "gender", "race"));
        assertThat(classes.values()).allSatisfy(members -> {
            assertThat(members).hasSizeGreaterThanOrEqualTo(3);
            assertThat(members.stream().map(row -> row.getField("occupation")).distinct().count()).isGreaterThanOrEqualTo(2);
        });
    }

    private static String hmac(String key, String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** Synthetic patients (made up here): a name, an e-mail, a ZIP code, an age and a diagnosis. */
    private Path patients(String name, int from, int count) throws IOException {
        StringBuilder lines = new StringBuilder();
        String[] diagnoses = {"flu", "asthma", "gastritis", "migraine"};
        for (int i = from; i < from + count; i++) {
            lines.append(String.format("{\"id\": \"p%03d\", \"name\": \"Patient %d\", \"email\": \"patient%d@example.org\", \"zip\": \"130%02d\", \"age\": %d, \"diagnosis\": \"%s\"}%n",
                    i, i, i, i % 12, 20 + (i * 7) % 50, diagnoses[i % 4]));
        }
        Path file = temp.resolve(name);
        Files.writeString(file, lines);
        return file;
    }

    private static Map<String, Object> patientsSpec(String keyId) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("columns", Map.of(
                "name", Map.of("role", "identifier"),
                "email", Map.of("role", "identifier", "action", "pseudonymize"),
                "zip", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "mask", "levels", 5)),
                "age", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", 10)),
                "diagnosis", Map.of("role", "sensitive")));
        spec.put("k", 4);
        spec.put("keyId", keyId);
        return spec;
    }

    @Test
    void identifiersAreDroppedOrPseudonymizedStablyPerKeyAndTheKeyIsNowhere() throws Exception {
        Path input = patients("patients.jsonl", 0, 60);
        harness.run("patients-1", job("privacy.patients", input, "jsonl", patientsSpec("hr")), 2, 5);
        harness.run("patients-2", job("privacy.again", input, "jsonl", patientsSpec("hr")), 1, 60);
        harness.run("patients-3", job("privacy.rekeyed", input, "jsonl", patientsSpec("hr-2027")), 2, 5);

        Table table = harness.catalog.loadTable(TableIdentifier.of("privacy", "patients"));
        assertThat(table.schema().findField("name")).isNull();
        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).isNotEmpty().allSatisfy(row -> {
            String id = (String) row.getField("id");
            String email = "patient" + Integer.parseInt(id.substring(1)) + "@example.org";
            try {
                assertThat(row.getField("email")).isEqualTo(hmac(KEY, email));
            }
            catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Map<Object, Object> again = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("privacy", "again"))).stream()
                .collect(Collectors.toMap(row -> row.getField("id"), row -> row.getField("email")));
        Map<Object, Object> rekeyed = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("privacy", "rekeyed"))).stream()
                .collect(Collectors.toMap(row -> row.getField("id"), row -> row.getField("email")));
        for (Record row : rows) {
            assertThat(again.get(row.getField("id"))).isEqualTo(row.getField("email"));
            assertThat(rekeyed.get(row.getField("id"))).isNotNull().isNotEqualTo(row.getField("email"));
        }

        Map<String, String> summary = table.currentSnapshot().summary();
        assertThat(summary).containsEntry("kiln.privacy.key-id", "hr").containsKey("kiln.privacy.key-check");
        String recipe = summary.get("kiln.recipe-spec") == null ? "" : summary.get("kiln.recipe-spec");
        assertThat(summary.toString() + recipe).doesNotContain(KEY).doesNotContain(OTHER_KEY);
        assertThat(harness.catalog.loadTable(TableIdentifier.of("privacy", "rekeyed")).currentSnapshot().summary().get("kiln.privacy.key-check"))
                .isNotEqualTo(summary.get("kiln.privacy.key-check"));
    }

    @Test
    void aLaterBatchReusesThePinnedLevelsInsteadOfSearchingAgain() throws Exception {
        harness.run("patients-1", job("privacy.visits", patients("first.jsonl", 0, 60), "jsonl", patientsSpec("hr")), 2, 5);
        Table table = harness.catalog.loadTable(TableIdentifier.of("privacy", "visits"));
        String chosen = table.currentSnapshot().summary().get("kiln.privacy.levels");
        new Pins(harness.publisher).create(table, "release-1", table.currentSnapshot().snapshotId(), "test", "training set", Optional.empty());

        Map<String, Object> reuse = new LinkedHashMap<>(patientsSpec("hr"));
        reuse.put("levelsFrom", "release-1");
        BoundJob bound = harness.binder.bind(job("privacy.visits", patients("second.jsonl", 60, 24), "jsonl", reuse));
        assertThat(bound.recipe().canonical()).contains("release-1").contains("levels");
        harness.run("patients-2", job("privacy.visits", patients("second.jsonl", 60, 24), "jsonl", reuse), 2, 5);
        table.refresh();
        assertThat(table.currentSnapshot().summary()).containsEntry("kiln.privacy.levels", chosen).containsEntry("kiln.privacy.levels-from", "release-1")
                .containsEntry("kiln.privacy.nodes-evaluated", "1");

        Map<String, Object> unknown = new LinkedHashMap<>(patientsSpec("hr"));
        unknown.put("levelsFrom", "no-such-pin");
        assertThatThrownBy(() -> harness.binder.bind(job("privacy.visits", patients("third.jsonl", 90, 5), "jsonl", unknown)))
                .isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("steps[0].params.levelsFrom");
                    assertThat(violation.message()).contains("no pin or published snapshot 'no-such-pin'");
                }));
    }

    @Test
    void aBadSpecIsRefusedNamingTheField() throws IOException {
        Path input = patients("bad.jsonl", 0, 5);
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        Map<String, Object> noKey = new LinkedHashMap<>(patientsSpec("hr"));
        noKey.put("keyId", "missing");
        cases.put("steps[0].params.keyId", noKey);
        Map<String, Object> noHierarchy = new LinkedHashMap<>(patientsSpec("hr"));
        noHierarchy.put("columns", Map.of("age", Map.of("role", "quasi-identifier")));
        noHierarchy.remove("keyId");
        cases.put("steps[0].params.columns.age.hierarchy", noHierarchy);
        Map<String, Object> badWidth = new LinkedHashMap<>(noHierarchy);
        badWidth.put("columns", Map.of("age", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "intervals", "width", -1))));
        cases.put("steps[0].params.columns.age.hierarchy.width", badWidth);
        Map<String, Object> outside = new LinkedHashMap<>(noHierarchy);
        outside.put("columns", Map.of("age", Map.of("role", "quasi-identifier", "hierarchy", Map.of("type", "csv", "csvPath", "/etc/passwd"))));
        cases.put("steps[0].params.columns.age.hierarchy.csvPath", outside);
        Map<String, Object> notSensitive = new LinkedHashMap<>(patientsSpec("hr"));
        notSensitive.put("diversity", Map.of("column", "zip", "l", 2));
        cases.put("steps[0].params.diversity.column", notSensitive);
        for (Map.Entry<String, Map<String, Object>> entry : cases.entrySet()) {
            assertThatThrownBy(() -> harness.binder.bind(job("privacy.bad", input, "jsonl", entry.getValue())))
                    .as(entry.getKey()).isInstanceOf(KilnException.class)
                    .satisfies(e -> assertThat(((KilnException) e).violations()).extracting(io.kiln.error.Violation::field).contains(entry.getKey()));
        }
    }
}
