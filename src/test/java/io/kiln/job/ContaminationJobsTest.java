package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.KilnException;
import io.kiln.lake.Pins;

/**
 * The planted positive control of the contamination checks: eval items pasted into training
 * documents verbatim and with edits are found by 13-gram overlap, items said again in other words
 * by the embedding check, and clean text on the same topics by neither; the three modes, and the
 * suite rule that refuses a contaminated batch.
 */
class ContaminationJobsTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/contamination").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    PipelineHarness harness;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(FIXTURES, temp));
        harness.run("evals", spec("evals.qa", "evals.jsonl", List.of(), null), 1, 100);
        Table evals = harness.catalog.loadTable(TableIdentifier.of("evals", "qa"));
        new Pins(harness.publisher).create(evals, "v1", evals.currentSnapshot().snapshotId(), "test", "the benchmark as released", Optional.empty());
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static JobSpec spec(String table, String file, List<StepSpec> steps, String checks) throws IOException {
        SourceSpec source = new SourceSpec("file://" + FIXTURES + "/" + file, "jsonl", Map.of(), JSON.readTree("\"infer\""), null, null, null, null, null);
        return new JobSpec(table, source, steps, checks, 0.9, null);
    }

    private static StepSpec contamination(Map<String, Object> extra) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("evalSets", List.of(Map.of("table", "evals.qa", "pin", "v1")));
        params.putAll(extra);
        return new StepSpec("contamination", params);
    }

    private Map<String, Record> rowsById(String table) throws IOException {
        Map<String, Record> rows = new HashMap<>();
        PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse(table))).forEach(row -> rows.put((String) row.getField("id"), row));
        return rows;
    }

    @Test
    void flagsVerbatimAndEditedPastesByThirteenGramsAndLeavesCleanTextAlone() throws IOException {
        harness.run("flag", spec("train.flag", "train.jsonl", List.of(contamination(Map.of())), null), 2, 3);
        Map<String, Record> rows = rowsById("train.flag");
        assertThat(rows).hasSize(10);
        assertThat(rows.get("doc-verbatim").getField("contaminated_by")).isEqualTo(List.of("evals.qa/qa-001"));
        assertThat(rows.get("doc-edited").getField("contaminated_by")).isEqualTo(List.of("evals.qa/qa-002"));
        assertThat((Double) rows.get("doc-verbatim").getField("contamination_score")).isBetween(0.2, 0.7);
        assertThat((Double) rows.get("doc-edited").getField("contamination_score")).isBetween(0.2, 1.0);
        for (String clean : List.of("doc-clean-1", "doc-clean-2", "doc-clean-3", "doc-clean-4", "doc-clean-5", "doc-paraphrase", "doc-paraphrase-2")) {
            assertThat(rows.get(clean).getField("contaminated_by")).as(clean).isEqualTo(List.of());
            assertThat(rows.get(clean).getField("contamination_score")).as(clean).isEqualTo(0.0);
        }
        // the boilerplate sentence is in two eval items: with a cap of 1 it is a common phrase, not a leak
        assertThat(rows.get("doc-boilerplate").getField("contaminated_by")).isEqualTo(List.of("evals.qa/qa-007", "evals.qa/qa-008"));
        harness.run("again", spec("train.flag_again", "train.jsonl", List.of(contamination(Map.of())), null), 1, 100);
        assertThat(harness.catalog.loadTable(TableIdentifier.parse("train.flag_again")).currentSnapshot().summary().get("kiln.content-digest"))
                .as("the same rows and digest on 1 thread in one batch as on 2 threads in batches of 3")
                .isEqualTo(harness.catalog.loadTable(TableIdentifier.parse("train.flag")).currentSnapshot().summary().get("kiln.content-digest"));
        harness.run("capped", spec("train.capped", "train.jsonl", List.of(contamination(Map.of("frequencyCap", 1))), null), 1, 100);
        assertThat(rowsById("train.capped").get("doc-boilerplate").getField("contaminated_by")).isEqualTo(List.of());
        Map<String, String> summary = harness.catalog.loadTable(TableIdentifier.parse("train.flag")).currentSnapshot().summary();
        assertThat(summary.get("kiln.recipe-spec")).contains("evals.qa@" + harness.catalog.loadTable(TableIdentifier.of("evals", "qa")).currentSnapshot().snapshotId())
                .contains("ngram-normalize@1");
    }

    @Test
    void dropModeRejectsContaminatedRowsNamingTheEvalItems() throws IOException {
        IngestPipeline.Result result = harness.run("drop", spec("train.drop", "train.jsonl", List.of(contamination(Map.of("mode", "drop"))), null), 2, 4);
        assertThat(result.written()).isEqualTo(7);
        assertThat(result.rejected()).isEqualTo(3);
        Map<String, Record> rejects = new HashMap<>();
        PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("train", "drop__rejects"))).forEach(row -> rejects.put((String) row.getField("record_id"), row));
        assertThat(rejects.keySet()).containsExactlyInAnyOrder("doc-verbatim", "doc-edited", "doc-boilerplate");
        assertThat(rejects.get("doc-verbatim").getField("reason")).isEqualTo("contaminated");
        assertThat((String) rejects.get("doc-verbatim").getField("detail")).contains("evals.qa/qa-001").contains("13-grams");
    }

    @Test
    void removeSpanCutsThePasteWithItsMarginAndKeepsTheRest() throws IOException {
        harness.run("cut", spec("train.cut", "train.jsonl", List.of(contamination(Map.of("mode", "remove-span", "margin", 20))), null), 1, 100);
        Map<String, Record> rows = rowsById("train.cut");
        String cut = (String) rows.get("doc-verbatim").getField("text");
        assertThat(cut).doesNotContain("Gull Island").doesNotContain("lamp oil").startsWith("Notes from the weekly reading group.")
                .endsWith("which led to a long argument about tides.");
        assertThat(rows.get("doc-verbatim").getField("contaminated_by")).isEqualTo(List.of("evals.qa/qa-001"));
        // a clean row keeps its text as the fixture has it
        String fixture = java.nio.file.Files.readAllLines(FIXTURES.resolve("train.jsonl")).stream().map(line -> {
            try {
                return JSON.readTree(line);
            }
            catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).filter(node -> node.get("id").asText().equals("doc-clean-1")).findFirst().orElseThrow().get("text").asText();
        assertThat(rows.get("doc-clean-1").getField("text")).isEqualTo(fixture);
        assertThat(rows.get("doc-clean-1").getField("contaminated_by")).isEqualTo(List.of());

        IngestPipeline.Result pieces = harness.run("pieces", spec("train.pieces", "train.jsonl",
                List.of(contamination(Map.of("mode", "remove-span", "margin", 0, "maxPieces", 1, "n", 3))), null), 1, 100);
        assertThat(pieces.rejectedByReason()).containsKey("contamination@1/contaminated-too-many-pieces");
    }

    @Test
    void findsParaphrasesByEmbeddingsOfTheSameModelAtTheDocumentedThreshold() throws IOException {
        StepSpec embed = new StepSpec("embed", Map.of());
        harness.run("evals-embedded", spec("evals.qa_vectors", "evals.jsonl", List.of(embed), null), 1, 100);
        Table evals = harness.catalog.loadTable(TableIdentifier.of("evals", "qa_vectors"));
        new Pins(harness.publisher).create(evals, "v1", evals.currentSnapshot().snapshotId(), "test", "with vectors", Optional.empty());
        StepSpec check = new StepSpec("contamination", Map.of("evalSets", List.of(Map.of("table", "evals.qa_vectors", "pin", "v1")), "vectorColumn", "embedding",
                "threshold", 0.8));
        harness.run("paraphrase", spec("train.paraphrase", "train.jsonl", List.of(embed, check), null), 2, 3);
        Map<String, Record> rows = rowsById("train.paraphrase");
        assertThat(rows.get("doc-paraphrase").getField("contaminated_by")).isEqualTo(List.of("evals.qa_vectors/qa-003"));
        assertThat(rows.get("doc-paraphrase-2").getField("contaminated_by")).isEqualTo(List.of("evals.qa_vectors/qa-006"));
        assertThat((Double) rows.get("doc-paraphrase").getField("contamination_score")).isGreaterThanOrEqualTo(0.8);
        for (String clean : List.of("doc-clean-1", "doc-clean-2", "doc-clean-3", "doc-clean-4", "doc-clean-5")) {
            assertThat(rows.get(clean).getField("contaminated_by")).as(clean).isEqualTo(List.of());
        }

        // the report: each eval item's nearest rows by exact cosine similarity, the dirty and clean items, the shared source files
        Table train = harness.catalog.loadTable(TableIdentifier.parse("train.paraphrase"));
        io.kiln.read.ContaminationReport.Report report = io.kiln.read.ContaminationReport.of("train.paraphrase", train, train.currentSnapshot().snapshotId(),
                name -> harness.catalog.loadTable(TableIdentifier.parse(name)),
                new io.kiln.read.ContaminationReport.Request("evals.qa_vectors@v1", "text", "text", Optional.of("embedding"), 13, 10, 3));
        assertThat(report.rows()).isEqualTo(10);
        assertThat(report.dirty()).containsExactly("qa-001", "qa-002", "qa-007", "qa-008");
        assertThat(report.clean()).containsExactly("qa-003", "qa-004", "qa-005", "qa-006");
        assertThat(report.dirtyRate()).isEqualTo(0.5);
        assertThat(report.items()).filteredOn(item -> item.id().equals("qa-003")).singleElement().satisfies(item -> {
            assertThat(item.overlappingRows()).isZero();
            assertThat(item.nearest()).hasSize(3);
            assertThat(item.nearest().get(0).row()).isEqualTo("doc-paraphrase");
            assertThat(item.nearest().get(0).similarity()).isGreaterThanOrEqualTo(0.8f).isEqualTo(
                    io.kiln.contamination.ExactCosine.similarity(io.kiln.contamination.ExactCosine.normalize(vector(evals, "qa-003")),
                            io.kiln.contamination.ExactCosine.normalize(vector(train, "doc-paraphrase"))));
        });
        assertThat(report.items()).filteredOn(item -> item.id().equals("qa-001")).singleElement()
                .satisfies(item -> assertThat(item.rows()).containsExactly("doc-verbatim"));
        assertThat(report.sharedSources()).isEmpty();
        io.kiln.read.ContaminationReport.Report itself = io.kiln.read.ContaminationReport.of("evals.qa", harness.catalog.loadTable(TableIdentifier.of("evals", "qa")),
                harness.catalog.loadTable(TableIdentifier.of("evals", "qa")).currentSnapshot().snapshotId(), name -> harness.catalog.loadTable(TableIdentifier.parse(name)),
                new io.kiln.read.ContaminationReport.Request("evals.qa_vectors@v1", "text", "text", Optional.empty(), 13, 10, 3));
        assertThat(itself.dirty()).hasSize(8);
        assertThat(itself.sharedSources()).containsExactly("file://" + FIXTURES + "/evals.jsonl");

        // vectors of two models mean nothing together: without the embed step before it, the job is refused
        assertThatThrownBy(() -> harness.binder.bind(spec("train.nomodel", "train.jsonl", List.of(check), null))).isInstanceOf(KilnException.class)
                .satisfies(error -> assertThat(((KilnException) error).violations()).anySatisfy(violation -> {
                    assertThat(violation.field()).isEqualTo("steps[0].params.vectorColumn");
                    assertThat(violation.message()).contains("embed step before this one");
                }));
    }

    @Test
    void findsAnEvalImageResizedAndRecompressedByItsPerceptualHash() throws IOException {
        Path images = Path.of("src/test/resources/images").toAbsolutePath();
        Path evalFolder = Files.createDirectories(temp.resolve("eval-images"));
        for (String name : List.of("camera.png", "coins.png", "horse.png")) {
            Files.copy(images.resolve(name), evalFolder.resolve(name));
        }
        Path trainFolder = Files.createDirectories(temp.resolve("train-images"));
        java.awt.image.BufferedImage camera = javax.imageio.ImageIO.read(images.resolve("camera.png").toFile());
        java.awt.image.BufferedImage smaller = new java.awt.image.BufferedImage(camera.getWidth() / 2, camera.getHeight() / 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D graphics = smaller.createGraphics();
        graphics.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        graphics.drawImage(camera, 0, 0, smaller.getWidth(), smaller.getHeight(), null);
        graphics.dispose();
        javax.imageio.ImageIO.write(smaller, "jpg", trainFolder.resolve("photo-0001.jpg").toFile());
        Files.copy(images.resolve("moon.png"), trainFolder.resolve("photo-0002.png"));
        Files.copy(images.resolve("text.png"), trainFolder.resolve("photo-0003.png"));
        StepSpec normalize = new StepSpec("image-normalize", Map.of("resize", "fit", "width", 128, "height", 128));
        harness.run("eval-images", new JobSpec("evals.images", new SourceSpec("file://" + evalFolder, "image", Map.of(), null, null, null, null, null, null),
                List.of(normalize), null, 0.5, null), 1, 10);
        Table evals = harness.catalog.loadTable(TableIdentifier.of("evals", "images"));
        new Pins(harness.publisher).create(evals, "v1", evals.currentSnapshot().snapshotId(), "test", "eval images", Optional.empty());
        StepSpec check = new StepSpec("contamination", Map.of("evalSets", List.of(Map.of("table", "evals.images", "pin", "v1")), "phashColumn", "phash"));
        harness.run("train-images", new JobSpec("train.images", new SourceSpec("file://" + trainFolder, "image", Map.of(), null, null, null, null, null, null),
                List.of(normalize, check), null, 0.5, null), 2, 1);
        Map<String, Record> rows = rowsById("train.images");
        assertThat(rows).hasSize(3);
        String cameraId = PipelineHarness.rows(evals).stream().map(row -> (String) row.getField("id")).filter(id -> id.contains("camera")).findFirst().orElseThrow();
        Map<String, Object> flagged = new HashMap<>();
        rows.forEach((id, row) -> flagged.put(id, row.getField("contaminated_by")));
        assertThat(flagged.entrySet()).filteredOn(entry -> !((List<?>) entry.getValue()).isEmpty()).singleElement().satisfies(entry -> {
            assertThat((String) entry.getKey()).contains("photo-0001");
            assertThat(entry.getValue()).isEqualTo(List.of("evals.images/" + cameraId));
        });
    }

    @Test
    void findsAnEvalRecordingReEncodedByItsAudioLandmarks() throws IOException {
        Path audio = Path.of("src/test/resources/audio").toAbsolutePath();
        Path evalFolder = Files.createDirectories(temp.resolve("eval-sounds"));
        Files.copy(audio.resolve("agent-pass.wav"), evalFolder.resolve("agent-pass.wav"));
        Files.copy(audio.resolve("hello-world.wav"), evalFolder.resolve("hello-world.wav"));
        Path trainFolder = Files.createDirectories(temp.resolve("train-sounds"));
        Files.copy(audio.resolve("agent-pass.mp3"), trainFolder.resolve("clip-1.mp3"));
        Files.copy(audio.resolve("bell.oga"), trainFolder.resolve("clip-2.oga"));
        Files.copy(audio.resolve("rumpf-beats_06-15.flac"), trainFolder.resolve("clip-3.flac"));
        StepSpec normalize = new StepSpec("audio-normalize", Map.of());
        harness.run("eval-sounds", new JobSpec("evals.sounds", new SourceSpec("file://" + evalFolder, "audio", Map.of(), null, null, null, null, null, null),
                List.of(normalize), null, 0.5, null), 1, 10);
        Table evals = harness.catalog.loadTable(TableIdentifier.of("evals", "sounds"));
        new Pins(harness.publisher).create(evals, "v1", evals.currentSnapshot().snapshotId(), "test", "eval sounds", Optional.empty());
        StepSpec check = new StepSpec("contamination", Map.of("evalSets", List.of(Map.of("table", "evals.sounds", "pin", "v1")), "audioColumn", "audio", "mode", "drop"));
        IngestPipeline.Result result = harness.run("train-sounds", new JobSpec("train.sounds", new SourceSpec("file://" + trainFolder, "audio", Map.of(), null,
                null, null, null, null, null), List.of(normalize, check), null, 0.5, null), 2, 1);
        assertThat(result.written()).isEqualTo(2);
        List<Record> rejects = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.of("train", "sounds__rejects")));
        assertThat(rejects).singleElement().satisfies(reject -> {
            assertThat(reject.getField("record_id")).isEqualTo("clip-1.mp3");
            assertThat(reject.getField("reason")).isEqualTo("contaminated");
            assertThat((String) reject.getField("detail")).contains("audio landmarks").contains("evals.sounds/agent-pass.wav");
        });
    }

    @Test
    void aContaminatedBatchIsRejectedByTheSuiteAndMainIsUnchanged() throws IOException {
        Files.createDirectories(temp.resolve("suites"));
        Files.writeString(temp.resolve("suites/clean.dqdl"), "Rules = [ Contamination \"evals.qa@v1\" <= 0.0 ]\n");
        harness.run("clean", spec("train.gated", "clean-only.jsonl", List.of(), "clean"), 1, 100);
        Table table = harness.catalog.loadTable(TableIdentifier.of("train", "gated"));
        long published = table.currentSnapshot().snapshotId();

        PipelineHarness.Audited dirty = harness.audit("dirty", spec("train.gated", "train.jsonl", List.of(), "clean"), 1, 100);
        assertThat(dirty.outcome().published()).isFalse();
        assertThat(dirty.outcome().checks()).filteredOn(check -> !check.passed()).singleElement().satisfies(check -> {
            assertThat(check.rule()).isEqualTo("Contamination \"evals.qa@v1\" <= 0.0");
            assertThat(check.message()).contains("4 of the 8 items of evals.qa").contains("qa-001, qa-002, qa-007, qa-008");
        });
        table.refresh();
        assertThat(table.currentSnapshot().snapshotId()).as("main").isEqualTo(published);

        assertThatThrownBy(() -> harness.binder.bind(spec("train.gated", "train.jsonl", List.of(), "missing"))).isInstanceOf(KilnException.class);
        Files.writeString(temp.resolve("suites/missing.dqdl"), "Rules = [ Contamination \"evals.qa@v9\" <= 0.0 ]\n");
        assertThatThrownBy(() -> harness.binder.bind(spec("train.gated", "train.jsonl", List.of(), "missing"))).isInstanceOf(KilnException.class)
                .satisfies(error -> assertThat(((KilnException) error).violations()).anySatisfy(violation ->
                        assertThat(violation.message()).contains("eval set evals.qa@v9 has no published snapshot or pin 'v9'")));
    }

    @Test
    void namesEachBadParameter() {
        List<Map.Entry<Map<String, Object>, String>> cases = new ArrayList<>();
        cases.add(Map.entry(Map.of(), "steps[0].params.evalSets"));
        cases.add(Map.entry(Map.of("evalSets", List.of(Map.of("table", "evals.qa"))), "steps[0].params.evalSets[0].pin"));
        cases.add(Map.entry(Map.of("evalSets", List.of(Map.of("table", "evals.nosuch", "pin", "v1"))), "steps[0].params.evalSets[0]"));
        cases.add(Map.entry(Map.of("evalSets", List.of(Map.of("table", "evals.qa", "pin", "v1")), "mode", "erase"), "steps[0].params.mode"));
        cases.add(Map.entry(Map.of("evalSets", List.of(Map.of("table", "evals.qa", "pin", "v1")), "threshold", 0.5), "steps[0].params.threshold"));
        for (Map.Entry<Map<String, Object>, String> bad : cases) {
            assertThatThrownBy(() -> harness.binder.bind(spec("train.bad", "train.jsonl", List.of(new StepSpec("contamination", bad.getKey())), null)))
                    .as("%s", bad.getKey()).isInstanceOf(KilnException.class)
                    .satisfies(error -> assertThat(((KilnException) error).violations()).extracting(io.kiln.error.Violation::field).contains(bad.getValue()));
        }
    }

    private static float[] vector(Table table, String id) throws IOException {
        for (Record row : PipelineHarness.rows(table)) {
            if (row.getField("id").equals(id)) {
                List<?> values = (List<?>) row.getField("embedding");
                float[] vector = new float[values.size()];
                for (int i = 0; i < vector.length; i++) {
                    vector[i] = (Float) values.get(i);
                }
                return vector;
            }
        }
        throw new AssertionError("no row " + id);
    }
}
