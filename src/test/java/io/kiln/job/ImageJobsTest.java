package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.exif.GpsDirectory;

import io.kiln.lake.TableLayout;
import io.kiln.transform.image.ImageEncoder;
import io.kiln.transform.image.ImageRejection;
import io.kiln.transform.image.ImageDecoder;

/** Image jobs end to end: a folder of real images to a published table, with rejects, dedup against history, and one digest whatever the threads. */
class ImageJobsTest {
    private static final Path IMAGES = Path.of("src/test/resources/images").toAbsolutePath();

    @TempDir
    Path temp;
    PipelineHarness harness;
    JdbcCatalog catalog;
    JobBinder binder;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(temp));
        catalog = harness.catalog;
        binder = harness.binder;
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static JobSpec spec(String table, Path folder) {
        return new JobSpec(table, new SourceSpec("file://" + folder, "image", Map.of(), null, null, null, null, null, null),
                List.of(new StepSpec("image-normalize", Map.of("resize", "fit", "width", 128, "height", 128)), new StepSpec("dedup-image", Map.of())),
                null, null, null);
    }

    private IngestPipeline.Result run(String jobId, JobSpec spec, int threads, int batch) {
        return harness.run(jobId, spec, threads, batch);
    }

    private Path folder(String name, Map<String, byte[]> files) throws IOException {
        Path folder = Files.createDirectories(temp.resolve(name));
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(folder.resolve(file.getKey()), file.getValue());
        }
        return folder;
    }

    private static byte[] image(String name) throws IOException {
        return Files.readAllBytes(IMAGES.resolve(name));
    }

    private static byte[] reencoded(String name, int quality) throws IOException, ImageRejection {
        return ImageEncoder.encode(ImageDecoder.decode(image(name), ImageDecoder.DEFAULT_MAX_PIXELS, 0xffffff).pixels(), ImageEncoder.Format.JPEG, quality);
    }

    @Test
    void aFolderOfImagesBecomesRowsBadImagesBecomeRejectsAndCopiesAreDropped() throws Exception {
        byte[] bomb = java.util.HexFormat.of().parseHex("89504e470d0a1a0a0000000d4948445200989680009896800802000000") ;
        Path folder = folder("first", Map.of(
                "photo.jpg", image("gps-orientation-3.jpg"),
                "rocket.jpg", image("rocket.jpg"),
                "rocket-copy.jpg", reencoded("rocket.jpg", 50),
                "camera.png", image("camera.png"),
                "truncated.jpg", image("truncated.jpg"),
                "notes.png", "these are not pixels".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "cut.jpg", java.util.Arrays.copyOf(image("rocket.jpg"), 100_000),
                "bomb.png", bomb));
        IngestPipeline.Result result = run("images-1", spec("media.images", folder), 2, 3);
        assertThat(result.rejectedByReason()).containsOnly(
                Map.entry("image-normalize@1/corrupt-image", 2L),
                Map.entry("image-normalize@1/unsupported-format", 1L),
                Map.entry("image-normalize@1/too-many-pixels", 1L),
                Map.entry("dedup-image@1/duplicate", 1L));
        assertThat(result.written()).isEqualTo(3);

        Table table = catalog.loadTable(TableIdentifier.of("media", "images"));
        assertThat(table.schema().findField("image").type()).isEqualTo(Types.BinaryType.get());
        assertThat(table.schema().findField("phash").type()).isEqualTo(Types.LongType.get());
        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).extracting(row -> row.getField("id")).containsExactlyInAnyOrder("photo.jpg", "rocket-copy.jpg", "camera.png");
        Record photo = rows.stream().filter(row -> row.getField("id").equals("photo.jpg")).findFirst().orElseThrow();
        assertThat(photo.getField("gps_present")).isEqualTo(true);
        assertThat(photo.getField("camera_make")).isEqualTo("Xiaomi");
        assertThat(photo.getField("stored_width")).isEqualTo(128);
        ByteBuffer stored = (ByteBuffer) photo.getField("image");
        byte[] bytes = new byte[stored.remaining()];
        stored.duplicate().get(bytes);
        assertThat(ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length).getDirectoriesOfType(GpsDirectory.class)).isEmpty();

        List<Record> rejects = PipelineHarness.rows(catalog.loadTable(TableLayout.rejectsOf(TableIdentifier.of("media", "images"))));
        assertThat(rejects).extracting(reject -> reject.getField("reason"))
                .containsExactlyInAnyOrder("corrupt-image", "corrupt-image", "unsupported-format", "too-many-pixels", "duplicate");
        // a large image is kept in its reject by size and sha256 (the input file holds its bytes), a small one whole
        Record cut = rejects.stream().filter(reject -> reject.getField("record_id").equals("cut.jpg")).findFirst().orElseThrow();
        assertThat((String) cut.getField("record")).contains("\"image\":\"100000 bytes, sha256 ").hasSizeLessThan(1000);
        Record notes = rejects.stream().filter(reject -> reject.getField("record_id").equals("notes.png")).findFirst().orElseThrow();
        assertThat((String) notes.getField("record")).contains(java.util.Base64.getEncoder().encodeToString("these are not pixels".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Record duplicate = rejects.stream().filter(reject -> reject.getField("reason").equals("duplicate")).findFirst().orElseThrow();
        assertThat((String) duplicate.getField("detail")).contains("duplicate of row 'rocket-copy.jpg'");

        // a later job: a copy of a published image is dropped as a duplicate of the table's row
        Path second = folder("second", Map.of("camera-again.jpg", reencoded("camera.png", 70), "moon.png", image("moon.png")));
        IngestPipeline.Result later = run("images-2", spec("media.images", second), 2, 3);
        assertThat(later.rejectedByReason()).containsOnly(Map.entry("dedup-image@1/duplicate", 1L));
        List<Record> laterRejects = PipelineHarness.rows(catalog.loadTable(TableLayout.rejectsOf(TableIdentifier.of("media", "images"))));
        assertThat(laterRejects).extracting(reject -> (String) reject.getField("detail"))
                .anyMatch(detail -> detail.contains("duplicate of row 'camera.png' (already in the table)"));
    }

    /** A WebDataset shard: each sample's members, in order (name, bytes). */
    private Path shard(String name, boolean gzip, List<Map.Entry<String, byte[]>> members) throws IOException {
        return PipelineHarness.tar(temp.resolve(name), gzip, members);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void webDatasetShardsBecomeRowsWithCaptionsAndJsonColumnsAndBadSamplesBecomeRejects() throws Exception {
        List<Map.Entry<String, byte[]>> members = List.of(
                Map.entry("0001.jpg", image("rocket.jpg")), Map.entry("0001.txt", utf8("a rocket on its pad")),
                Map.entry("0001.json", utf8("{\"width_hint\": 640, \"source\": \"spacex\"}")),
                Map.entry("0002.png", image("camera.png")), Map.entry("0002.txt", utf8("a photographer")), Map.entry("0002.json", utf8("{\"source\": \"skimage\"}")),
                Map.entry("0003.png", image("coins.png")), Map.entry("0003.npy", new byte[] {1, 2, 3}),
                Map.entry("0004.jpg", image("rocket.jpg")), Map.entry("0004.png", image("moon.png")),
                Map.entry("0005.png", image("moon.png")), Map.entry("0005.txt", new byte[] {(byte) 0xff, (byte) 0xfe, 'x'}),
                Map.entry("0006.png", image("horse.png")), Map.entry("0006.json", utf8("{\"width_hint\": \"wide\"}")),
                Map.entry("part/0007.png", image("text.png")), Map.entry("part/0007.cls", utf8("3\n")));
        Path plain = shard("shard-000.tar", false, members);
        Path gzipped = shard("shard-001.tar.gz", true, List.of(Map.entry("0008.png", image("clock_motion.png")), Map.entry("0008.txt", utf8("a clock"))));
        String schema = "[{\"name\": \"width_hint\", \"type\": \"int\"}, {\"name\": \"source\", \"type\": \"string\"}]";
        SourceSpec source = new SourceSpec("file://" + temp + "/shard-*", "webdataset", Map.of(), new com.fasterxml.jackson.databind.ObjectMapper().readTree(schema),
                null, null, null, null, null);
        IngestPipeline.Result result = run("shards", new JobSpec("media.shards", source,
                List.of(new StepSpec("image-normalize", Map.of("resize", "fit", "width", 64, "height", 64))), null, null, null), 2, 2);
        assertThat(result.rejectedByReason()).containsOnly(
                Map.entry("extract/unknown-member", 1L), Map.entry("extract/ambiguous-sample", 1L), Map.entry("extract/invalid-text", 1L),
                Map.entry("extract/type-mismatch", 1L));
        List<Record> rows = PipelineHarness.rows(catalog.loadTable(TableIdentifier.of("media", "shards")));
        assertThat(rows).extracting(row -> row.getField("id")).containsExactlyInAnyOrder("0001", "0002", "part/0007", "0008");
        Record first = rows.stream().filter(row -> row.getField("id").equals("0001")).findFirst().orElseThrow();
        assertThat(first.getField("caption")).isEqualTo("a rocket on its pad");
        assertThat(first.getField("width_hint")).isEqualTo(640);
        assertThat(first.getField("source")).isEqualTo("spacex");
        assertThat(first.getField("stored_width")).isEqualTo(64);
        Record labelled = rows.stream().filter(row -> row.getField("id").equals("part/0007")).findFirst().orElseThrow();
        assertThat(labelled.getField("label")).isEqualTo("3");
        assertThat(labelled.getField("_kiln_source_uri")).isEqualTo("file://" + plain);
        Record compressed = rows.stream().filter(row -> row.getField("id").equals("0008")).findFirst().orElseThrow();
        assertThat(compressed.getField("_kiln_source_uri")).isEqualTo("file://" + gzipped);

        // without a schema, the .json member is kept as text
        Path untyped = Files.createDirectories(temp.resolve("untyped"));
        Files.move(gzipped, untyped.resolve("shard.tar.gz"));
        shard("untyped/shard-2.tar", false, List.of(Map.entry("a.png", image("moon.png")), Map.entry("a.json", utf8("{\"x\": [1, 2]}"))));
        run("untyped", new JobSpec("media.untyped", new SourceSpec("file://" + untyped, "webdataset", Map.of(), null, null, null, null, null, null), List.of(),
                null, null, null), 1, 1);
        org.apache.iceberg.Table untypedTable = catalog.loadTable(TableIdentifier.of("media", "untyped"));
        List<Record> texts = PipelineHarness.rows(untypedTable);
        assertThat(texts).extracting(row -> row.getField("id"), row -> row.getField("json"))
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("0008", null), org.assertj.core.groups.Tuple.tuple("a", "{\"x\": [1, 2]}"));
        // samples of files, not a text source's rows, with or without a schema: their table and their digest say so
        assertThat(untypedTable.properties()).containsEntry("kiln.table-kind", "rows");
        assertThat(untypedTable.currentSnapshot().summary()).containsEntry(IngestPipeline.CONTENT_DIGEST_FORMAT, "3");
    }

    @Test
    void channelStatisticsAreFittedOverTheWholeTableExactlyWhateverTheThreads() throws Exception {
        Path first = folder("stats-1", Map.of("a.jpg", image("rocket.jpg"), "b.png", image("camera.png")));
        Path second = folder("stats-2", Map.of("c.png", image("coins.png")));
        JobSpec spec1 = new JobSpec("media.stats", new SourceSpec("file://" + first, "image", Map.of(), null, null, null, null, null, null),
                List.of(new StepSpec("image-normalize", Map.of("resize", "fit", "width", 32, "height", 32, "encode", "png")), new StepSpec("image-stats", Map.of())),
                null, null, null);
        run("stats-1", spec1, 1, 1);
        Map<String, String> summary = catalog.loadTable(TableIdentifier.of("media", "stats")).currentSnapshot().summary();
        assertThat(summary).containsEntry("kiln.image-stats.image.images", "2");

        // the same statistics from the stored images, computed here
        long[] sums = new long[7];
        List<Record> rows = PipelineHarness.rows(catalog.loadTable(TableIdentifier.of("media", "stats")));
        for (Record row : rows) {
            ByteBuffer stored = (ByteBuffer) row.getField("image");
            byte[] bytes = new byte[stored.remaining()];
            stored.duplicate().get(bytes);
            for (int pixel : ImageDecoder.decode(bytes, ImageDecoder.DEFAULT_MAX_PIXELS, 0xffffff).pixels().rgb()) {
                sums[0]++;
                for (int c = 0; c < 3; c++) {
                    int value = pixel >>> (16 - 8 * c) & 0xff;
                    sums[1 + c] += value;
                    sums[4 + c] += (long) value * value;
                }
            }
        }
        String mean = String.format(java.util.Locale.ROOT, "[%.6f,%.6f,%.6f]", sums[1] / (255.0 * sums[0]), sums[2] / (255.0 * sums[0]), sums[3] / (255.0 * sums[0]));
        assertThat(summary).containsEntry("kiln.image-stats.image.mean", mean);

        JobSpec spec2 = new JobSpec("media.stats", new SourceSpec("file://" + second, "image", Map.of(), null, null, null, null, null, null),
                spec1.steps(), null, null, null);
        run("stats-2", spec2, 2, 1);
        Map<String, String> later = catalog.loadTable(TableIdentifier.of("media", "stats")).currentSnapshot().summary();
        assertThat(later).containsEntry("kiln.image-stats.image.images", "3");
        assertThat(later.get("kiln.image-stats.image.std")).matches("\\[0\\.\\d{6},0\\.\\d{6},0\\.\\d{6}\\]");

        // one job over all three images, on other threads and batches, fits the same statistics
        Path all = folder("stats-all", Map.of("a.jpg", image("rocket.jpg"), "b.png", image("camera.png"), "c.png", image("coins.png")));
        run("stats-all", new JobSpec("media.stats_all", new SourceSpec("file://" + all, "image", Map.of(), null, null, null, null, null, null),
                spec1.steps(), null, null, null), 4, 2);
        Map<String, String> once = catalog.loadTable(TableIdentifier.of("media", "stats_all")).currentSnapshot().summary();
        assertThat(once.get("kiln.image-stats.image.mean")).isEqualTo(later.get("kiln.image-stats.image.mean"));
        assertThat(once.get("kiln.image-stats.image.std")).isEqualTo(later.get("kiln.image-stats.image.std"));
    }

    @Test
    void imageEmbeddingsLandAsVectorsAndAModelOutsideTheSourceRootsIsRefused() throws Exception {
        Path model = Files.copy(Path.of("src/test/resources/embed/tiny-image-encoder.onnx"), temp.resolve("encoder.onnx"));
        Path folder = folder("embed", Map.of("a.jpg", image("rocket.jpg"), "b.png", image("camera.png")));
        SourceSpec source = new SourceSpec("file://" + folder, "image", Map.of(), null, null, null, null, null, null);
        run("embed", new JobSpec("media.embedded", source, List.of(new StepSpec("image-normalize", Map.of("resize", "fit", "width", 64, "height", 64)),
                new StepSpec("embed-image", Map.of("modelPath", model.toString(), "size", 32))), null, null, null), 2, 1);
        Table table = catalog.loadTable(TableIdentifier.of("media", "embedded"));
        assertThat(table.schema().findField("image_embedding").type().asListType().elementType()).isEqualTo(Types.FloatType.get());
        assertThat(table.properties()).containsEntry("kiln.column.image_embedding.dimension", "16");
        assertThat(table.currentSnapshot().summary().get("kiln.recipe-spec")).contains("0680a961752345e58ab6b56ecb48900e4fa0594c84bd4ab14f4522a7af573936");
        assertThat(PipelineHarness.rows(table)).allSatisfy(row -> assertThat((List<?>) row.getField("image_embedding")).hasSize(16));

        io.kiln.error.KilnException refused = org.assertj.core.api.Assertions.catchThrowableOfType(io.kiln.error.KilnException.class,
                () -> binder.bind(new JobSpec("media.embedded", source, List.of(new StepSpec("embed-image", Map.of("modelPath",
                        Path.of("src/test/resources/embed/tiny-image-encoder.onnx").toAbsolutePath().toString()))), null, null, null)));
        assertThat(refused.violations()).extracting(io.kiln.error.Violation::field, io.kiln.error.Violation::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("steps[0].params.modelPath", "is outside the configured source roots"));
    }

    @Test
    void aCsvManifestNamesImageFilesThatAreLoadedFromTheSourceRootsOnly() throws Exception {
        Path folder = folder("manifest", Map.of("rocket.jpg", image("rocket.jpg"), "camera.png", image("camera.png")));
        Files.createDirectories(folder.resolve("more"));
        Files.write(folder.resolve("more/coins.png"), image("coins.png"));
        Path outside = Files.createTempFile("kiln-outside", ".png");
        Files.write(outside, image("moon.png"));
        Files.writeString(folder.resolve("labels.csv"), "id,path,label\n"
                + "r,rocket.jpg,vehicle\n"
                + "c," + folder.resolve("camera.png") + ",person\n"
                + "k,more/coins.png,money\n"
                + "m,missing.png,none\n"
                + "o," + outside + ",moon\n"
                + "x,../" + folder.getFileName() + "/../../../../../../.." + outside + ",moon\n"
                + "n,,unlabelled\n");
        String schema = "[{\"name\": \"path\", \"type\": \"string\"}, {\"name\": \"label\", \"type\": \"string\"}]";
        SourceSpec source = new SourceSpec("file://" + folder.resolve("labels.csv"), "csv", Map.of(), new com.fasterxml.jackson.databind.ObjectMapper().readTree(schema),
                null, null, null, null, null, new SourceSpec.FilesSpec("path", null));
        IngestPipeline.Result result = run("manifest", new JobSpec("media.manifest", source,
                List.of(new StepSpec("image-normalize", Map.of("resize", "fit", "width", 32, "height", 32))), null, null, null), 2, 2);
        assertThat(result.rejectedByReason()).containsOnly(Map.entry("extract/missing-file", 1L), Map.entry("extract/outside-source-roots", 2L));
        List<Record> rows = PipelineHarness.rows(catalog.loadTable(TableIdentifier.of("media", "manifest")));
        assertThat(rows).extracting(row -> row.getField("id"), row -> row.getField("label"), row -> row.getField("format"))
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("r", "vehicle", "jpeg"), org.assertj.core.groups.Tuple.tuple("c", "person", "png"),
                        org.assertj.core.groups.Tuple.tuple("k", "money", "png"), org.assertj.core.groups.Tuple.tuple("n", "unlabelled", null));
        Files.delete(outside);

        io.kiln.error.KilnException refused = org.assertj.core.api.Assertions.catchThrowableOfType(io.kiln.error.KilnException.class,
                () -> binder.bind(new JobSpec("media.manifest", new SourceSpec("file://" + folder.resolve("labels.csv"), "csv", Map.of(),
                        new com.fasterxml.jackson.databind.ObjectMapper().readTree(schema), null, null, null, null, null, new SourceSpec.FilesSpec("label_path", "image")),
                        List.of(), null, null, null)));
        assertThat(refused.violations()).extracting(io.kiln.error.Violation::field).containsExactly("source.files.column");
    }

    @Test
    void visualWordsAreFittedOnceAndTheSameWhateverTheThreads() throws Exception {
        Map<String, byte[]> files = Map.of("a.jpg", image("rocket.jpg"), "b.png", image("camera.png"), "c.png", image("coins.png"),
                "d.png", image("moon.png"), "e.png", image("text.png"), "f.jpg", image("gps-orientation-3.jpg"));
        Path folder = folder("words", files);
        List<StepSpec> steps = List.of(new StepSpec("image-normalize", Map.of("resize", "fit", "width", 160, "height", 160)),
                new StepSpec("image-visual-words", Map.of("words", 8, "maxKeypoints", 50)));
        SourceSpec source = new SourceSpec("file://" + folder, "image", Map.of(), null, null, null, null, null, null);
        IngestPipeline.Result single = run("words-1", new JobSpec("media.words_one", source, steps, null, null, null), 1, 1);
        IngestPipeline.Result parallel = run("words-2", new JobSpec("media.words_two", source, steps, null, null, null), 4, 2);
        assertThat(parallel.contentDigest()).isEqualTo(single.contentDigest());
        Table table = catalog.loadTable(TableIdentifier.of("media", "words_one"));
        assertThat(table.currentSnapshot().summary()).containsEntry("kiln.visual-words.image.vocabulary", "fitted");
        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).hasSize(6).allSatisfy(row -> {
            List<?> words = (List<?>) row.getField("visual_words");
            assertThat(words).hasSize(8);
            double sum = words.stream().mapToDouble(value -> ((Number) value).doubleValue()).sum();
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        });
        // a later job reuses the table's vocabulary: its words mean the same
        Path more = folder("words-more", Map.of("g.png", image("clock_motion.png")));
        run("words-3", new JobSpec("media.words_one", new SourceSpec("file://" + more, "image", Map.of(), null, null, null, null, null, null), steps, null,
                null, null), 2, 1);
        assertThat(catalog.loadTable(TableIdentifier.of("media", "words_one")).currentSnapshot().summary())
                .containsEntry("kiln.visual-words.image.vocabulary", "reused");
    }

    @Test
    void imageRowsGiveTheSameDigestWhateverTheThreadsAndBatchSize() throws Exception {
        Path folder = folder("same", Map.of("a.jpg", image("rocket.jpg"), "b.png", image("coins.png"), "c.webp", image("coins.webp"),
                "d.gif", image("no_time_for_that_tiny.gif"), "e.jpg", image("gps-orientation-3.jpg"), "f.png", image("horse.png")));
        IngestPipeline.Result single = run("same-1", spec("media.one", folder), 1, 1);
        IngestPipeline.Result parallel = run("same-2", spec("media.other", folder), 4, 1000);
        assertThat(single.written()).isEqualTo(5); // the webp is the png's near-duplicate
        assertThat(parallel.contentDigest()).isEqualTo(single.contentDigest());
    }
}
