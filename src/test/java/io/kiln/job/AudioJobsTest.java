package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.transform.audio.DecodedAudio;

/** Audio jobs end to end: a folder of real recordings to a published feature table, with rejects, dedup against history, and one digest whatever the threads. */
class AudioJobsTest {
    private static final Path AUDIO = Path.of("src/test/resources/audio").toAbsolutePath();
    /**
     * Golden hashes: the sha256 of the stored PCM of each row {@link #steps()} make of
     * {@link #recordings()}. They change only with a step's version.
     */
    private static final Map<String, String> PCM_SHA256 = Map.of(
            "agent-pass.wav", "62d8b33d648eac8ddf1907546b86dd05674011a9c9db221590e31027f6514e9d",
            "bell.oga", "ec77df522dfa464b2c40998cd8b6dc45acfe251eeb68ebd58553f6ced5ebbe0c",
            "drums.flac", "6d994c8367d5b8b7f656ba03cdb7d5147f0bb1117bdf4b8bfbc89ae0269aac7a",
            "hello-world.wav", "31a612fdbdbffea67609f93746d38f9f58d89fbcfd138736a31d9b5c8279afed");

    @TempDir
    Path temp;
    PipelineHarness harness;
    JdbcCatalog catalog;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(temp));
        catalog = harness.catalog;
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static byte[] sound(String name) throws IOException {
        return Files.readAllBytes(AUDIO.resolve(name));
    }

    private static List<StepSpec> steps() {
        return List.of(new StepSpec("audio-normalize", Map.of()), new StepSpec("dedup-audio", Map.of()),
                new StepSpec("audio-features", Map.of()), new StepSpec("audio-segments", Map.of()));
    }

    private Path recordings() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("recordings"));
        Files.write(folder.resolve("agent-pass.wav"), sound("agent-pass.wav"));
        Files.write(folder.resolve("copy-of-agent-pass.mp3"), sound("agent-pass.mp3"));
        Files.write(folder.resolve("hello-world.wav"), sound("hello-world.wav"));
        Files.write(folder.resolve("bell.oga"), sound("bell.oga"));
        Files.write(folder.resolve("drums.flac"), sound("rumpf-beats_06-15.flac"));
        Files.write(folder.resolve("cut.wav"), Arrays.copyOf(sound("agent-pass.wav"), 9000));
        Files.write(folder.resolve("notes.wav"), "not a sound at all".getBytes());
        return folder;
    }

    private static JobSpec spec(String table, Path folder) {
        return new JobSpec(table, new SourceSpec("file://" + folder, "audio", Map.of(), null, null, null, null, null, null), steps(), null, 0.5, null);
    }

    @Test
    void aFolderOfRecordingsBecomesAFeatureTableWithRejectsAndCopiesDropped() throws Exception {
        IngestPipeline.Result result = harness.run("audio-1", spec("sounds.speech", recordings()), 2, 2);

        assertThat(result.rejectedByReason()).containsOnly(Map.entry("audio-normalize@1/truncated-audio", 1L),
                Map.entry("audio-normalize@1/unsupported-audio", 1L), Map.entry("dedup-audio@1/duplicate", 1L));
        Table table = catalog.loadTable(TableIdentifier.of("sounds", "speech"));
        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).extracting(row -> row.getField("id")).containsExactlyInAnyOrder("agent-pass.wav", "hello-world.wav", "bell.oga", "drums.flac");
        Record speech = rows.stream().filter(row -> row.getField("id").equals("agent-pass.wav")).findFirst().orElseThrow();
        assertThat(speech.getField("sample_rate")).isEqualTo(16000);
        assertThat(speech.getField("codec")).isEqualTo("wav");
        DecodedAudio stored = DecodedAudio.decode(bytes(speech.getField("audio")), 60);
        assertThat(stored.info().codec()).isEqualTo("flac");
        assertThat(stored.frames()).isEqualTo(52560);
        assertThat((List<?>) speech.getField("log_mel")).hasSize(80 * (int) speech.getField("log_mel_frames"));
        assertThat((List<?>) speech.getField("speech_starts_s")).isNotEmpty();
        assertThat(table.properties()).containsEntry("kiln.column.log_mel.shape", "[log_mel_frames, 80]");

        List<Record> rejects = PipelineHarness.rows(catalog.loadTable(TableIdentifier.of("sounds", "speech__rejects")));
        assertThat(rejects).extracting(row -> row.getField("record_id") + " " + row.getField("reason"))
                .containsExactlyInAnyOrder("cut.wav truncated-audio", "notes.wav unsupported-audio", "copy-of-agent-pass.mp3 duplicate");

        // a second batch: another re-encoding of the same prompt is a duplicate of the published row
        Path more = Files.createDirectories(temp.resolve("more"));
        Files.write(more.resolve("agent-pass-again.flac"), sound("agent-pass.flac"));
        Files.write(more.resolve("z-new.wav"), sound("noise-0.5s.wav"));
        IngestPipeline.Result second = harness.run("audio-2", spec("sounds.speech", more), 1, 1);
        assertThat(second.rejectedByReason()).containsOnly(Map.entry("dedup-audio@1/duplicate", 1L));
        assertThat(second.written()).isEqualTo(1);
    }

    @Test
    void recordingsGiveTheSameDigestWhateverTheThreadsAndBatchSize() throws Exception {
        Path folder = recordings();
        IngestPipeline.Result single = harness.run("same-1", spec("sounds.one", folder), 1, 1);
        IngestPipeline.Result parallel = harness.run("same-2", spec("sounds.other", folder), 4, 1000);
        assertThat(parallel.contentDigest()).isEqualTo(single.contentDigest());
        Map<String, String> hashes = new java.util.TreeMap<>();
        PipelineHarness.rows(catalog.loadTable(TableIdentifier.of("sounds", "one"))).forEach(row -> hashes.put((String) row.getField("id"), (String) row.getField("pcm_sha256")));
        assertThat(hashes).isEqualTo(PCM_SHA256);
    }

    @Test
    void webDatasetShardsOfFlacAndTranscriptsBecomeRowsWhoseTranscriptsGoThroughTextSteps() throws Exception {
        PipelineHarness.tar(temp.resolve("shard-000.tar"), false, List.of(
                Map.entry("0001.flac", sound("agent-pass.flac")), Map.entry("0001.txt", utf8("Please enter your password followed by the pound key.")),
                Map.entry("0001.json", utf8("{\"speaker\": \"allison\"}")),
                Map.entry("0002.wav", sound("hello-world.wav")), Map.entry("0002.txt", utf8("Hello world. Call me at (415) 555-0132 ext. 12")),
                Map.entry("0002.json", utf8("{\"speaker\": \"allison\"}")),
                Map.entry("0003.flac", Arrays.copyOf(sound("agent-pass.flac"), 2000)), Map.entry("0003.txt", utf8("broken"))));
        String schema = "[{\"name\": \"speaker\", \"type\": \"string\"}]";
        SourceSpec source = new SourceSpec("file://" + temp + "/shard-*", "webdataset", Map.of(), new com.fasterxml.jackson.databind.ObjectMapper().readTree(schema),
                null, null, null, null, null);
        IngestPipeline.Result result = harness.run("shards", new JobSpec("sounds.shards", source, List.of(new StepSpec("audio-normalize", Map.of()),
                new StepSpec("pii-redact", Map.of("column", "transcript"))), null, 0.5, null), 2, 2);
        assertThat(result.rejectedByReason()).containsOnly(Map.entry("audio-normalize@1/truncated-audio", 1L));
        List<Record> rows = PipelineHarness.rows(catalog.loadTable(TableIdentifier.of("sounds", "shards")));
        assertThat(rows).extracting(row -> row.getField("id"), row -> row.getField("transcript"), row -> row.getField("speaker")).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("0001", "Please enter your password followed by the pound key.", "allison"),
                org.assertj.core.groups.Tuple.tuple("0002", "Hello world. Call me at <PHONE>", "allison"));
        assertThat(rows).allSatisfy(row -> assertThat(row.getField("caption")).isNull());
    }

    @Test
    void aJsonlManifestNamesRecordingsWithTheirTranscriptsAndSpeakers() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("manifest"));
        Files.write(folder.resolve("agent-pass.flac"), sound("agent-pass.flac"));
        Files.write(folder.resolve("hello-world.wav"), sound("hello-world.wav"));
        Files.writeString(folder.resolve("manifest.jsonl"), String.join("\n",
                "{\"id\": \"p1\", \"path\": \"agent-pass.flac\", \"speaker\": \"allison\", \"transcript\": \"Please enter your password followed by the pound key.\"}",
                "{\"id\": \"p2\", \"path\": \"hello-world.wav\", \"speaker\": \"allison\", \"transcript\": \"Hello world.\"}",
                "{\"id\": \"p3\", \"path\": \"missing.wav\", \"speaker\": \"nobody\", \"transcript\": \"\"}") + "\n");
        String schema = "[{\"name\": \"path\", \"type\": \"string\"}, {\"name\": \"speaker\", \"type\": \"string\"},"
                + " {\"name\": \"transcript\", \"type\": \"string\"}]";
        SourceSpec source = new SourceSpec("file://" + folder.resolve("manifest.jsonl"), "jsonl", Map.of(), new com.fasterxml.jackson.databind.ObjectMapper().readTree(schema),
                null, null, null, null, null, new SourceSpec.FilesSpec("path", "audio"));
        IngestPipeline.Result result = harness.run("manifest", new JobSpec("sounds.manifest", source,
                List.of(new StepSpec("audio-normalize", Map.of()), new StepSpec("normalize", Map.of("column", "transcript"))), null, 0.5, null), 2, 2);
        assertThat(result.rejectedByReason()).containsOnly(Map.entry("extract/missing-file", 1L));
        List<Record> rows = PipelineHarness.rows(catalog.loadTable(TableIdentifier.of("sounds", "manifest")));
        assertThat(rows).extracting(row -> row.getField("id"), row -> row.getField("speaker"), row -> row.getField("codec"), row -> row.getField("sample_rate"))
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("p1", "allison", "flac", 16000), org.assertj.core.groups.Tuple.tuple("p2", "allison", "wav", 16000));
    }

    private static byte[] bytes(Object value) {
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
