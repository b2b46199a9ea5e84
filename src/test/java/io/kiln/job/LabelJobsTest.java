package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
import io.kiln.lake.Pins;

/**
 * The label step on real labelled text, Debian's fortunes (food, sports, love, medicine): labeling
 * functions written for each category are measured against the true categories, and every number
 * of the evaluation is computed again here from the rows Kiln wrote (their votes and labels).
 */
class LabelJobsTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/labels").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LABELS = List.of("food", "sports", "love", "medicine");

    @TempDir
    Path temp;
    PipelineHarness harness;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(FIXTURES, temp));
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    static List<Map<String, Object>> functions() {
        List<Map<String, Object>> functions = new ArrayList<>();
        functions.add(Map.of("id", "food-words", "kind", "keywords", "label", "food",
                "keywords", List.of("eat", "eating", "food", "dinner", "lunch", "breakfast", "cook", "cooking", "bread", "cheese", "wine", "meal", "hungry")));
        functions.add(Map.of("id", "sports-words", "kind", "keywords", "label", "sports",
                "keywords", List.of("game", "team", "baseball", "football", "golf", "tennis", "player", "coach", "ball", "score", "season")));
        functions.add(Map.of("id", "love-words", "kind", "keywords", "label", "love",
                "keywords", List.of("love", "loved", "lover", "heart", "kiss", "marriage", "married", "romance")));
        functions.add(Map.of("id", "medicine-words", "kind", "keywords", "label", "medicine",
                "keywords", List.of("doctor", "doctors", "hospital", "patient", "medicine", "disease", "health", "surgeon", "nurse")));
        functions.add(Map.of("id", "medicine-regex", "kind", "regex", "label", "medicine", "pattern", "\\b(?:physician|diagnos\\w*|pill|drugs?)\\b",
                "caseSensitive", false));
        functions.add(Map.of("id", "sports-regex", "kind", "regex", "label", "sports", "pattern", "\\b(?:win|won|lose|lost|champion\\w*)\\b", "caseSensitive", false));
        return functions;
    }

    private static JobSpec job(String table, List<Map<String, Object>> functions, Map<String, Object> model, Map<String, Object> gold, String checks) throws IOException {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("labels", LABELS);
        params.put("functions", functions);
        params.put("model", model);
        if (gold != null) {
            params.put("gold", gold);
        }
        SourceSpec source = new SourceSpec("file://" + FIXTURES + "/fortunes.jsonl", "jsonl", Map.of(), JSON.readTree("\"infer\""), null, null, null, null, null);
        return new JobSpec(table, source, List.of(new StepSpec("label", params)), checks, 0.9, null);
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> votes(Record row) {
        return (List<Integer>) row.getField("label_votes");
    }

    @Test
    void theEvaluationInTheSummaryIsWhatTheWrittenVotesAndLabelsGiveAgainstTheTrueCategories() throws IOException {
        harness.run("fortunes-1", job("labels.fortunes", functions(), Map.of("type", "majority"), Map.of("column", "category"), null), 2, 25);
        Table table = harness.catalog.loadTable(TableIdentifier.of("labels", "fortunes"));
        Map<String, String> summary = table.currentSnapshot().summary();
        List<String> order = List.of(summary.get("kiln.label.functions").split(","));
        assertThat(order).containsExactly("food-words@1", "love-words@1", "medicine-regex@1", "medicine-words@1", "sports-regex@1", "sports-words@1");
        JsonNode evaluation = JSON.readTree(summary.get("kiln.label.evaluation"));
        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).hasSize(569);

        // per function: coverage, overlap, conflict, accuracy, from the votes column
        int n = rows.size();
        for (int f = 0; f < order.size(); f++) {
            long voted = 0;
            long overlapping = 0;
            long conflicting = 0;
            long right = 0;
            for (Record row : rows) {
                List<Integer> votes = votes(row);
                int vote = votes.get(f);
                if (vote < 0) {
                    continue;
                }
                voted++;
                boolean other = false;
                boolean disagree = false;
                for (int g = 0; g < votes.size(); g++) {
                    if (g != f && votes.get(g) >= 0) {
                        other = true;
                        disagree |= !votes.get(g).equals(vote);
                    }
                }
                overlapping += other ? 1 : 0;
                conflicting += disagree ? 1 : 0;
                right += LABELS.get(vote).equals(row.getField("category")) ? 1 : 0;
            }
            JsonNode measured = function(evaluation, order.get(f));
            assertThat(measured.get("coverage").asDouble()).as(order.get(f)).isCloseTo((double) voted / n, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(measured.get("overlap").asDouble()).as(order.get(f)).isCloseTo((double) overlapping / n, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(measured.get("conflict").asDouble()).as(order.get(f)).isCloseTo((double) conflicting / n, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(measured.get("accuracy").asDouble()).as(order.get(f)).isCloseTo((double) right / voted, org.assertj.core.data.Offset.offset(1e-12));
        }

        // the model: coverage, accuracy, precision / recall / F1 per label, macro F1, confusion matrix
        long labelled = rows.stream().filter(row -> row.getField("label") != null).count();
        assertThat(Double.parseDouble(summary.get("kiln.label.coverage"))).isCloseTo((double) labelled / n, org.assertj.core.data.Offset.offset(1e-12));
        long[][] confusion = new long[4][5];
        for (Record row : rows) {
            Object label = row.getField("label");
            confusion[LABELS.indexOf((String) row.getField("category"))][label == null ? 4 : LABELS.indexOf((String) label)]++;
        }
        long right = 0;
        double f1Sum = 0;
        for (int l = 0; l < 4; l++) {
            right += confusion[l][l];
            long predicted = 0;
            long actual = 0;
            for (int other = 0; other < 4; other++) {
                predicted += confusion[other][l];
                actual += confusion[l][other];
            }
            actual += confusion[l][4];
            double precision = predicted == 0 ? 0 : (double) confusion[l][l] / predicted;
            double recall = actual == 0 ? 0 : (double) confusion[l][l] / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            f1Sum += f1;
            JsonNode perLabel = evaluation.at("/model/labels/" + l);
            assertThat(perLabel.get("label").asText()).isEqualTo(LABELS.get(l));
            assertThat(perLabel.get("precision").asDouble()).as(LABELS.get(l)).isCloseTo(precision, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(perLabel.get("recall").asDouble()).as(LABELS.get(l)).isCloseTo(recall, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(perLabel.get("f1").asDouble()).as(LABELS.get(l)).isCloseTo(f1, org.assertj.core.data.Offset.offset(1e-12));
        }
        assertThat(Double.parseDouble(summary.get("kiln.label.accuracy"))).isCloseTo((double) right / labelled, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Double.parseDouble(summary.get("kiln.label.macro-f1"))).isCloseTo(f1Sum / 4, org.assertj.core.data.Offset.offset(1e-12));
        JsonNode matrix = evaluation.at("/model/confusion");
        for (int l = 0; l < 4; l++) {
            assertThat(matrix.get(l).get("gold").asText()).isEqualTo(LABELS.get(l));
            for (int p = 0; p < 4; p++) {
                assertThat(matrix.get(l).get("predicted").get(LABELS.get(p)).asLong()).as("confusion[%d][%d]", l, p).isEqualTo(confusion[l][p]);
            }
            assertThat(matrix.get(l).get("noLabel").asLong()).as("confusion[%d] without a label", l).isEqualTo(confusion[l][4]);
        }
        // the report of .../snapshots/{id}/labels
        io.kiln.read.LabelReport.Report report = io.kiln.read.LabelReport.of("labels.fortunes", table, table.currentSnapshot().snapshotId());
        assertThat(report.labelledBy()).isEqualTo(table.currentSnapshot().snapshotId());
        assertThat(report.summary()).containsEntry("model", "majority").containsEntry("gold", "column category").doesNotContainKey("evaluation");
        assertThat(report.evaluation()).isEqualTo(evaluation);

        // the functions do better than chance on real quotes, and a vote is what the words say
        assertThat(Double.parseDouble(summary.get("kiln.label.accuracy"))).isGreaterThan(0.6);
        Record doctor = rows.stream().filter(row -> ((String) row.getField("text")).toLowerCase(java.util.Locale.ROOT).matches("(?s).*\\bdoctor\\b.*")).findFirst().orElseThrow();
        assertThat(votes(doctor).get(order.indexOf("medicine-words@1"))).isEqualTo(LABELS.indexOf("medicine"));
    }

    private static JsonNode function(JsonNode evaluation, String name) {
        for (JsonNode function : evaluation.get("functions")) {
            if (function.get("function").asText().equals(name)) {
                return function;
            }
        }
        throw new AssertionError("no function " + name + " in " + evaluation);
    }

    @Test
    void theOrderOfTheFunctionsTheThreadsAndTheBatchesChangeNoLabel() throws IOException {
        Map<String, Object> model = Map.of("type", "dawid-skene", "iterations", 30);
        List<Map<String, Object>> reversed = new ArrayList<>(functions());
        Collections.reverse(reversed);
        IngestPipeline.Result one = harness.run("ds-1", job("labels.one", functions(), model, Map.of("column", "category"), null), 1, 1000);
        IngestPipeline.Result two = harness.run("ds-2", job("labels.two", functions(), model, Map.of("column", "category"), null), 2, 7);
        assertThat(two.contentDigest()).as("threads and batches").isEqualTo(one.contentDigest());
        // listed in another order: another spec (so another recipe), the same votes, labels and confidences
        harness.run("ds-3", job("labels.three", reversed, model, Map.of("column", "category"), null), 2, 7);
        Map<Object, List<Object>> first = labelled(harness.catalog.loadTable(TableIdentifier.of("labels", "one")));
        Map<Object, List<Object>> third = labelled(harness.catalog.loadTable(TableIdentifier.of("labels", "three")));
        assertThat(third).isEqualTo(first);
        assertThat(first.values()).extracting(values -> values.get(0)).contains("food", "sports", "love", "medicine");
        String evaluation = harness.catalog.loadTable(TableIdentifier.of("labels", "one")).currentSnapshot().summary().get("kiln.label.evaluation");
        assertThat(harness.catalog.loadTable(TableIdentifier.of("labels", "three")).currentSnapshot().summary().get("kiln.label.evaluation")).isEqualTo(evaluation);
    }

    private static Map<Object, List<Object>> labelled(Table table) throws IOException {
        Map<Object, List<Object>> byId = new HashMap<>();
        for (Record row : PipelineHarness.rows(table)) {
            byId.put(row.getField("id"), java.util.Arrays.asList(row.getField("label"), row.getField("label_confidence"), row.getField("label_votes")));
        }
        return byId;
    }

    @Test
    void goldLabelsCanBeATableAtAPinAndAGateOnThemRejectsThePublish() throws IOException {
        // the human labels as their own table: the fortunes' ids and categories, pinned
        harness.run("gold-1", new JobSpec("labels.gold", new SourceSpec("file://" + FIXTURES + "/fortunes.jsonl", "jsonl", Map.of(),
                JSON.readTree("\"infer\""), null, null, null, null, null), List.of(), null, 0.0, null), 2, 50);
        Table gold = harness.catalog.loadTable(TableIdentifier.of("labels", "gold"));
        new Pins(harness.publisher).create(gold, "gold-v1", gold.currentSnapshot().snapshotId(), "test", "human labels", Optional.empty());

        Files.createDirectories(temp.resolve("suites"));
        Files.writeString(temp.resolve("suites/labels-good.dqdl"), "Rules = [ LabelCoverage >= 0.3, LabelAccuracy \"gold-v1\" >= 0.6 ]\n");
        Files.writeString(temp.resolve("suites/labels-strict.dqdl"), "Rules = [ LabelCoverage >= 0.95, LabelAccuracy \"gold-v1\" >= 0.6 ]\n");
        Map<String, Object> fromTable = Map.of("table", "labels.gold", "pin", "gold-v1", "column", "category");

        PipelineHarness.Audited good = harness.audit("gated-1", job("labels.gated", functions(), Map.of("type", "majority"), fromTable, "labels-good"), 2, 25);
        assertThat(good.outcome().published()).as("%s", good.outcome().checks()).isTrue();
        Map<String, String> summary = harness.catalog.loadTable(TableIdentifier.of("labels", "gated")).currentSnapshot().summary();
        assertThat(summary.get("kiln.label.gold")).startsWith("labels.gold@" + gold.currentSnapshot().snapshotId());
        assertThat(summary).containsEntry("kiln.label.gold-pin", "gold-v1").containsEntry("kiln.label.gold-rows", "569");
        harness.run("column-1", job("labels.by_column", functions(), Map.of("type", "majority"), Map.of("column", "category"), null), 2, 25);
        assertThat(summary.get("kiln.label.accuracy")).as("the same labels from the table as from the column")
                .isEqualTo(harness.catalog.loadTable(TableIdentifier.of("labels", "by_column")).currentSnapshot().summary().get("kiln.label.accuracy"));

        long main = harness.catalog.loadTable(TableIdentifier.of("labels", "gated")).currentSnapshot().snapshotId();
        PipelineHarness.Audited strict = harness.audit("gated-2", job("labels.gated", functions(), Map.of("type", "majority"), fromTable, "labels-strict"), 2, 25);
        assertThat(strict.outcome().published()).isFalse();
        assertThat(strict.outcome().checks()).filteredOn(check -> !check.passed()).singleElement().satisfies(check -> {
            assertThat(check.rule()).isEqualTo("LabelCoverage >= 0.95");
            assertThat(check.message()).startsWith("coverage is 0.").endsWith(", not >= 0.95");
        });
        Table gated = harness.catalog.loadTable(TableIdentifier.of("labels", "gated"));
        assertThat(gated.currentSnapshot().snapshotId()).as("main is unchanged").isEqualTo(main);
    }

    @Test
    void aLabelStudioExportIngestsAsATableOfHumanLabelsAndServesAsGold() throws IOException {
        JobSpec imported = new JobSpec("labels.studio", new SourceSpec("file://" + FIXTURES + "/label-studio-export.json", "label-studio", Map.of(),
                null, null, null, null, null, null), List.of(), null, 0.5, null);
        IngestPipeline.Result result = harness.run("studio-1", imported, 2, 2);
        assertThat(result.read()).isEqualTo(6);
        assertThat(result.written()).isEqualTo(5);
        assertThat(result.rejectedByReason()).containsExactly(Map.entry("extract/no-annotation", 1L));
        Table studio = harness.catalog.loadTable(TableIdentifier.of("labels", "studio"));
        Map<Object, Record> byId = new HashMap<>();
        PipelineHarness.rows(studio).forEach(row -> byId.put(row.getField("id"), row));
        assertThat(byId.keySet()).containsExactlyInAnyOrder("food-0001", "food-0005", "sports-0002", "love-0003", "medicine-0004");
        assertThat(byId.get("food-0001").getField("label")).isEqualTo("food");
        assertThat(byId.get("food-0001").getField("task_id")).isEqualTo(101L);
        assertThat(byId.get("food-0001").getField("annotator")).isEqualTo("2");
        assertThat(byId.get("love-0003").getField("annotator")).as("the annotation after the cancelled one").isEqualTo("ana@example.org");
        assertThat(byId.get("medicine-0004").getField("label")).as("a human label that disagrees with the file").isEqualTo("love");
        assertThat((String) byId.get("love-0003").getField("text")).isNotBlank();
        List<Record> rejects = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("labels", "studio__rejects")));
        assertThat(rejects).singleElement().satisfies(reject -> {
            assertThat(reject.getField("_kiln_source_pos")).isEqualTo("task:3");
            assertThat((String) reject.getField("detail")).isEqualTo("task 104 has no annotation that is not cancelled with a choices result");
        });

        new Pins(harness.publisher).create(studio, "studio-v1", studio.currentSnapshot().snapshotId(), "test", "human labels", Optional.empty());
        harness.run("gold-studio", job("labels.against_studio", functions(), Map.of("type", "majority"),
                Map.of("table", "labels.studio", "pin", "studio-v1", "column", "label"), null), 2, 25);
        Map<String, String> summary = harness.catalog.loadTable(TableIdentifier.of("labels", "against_studio")).currentSnapshot().summary();
        assertThat(summary).containsEntry("kiln.label.gold-rows", "5").containsEntry("kiln.label.gold-pin", "studio-v1");
    }

    @Test
    void aSimilarityFunctionVotesForRowsWhoseVectorIsNearASeedOfAPinnedTable() throws IOException {
        // made-up 4-dimensional vectors: two seeds of "food", and rows near them, far from them, and without a vector
        Files.writeString(temp.resolve("seeds.jsonl"), """
                {"id": "seed-1", "label": "food", "embedding": [1.0, 0.0, 0.0, 0.0]}
                {"id": "seed-2", "label": "food", "embedding": [0.0, 1.0, 0.0, 0.0]}
                {"id": "seed-3", "label": "love", "embedding": [0.0, 0.0, 1.0, 0.0]}
                """);
        String schema = "[{\"name\": \"label\", \"type\": \"string\"}, {\"name\": \"embedding\", \"type\": \"list<float>\"}]";
        harness.run("seeds-1", new JobSpec("labels.seeds", new SourceSpec("file://" + temp.resolve("seeds.jsonl"), "jsonl", Map.of(), JSON.readTree(schema),
                null, null, null, null, null), List.of(), null, 0.0, null), 1, 10);
        Table seeds = harness.catalog.loadTable(TableIdentifier.of("labels", "seeds"));
        new Pins(harness.publisher).create(seeds, "seeds-v1", seeds.currentSnapshot().snapshotId(), "test", "labelled examples", Optional.empty());

        Map<String, float[]> rows = new LinkedHashMap<>();
        rows.put("near-1", new float[] {0.9f, 0.1f, 0.0f, 0.1f});
        rows.put("near-2", new float[] {0.2f, 2.0f, 0.1f, 0.0f});
        rows.put("between", new float[] {1.0f, 1.0f, 1.0f, 1.0f});
        rows.put("far", new float[] {0.0f, 0.0f, 0.3f, 1.0f});
        rows.put("zero", new float[] {0.0f, 0.0f, 0.0f, 0.0f});
        StringBuilder lines = new StringBuilder();
        rows.forEach((id, vector) -> lines.append(String.format(java.util.Locale.ROOT, "{\"id\": \"%s\", \"text\": \"t\", \"embedding\": [%s, %s, %s, %s]}%n",
                id, vector[0], vector[1], vector[2], vector[3])));
        lines.append("{\"id\": \"none\", \"text\": \"t\"}\n");
        Files.writeString(temp.resolve("rows.jsonl"), lines);
        String rowSchema = "[{\"name\": \"text\", \"type\": \"string\"}, {\"name\": \"embedding\", \"type\": \"list<float>\"}]";
        Map<String, Object> similar = Map.of("id", "like-food", "kind", "similarity", "label", "food", "threshold", 0.8,
                "seeds", Map.of("table", "labels.seeds", "pin", "seeds-v1", "ids", List.of("seed-1", "seed-2")));
        Map<String, Object> params = Map.of("labels", LABELS, "functions", List.of(similar));
        harness.run("similar-1", new JobSpec("labels.similar", new SourceSpec("file://" + temp.resolve("rows.jsonl"), "jsonl", Map.of(), JSON.readTree(rowSchema),
                null, null, null, null, null), List.of(new StepSpec("label", params)), null, 0.0, null), 2, 2);

        Table table = harness.catalog.loadTable(TableIdentifier.of("labels", "similar"));
        Map<Object, Object> labels = new HashMap<>();
        PipelineHarness.rows(table).forEach(row -> labels.put(row.getField("id"), row.getField("label")));
        double[][] seedVectors = {{1, 0, 0, 0}, {0, 1, 0, 0}};
        rows.forEach((id, vector) -> {
            double norm = 0;
            for (float element : vector) {
                norm += element * element;
            }
            double best = -2;
            for (double[] seed : seedVectors) {
                double dot = 0;
                for (int i = 0; i < 4; i++) {
                    dot += seed[i] * vector[i];
                }
                best = Math.max(best, norm == 0 ? -2 : dot / Math.sqrt(norm));
            }
            assertThat(labels.get(id)).as("%s, cosine %s", id, best).isEqualTo(best >= 0.8 ? "food" : null);
        });
        assertThat(labels).containsEntry("near-1", "food").containsEntry("near-2", "food").containsEntry("none", null);
        assertThat(labels.get("between")).isNull();
        assertThat(table.currentSnapshot().summary().get("kiln.recipe-spec")).contains("like-food.seeds").contains("labels.seeds@" + seeds.currentSnapshot().snapshotId());

        // vectors this job's embed step makes cannot be compared with seeds of no recorded (or another) model
        JobSpec embedded = new JobSpec("labels.similar", new SourceSpec("file://" + temp.resolve("rows.jsonl"), "jsonl", Map.of(), JSON.readTree(rowSchema),
                null, null, null, null, null), List.of(new StepSpec("embed", Map.of()), new StepSpec("label", params)), null, 0.0, null);
        assertThatThrownBy(() -> harness.binder.bind(embedded)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).violations()).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("steps[1].params.functions[0].seeds.pin");
                    assertThat(violation.message()).contains("no recorded model").contains("all-minilm-l6-v2");
                }));
    }

    @Test
    void aPredicateFunctionVotesOnTheRowsOtherColumns() throws IOException {
        Files.writeString(temp.resolve("reviews.jsonl"), """
                {"id": "r1", "text": "arrived on time", "stars": 5, "verified": true, "seen": "2026-01-02"}
                {"id": "r2", "text": "broken on arrival", "stars": 1, "verified": true, "seen": "2026-01-03"}
                {"id": "r3", "text": "broken but refunded", "stars": 2, "verified": false, "seen": "2025-12-30"}
                {"id": "r4", "text": "fine", "stars": 3, "verified": true}
                {"id": "r5", "text": "no stars given", "verified": true, "seen": "2026-02-01"}
                """);
        String schema = "[{\"name\": \"text\", \"type\": \"string\"}, {\"name\": \"stars\", \"type\": \"int\"}, "
                + "{\"name\": \"verified\", \"type\": \"boolean\"}, {\"name\": \"seen\", \"type\": \"date\"}]";
        List<Map<String, Object>> functions = List.of(
                Map.of("id", "high-stars", "kind", "predicate", "where", "stars >= 4", "label", "positive"),
                Map.of("id", "verified-low", "kind", "predicate", "where", "stars <= 2 and verified = true", "label", "negative"),
                Map.of("id", "recent-unrated", "kind", "predicate", "where", "stars is null and seen >= '2026-01-01'", "label", "negative"));
        Map<String, Object> params = Map.of("labels", List.of("positive", "negative"), "functions", functions);
        SourceSpec source = new SourceSpec("file://" + temp.resolve("reviews.jsonl"), "jsonl", Map.of(), JSON.readTree(schema), null, null, null, null, null);
        harness.run("predicates", new JobSpec("labels.reviews", source, List.of(new StepSpec("label", params)), null, 0.0, null), 2, 2);
        Map<Object, Record> rows = new HashMap<>();
        PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("labels", "reviews"))).forEach(row -> rows.put(row.getField("id"), row));
        // votes in function id order: high-stars, recent-unrated, verified-low; 0 = positive, 1 = negative, -1 = abstain
        assertThat(rows.get("r1").getField("label_votes")).isEqualTo(List.of(0, -1, -1));
        assertThat(rows.get("r2").getField("label_votes")).isEqualTo(List.of(-1, -1, 1));
        assertThat(rows.get("r3").getField("label_votes")).isEqualTo(List.of(-1, -1, -1));
        assertThat(rows.get("r4").getField("label_votes")).isEqualTo(List.of(-1, -1, -1));
        assertThat(rows.get("r5").getField("label_votes")).isEqualTo(List.of(-1, 1, -1));
        assertThat(rows.get("r1").getField("label")).isEqualTo("positive");
        assertThat(rows.get("r5").getField("label")).isEqualTo("negative");

        Map<String, Object> bad = Map.of("labels", List.of("positive", "negative"), "functions",
                List.of(Map.of("id", "typo", "kind", "predicate", "where", "strs >= 4", "label", "positive")));
        assertThatThrownBy(() -> harness.binder.bind(new JobSpec("labels.reviews", source, List.of(new StepSpec("label", bad)), null, 0.0, null)))
                .isInstanceOf(KilnException.class).satisfies(e -> assertThat(((KilnException) e).violations()).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("steps[0].params.functions[0].where");
                    assertThat(violation.message()).contains("strs").contains("the rows have the columns id, text, stars, verified, seen");
                }));
    }

    @Test
    void aClassifierFunctionVotesForTheClassAnOnnxModelGivesTheRowsVector() throws IOException {
        Map<String, float[]> rows = new LinkedHashMap<>();
        rows.put("foodish", new float[] {0.9f, 0.8f, 0.0f, 0.1f});
        rows.put("loveish", new float[] {0.0f, 0.1f, 1.2f, 0.0f});
        rows.put("unsure", new float[] {0.5f, 0.0f, 0.55f, 0.0f});
        rows.put("short", new float[] {1.0f, 1.0f, 0.0f});
        StringBuilder lines = new StringBuilder();
        rows.forEach((id, vector) -> {
            List<String> values = new ArrayList<>();
            for (float value : vector) {
                values.add(Float.toString(value));
            }
            lines.append("{\"id\": \"").append(id).append("\", \"text\": \"t\", \"embedding\": [").append(String.join(", ", values)).append("]}\n");
        });
        lines.append("{\"id\": \"none\", \"text\": \"t\"}\n");
        Files.writeString(temp.resolve("vectors.jsonl"), lines);
        String rowSchema = "[{\"name\": \"text\", \"type\": \"string\"}, {\"name\": \"embedding\", \"type\": \"list<float>\"}]";
        Path model = FIXTURES.resolve("linear-classifier.onnx");
        Map<String, Object> classifier = Map.of("id", "head", "kind", "classifier", "modelPath", model.toString(),
                "modelSha256", "1f0d244efab0fce20380e645bc58ddc1ef17b03c7973204c1137c28b4dfe0685", "classes", List.of("food", "love"), "minProbability", 0.8);
        SourceSpec source = new SourceSpec("file://" + temp.resolve("vectors.jsonl"), "jsonl", Map.of(), JSON.readTree(rowSchema), null, null, null, null, null);
        harness.run("classifier", new JobSpec("labels.classified", source, List.of(new StepSpec("label", Map.of("labels", LABELS, "functions", List.of(classifier)))),
                null, 0.0, null), 2, 2);
        Map<Object, Object> labels = new HashMap<>();
        Table table = harness.catalog.loadTable(TableIdentifier.of("labels", "classified"));
        PipelineHarness.rows(table).forEach(row -> labels.put(row.getField("id"), row.getField("label")));
        // the model by hand: logits W x + b, softmax; vote when the best class has probability >= 0.8
        double[][] weights = {{1.5, 1.5, -1.0, 0.0}, {-1.0, -1.0, 2.0, 0.0}};
        double[] bias = {0.0, 0.25};
        rows.forEach((id, vector) -> {
            if (vector.length != 4) {
                assertThat(labels.get(id)).as("%s has no vector of the model's dimension", id).isNull();
                return;
            }
            double[] logits = new double[2];
            for (int c = 0; c < 2; c++) {
                logits[c] = bias[c];
                for (int i = 0; i < 4; i++) {
                    logits[c] += weights[c][i] * vector[i];
                }
            }
            double food = 1 / (1 + Math.exp(logits[1] - logits[0]));
            String expected = food >= 0.8 ? "food" : 1 - food >= 0.8 ? "love" : null;
            assertThat(labels.get(id)).as("%s, p(food) %s", id, food).isEqualTo(expected);
        });
        assertThat(labels).containsEntry("foodish", "food").containsEntry("loveish", "love").containsEntry("unsure", null).containsEntry("none", null);
        assertThat(table.currentSnapshot().summary().get("kiln.recipe-spec")).contains("1f0d244efab0fce20380e645bc58ddc1ef17b03c7973204c1137c28b4dfe0685");

        Map<String, Object> wrongPin = new HashMap<>(classifier);
        wrongPin.put("modelSha256", "00");
        Map<String, Object> wrongClasses = new HashMap<>(classifier);
        wrongClasses.put("classes", List.of("food", "love", "sports"));
        for (Map.Entry<String, Map<String, Object>> bad : Map.of("steps[0].params.functions[0].modelSha256", wrongPin,
                "steps[0].params.functions[0].classes", wrongClasses).entrySet()) {
            assertThatThrownBy(() -> harness.binder.bind(new JobSpec("labels.classified", source, List.of(new StepSpec("label", Map.of("labels", LABELS,
                    "functions", List.of(bad.getValue())))), null, 0.0, null))).as(bad.getKey()).isInstanceOf(KilnException.class)
                    .satisfies(e -> assertThat(((KilnException) e).violations()).extracting(io.kiln.error.Violation::field).contains(bad.getKey()));
        }
    }

    @Test
    void aBadSpecIsRefusedNamingTheField() throws IOException {
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        List<Map<String, Object>> unknownLabel = new ArrayList<>(functions());
        unknownLabel.set(0, Map.of("id", "x", "kind", "keywords", "keywords", List.of("a"), "label", "cars"));
        cases.put("steps[0].params.functions[0].label", Map.of("labels", LABELS, "functions", unknownLabel));
        List<Map<String, Object>> badRegex = new ArrayList<>(functions());
        badRegex.set(1, Map.of("id", "y", "kind", "regex", "pattern", "(unclosed", "label", "food"));
        cases.put("steps[0].params.functions[1].pattern", Map.of("labels", LABELS, "functions", badRegex));
        cases.put("steps[0].params.model.type", Map.of("labels", LABELS, "functions", functions(), "model", Map.of("type", "weighted")));
        cases.put("steps[0].params.gold.pin", Map.of("labels", LABELS, "functions", functions(),
                "gold", Map.of("table", "labels.none", "pin", "p", "column", "label")));
        for (Map.Entry<String, Map<String, Object>> entry : cases.entrySet()) {
            JobSpec spec = new JobSpec("labels.bad", new SourceSpec("file://" + FIXTURES + "/fortunes.jsonl", "jsonl", Map.of(), JSON.readTree("\"infer\""),
                    null, null, null, null, null), List.of(new StepSpec("label", entry.getValue())), null, 0.9, null);
            assertThatThrownBy(() -> harness.binder.bind(spec)).as(entry.getKey()).isInstanceOf(KilnException.class)
                    .satisfies(e -> assertThat(((KilnException) e).violations()).extracting(io.kiln.error.Violation::field).contains(entry.getKey()));
        }
    }
}
