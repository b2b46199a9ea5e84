package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.validation.Validation;
import jakarta.validation.Validator;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.catalog.CatalogIdentity;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.KilnCatalog;
import io.kiln.check.Auditor;
import io.kiln.check.CheckSuites;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.Publisher;
import io.kiln.transform.Row;
import io.kiln.transform.StepRegistry;

class IngestPipelineTest {
    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory().getValidator();

    @TempDir
    Path temp;
    Path inputs;
    JdbcCatalog catalog;
    CatalogSettings settings;
    JobBinder binder;
    Publisher publisher;

    @BeforeEach
    void catalogAndInputs() throws IOException {
        inputs = Files.createDirectories(temp.resolve("inputs"));
        settings = new CatalogSettings("kiln", "jdbc:sqlite:" + temp.resolve("catalog.db"),
                Optional.empty(), Optional.empty(), "file://" + Files.createDirectories(temp.resolve("warehouse")));
        catalog = KilnCatalog.open(settings);
        binder = new JobBinder(VALIDATOR, StepRegistry.defaultRegistry(), List.of(inputs), catalog,
                new CheckSuites(temp.resolve("suites")), Optional.empty(), 0.5);
        publisher = new Publisher(catalog, KilnCatalog.claimWarehouse(settings, CatalogIdentity.of(settings)));
        for (int file = 0; file < 3; file++) {
            try (Writer writer = Files.newBufferedWriter(inputs.resolve("part-" + file + ".jsonl"), StandardCharsets.UTF_8)) {
                for (int i = 0; i < 1500; i++) {
                    writer.write("{\"id\": \"" + file + "-" + i + "\", \"text\": \"  Doc\\r\\n" + i + "  of   file " + file + " cafe\\u0301\"}\n");
                    if (i % 500 == 7) {
                        writer.write("{\"id\": \"broken-" + file + "-" + i + "\", \"text\": \n");
                    }
                    if (i % 700 == 3) {
                        writer.write("{\"id\": \"blank-" + file + "-" + i + "\", \"text\": \" \\t \"}\n");
                    }
                }
            }
        }
    }

    @AfterEach
    void close() throws IOException {
        catalog.close();
    }

    private JobSpec spec(String table) {
        return new JobSpec(table, new SourceSpec("file://" + inputs + "/*.jsonl", "jsonl", Map.of("id", "id", "text", "text")),
                List.of(new StepSpec("normalize", Map.of())), null, null, null);
    }

    /** A job's rows and its published snapshot. */
    record Run(IngestPipeline.Result result, long snapshotId) {
        long read() {
            return result.read();
        }

        long written() {
            return result.written();
        }

        long rejected() {
            return result.rejected();
        }

        Map<String, Long> rejectedByReason() {
            return result.rejectedByReason();
        }

        String contentDigest() {
            return result.contentDigest();
        }
    }

    private Run run(String jobId, String table, int threads, int batchSize) {
        return run(jobId, binder.bind(spec(table)), threads, batchSize, 64 * 1024);
    }

    private Run run(String jobId, BoundJob job, int threads, int batchSize, long targetFileSize) {
        return run(jobId, job, new IngestPipeline.Settings(threads, batchSize, 1 << 20, targetFileSize, "test"));
    }

    private Run run(String jobId, BoundJob job, IngestPipeline.Settings pipelineSettings) {
        IngestPipeline pipeline = new IngestPipeline(publisher, pipelineSettings);
        IngestPipeline.Result result = pipeline.run(jobId, job, new JobProgress(), () -> false);
        if (result.publishedSnapshotId().isPresent()) {
            return new Run(result, result.publishedSnapshotId().get());
        }
        Publication.Outcome outcome = new Publication(publisher, new Auditor(Optional.empty()), settings, Duration.ofDays(1)).run(jobId, job, result);
        assertThat(outcome.published()).as("%s", outcome.checks()).isTrue();
        return new Run(result, outcome.snapshotId());
    }

    @Test
    void writesEveryRowWithLineageAndEveryRejectWithItsReason() throws IOException {
        Run result = run("job-1", "demo.docs", 2, 100);

        assertThat(result.read()).isEqualTo(4500 + 9 + 9);
        assertThat(result.written()).isEqualTo(4500);
        assertThat(result.rejected()).isEqualTo(18);
        assertThat(result.read()).isEqualTo(result.written() + result.rejected());
        assertThat(result.rejectedByReason()).containsExactlyInAnyOrderEntriesOf(Map.of("extract/malformed-json", 9L, "normalize@1/empty-text", 9L));

        Table table = catalog.loadTable(TableIdentifier.of("demo", "docs"));
        List<Record> rows = rows(table);
        assertThat(rows).hasSize(4500);
        Record first = rows.stream().filter(row -> row.getField("id").equals("0-0")).findFirst().orElseThrow();
        assertThat(first.getField("text")).isEqualTo("Doc\n0 of file 0 caf\u00e9");
        assertThat(first.getField("_kiln_source_uri")).isEqualTo(inputs.resolve("part-0.jsonl").toUri().toString());
        assertThat(first.getField("_kiln_source_sha256")).isEqualTo(sha256(inputs.resolve("part-0.jsonl")));
        assertThat(first.getField("_kiln_source_pos")).isEqualTo("line:1");
        assertThat(first.getField("_kiln_job_id")).isEqualTo("job-1");
        assertThat((String) first.getField("_kiln_recipe")).hasSize(64);

        Snapshot snapshot = table.currentSnapshot();
        assertThat(snapshot.snapshotId()).isEqualTo(result.snapshotId());
        assertThat(snapshot.summary()).containsEntry("kiln.checks.outcome", "PASSED")
                .containsEntry("kiln.audited-snapshot-id", Long.toString(snapshot.parentId()));
        assertThat(table.snapshot(snapshot.parentId()).summary()).containsEntry("kiln.job-id", "job-1").containsEntry("added-records", "4500");
        assertThat(table.refs()).containsOnlyKeys("main");
        assertThat(snapshot.summary()).containsKeys("kiln.job-id", "kiln.recipe", "kiln.version", "kiln.input-digest", "kiln.rows-read",
                "kiln.rows-written", "kiln.rows-rejected", "kiln.content-digest", "kiln.input-manifest", "kiln.recipe-spec");
        assertThat(snapshot.summary()).containsEntry("kiln.job-id", "job-1")
                .containsEntry("kiln.rows-read", "4518")
                .containsEntry("kiln.rows-written", "4500")
                .containsEntry("kiln.rows-rejected", "18")
                .containsEntry("kiln.content-digest", result.contentDigest())
                .containsEntry("kiln.recipe", (String) first.getField("_kiln_recipe"));
        assertThat(snapshot.summary().get("kiln.input-manifest")).contains(sha256(inputs.resolve("part-2.jsonl")));

        Table rejectsTable = catalog.loadTable(TableIdentifier.of("demo", "docs__rejects"));
        assertThat(rejectsTable.currentSnapshot().summary())
                .containsEntry("kiln.job-id", "job-1")
                .containsEntry("kiln.rejects-of", "demo.docs")
                .containsEntry("kiln.rows-written", "18")
                .containsEntry("kiln.rows-read", "4518")
                .doesNotContainEntry("kiln.content-digest", result.contentDigest());
        List<Record> rejects = rows(rejectsTable);
        assertThat(rejects).hasSize(18);
        Record broken = rejects.stream().filter(row -> row.getField("reason").equals("malformed-json")).findFirst().orElseThrow();
        assertThat(broken.getField("step")).isEqualTo("extract");
        assertThat((String) broken.getField("record")).startsWith("{\"id\": \"broken-");
        assertThat((String) broken.getField("_kiln_source_pos")).startsWith("line:");
        Record blank = rejects.stream().filter(row -> row.getField("reason").equals("empty-text")).findFirst().orElseThrow();
        assertThat(blank.getField("step")).isEqualTo("normalize@1");
        assertThat((String) blank.getField("record_id")).startsWith("blank-");
    }

    @Test
    void sameInputsAndSpecGiveTheSameRowsAndDigestWhateverTheThreadsAndBatchSize() throws IOException {
        Run single = run("job-a", "demo.one", 1, 7);
        Run parallel = run("job-b", "demo.four", 4, 1000);
        // batches that end by their bytes (a few records each), not their count
        Run small = run("job-d", binder.bind(spec("demo.bytes")), new IngestPipeline.Settings(3, 1000, 40, 1 << 20, 64 * 1024, "test",
                io.kiln.source.DocumentLimits.defaults(1 << 20), io.kiln.lake.TableLayout.DEFAULT_ZSTD_LEVEL));

        assertThat(parallel.contentDigest()).isEqualTo(single.contentDigest());
        assertThat(small.contentDigest()).isEqualTo(single.contentDigest());
        assertThat(withoutJobId(rows(catalog.loadTable(TableIdentifier.of("demo", "four")))))
                .isEqualTo(withoutJobId(rows(catalog.loadTable(TableIdentifier.of("demo", "one")))));
        assertThat(withoutJobId(rows(catalog.loadTable(TableIdentifier.of("demo", "bytes")))))
                .isEqualTo(withoutJobId(rows(catalog.loadTable(TableIdentifier.of("demo", "one")))));

        Files.writeString(inputs.resolve("part-0.jsonl"), "{\"id\": \"new\", \"text\": \"changed\"}\n", java.nio.file.StandardOpenOption.APPEND);
        Run changed = run("job-c", "demo.changed", 2, 100);
        assertThat(changed.contentDigest()).isNotEqualTo(single.contentDigest());
    }

    @Test
    void storesTheTextIdsAndPositionsWithoutADictionaryTheLineageThatRepeatsWithOneAndNoChecksumSideFiles() throws IOException {
        // Hadoop's checksumming local file system in Hadoop's cache first, as any other user of a default configuration leaves it
        assertThat(org.apache.hadoop.fs.FileSystem.get(java.net.URI.create("file:///"), new org.apache.hadoop.conf.Configuration()))
                .isInstanceOf(org.apache.hadoop.fs.LocalFileSystem.class);
        run("job-dict", "demo.plain", 2, 100);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "plain"));
        assertThat(table.properties()).containsEntry("kiln.table-kind", "text").containsEntry("write.parquet.dict-encoding-enabled.column.text", "false");
        assertThat(catalog.loadTable(TableIdentifier.of("demo", "plain__rejects")).properties()).containsEntry("kiln.table-kind", "rejects")
                .doesNotContainKey("write.parquet.dict-encoding-enabled.column.text").doesNotContainKey("write.parquet.dict-encoding-enabled.column.id")
                .containsEntry("write.parquet.dict-encoding-enabled.column._kiln_source_pos", "false");
        int files = 0;
        try (CloseableIterable<org.apache.iceberg.FileScanTask> tasks = table.newScan().planFiles()) {
            for (org.apache.iceberg.FileScanTask task : tasks) {
                String location = task.file().location();
                Path path = location.startsWith("file:") ? Path.of(java.net.URI.create(location)) : Path.of(location);
                try (org.apache.parquet.hadoop.ParquetFileReader reader = org.apache.parquet.hadoop.ParquetFileReader.open(new org.apache.parquet.io.LocalInputFile(path))) {
                    for (org.apache.parquet.hadoop.metadata.BlockMetaData block : reader.getFooter().getBlocks()) {
                        Map<String, Boolean> dictionaries = new java.util.HashMap<>();
                        block.getColumns().forEach(column -> dictionaries.put(column.getPath().toDotString(), column.hasDictionaryPage()));
                        assertThat(dictionaries).containsEntry("text", false).containsEntry("_kiln_source_uri", true).containsEntry("_kiln_recipe", true)
                                .containsEntry("_kiln_source_pos", false).containsEntry("id", false);
                    }
                }
                try (java.util.stream.Stream<Path> beside = Files.list(path.getParent())) {
                    assertThat(beside.map(Path::getFileName).map(Path::toString)).as("no Hadoop checksum side files").noneMatch(name -> name.endsWith(".crc"));
                }
                files++;
            }
        }
        assertThat(files).isPositive();
    }

    @Test
    void rollsDataFilesAtTheTargetSize() throws IOException {
        Run result = run("job-roll", binder.bind(spec("demo.rolled")), 2, 100, 1024);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "rolled"));
        assertThat(table.currentSnapshot().dataManifests(table.io()).get(0).addedFilesCount()).isGreaterThan(1);
        assertThat(rows(table)).hasSize((int) result.written());
    }

    @Test
    void aRetriedJobIsNotCommittedTwice() throws IOException {
        Run first = run("job-retry", "demo.retry", 2, 100);
        Run again = run("job-retry", "demo.retry", 2, 100);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "retry"));
        assertThat(again.snapshotId()).isEqualTo(first.snapshotId());
        assertThat(table.currentSnapshot().snapshotId()).isEqualTo(first.snapshotId());
        assertThat(rows(table)).hasSize(4500);
    }

    @Test
    void aCancelledJobCommitsNothingAndLeavesNoFiles() throws IOException {
        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(2, 10, 1 << 20, 64 * 1024, "test"));
        int[] checks = new int[1];
        assertThatThrownBy(() -> pipeline.run("job-cancel", binder.bind(spec("demo.cancelled")), new JobProgress(), () -> ++checks[0] > 50))
                .isInstanceOf(IngestPipeline.CancelledException.class);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "cancelled"));
        assertThat(table.currentSnapshot()).isNull();
        try (var files = Files.walk(Path.of(java.net.URI.create(table.location())))) {
            assertThat(files.filter(path -> path.toString().endsWith(".parquet"))).isEmpty();
        }
    }

    @Test
    void anInputThatChangesWhileTheJobReadsItFailsTheJob() throws IOException {
        BoundJob job = binder.bind(spec("demo.changing"));
        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(1, 100, 1 << 20, 64 * 1024, "test"));
        int[] calls = new int[1];
        java.util.function.BooleanSupplier changeWhileRead = () -> {
            // the pipeline asks once when it lists the inputs, then once per batch of 100 records: the 40th batch is in
            // part-2.jsonl (about 1506 records per file), which was hashed when its reading began
            if (++calls[0] == 40) {
                try {
                    Files.writeString(inputs.resolve("part-2.jsonl"), "{\"id\": \"x\", \"text\": \"y\"}\n");
                }
                catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return false;
        };
        assertThatThrownBy(() -> pipeline.run("job-changing", job, new JobProgress(), changeWhileRead))
                .isInstanceOfSatisfying(KilnException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_CHANGED);
                    assertThat(e.getMessage()).contains("part-2.jsonl changed while the job read it");
                });
        assertThat(catalog.loadTable(TableIdentifier.of("demo", "changing")).currentSnapshot()).isNull();
    }

    @Test
    void createsTheTagInTheSameCommit() {
        JobSpec tagged = new JobSpec("demo.tagged", spec("demo.tagged").source(), List.of(), null, null, "v1");
        Run result = run("job-tag", binder.bind(tagged), 1, 100, 64 * 1024);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "tagged"));
        assertThat(table.refs().get("v1").snapshotId()).isEqualTo(result.snapshotId());
        assertThatThrownBy(() -> binder.bind(tagged))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.violations())
                        .containsExactly(new io.kiln.error.Violation("tag", "tag 'v1' already exists on table demo.tagged")));
    }

    private static List<Record> rows(Table table) throws IOException {
        table.refresh();
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            records.forEach(record -> rows.add(record.copy()));
        }
        return rows;
    }

    private static Set<List<Object>> withoutJobId(List<Record> rows) {
        Set<List<Object>> values = new HashSet<>();
        for (Record row : rows) {
            List<Object> fields = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                if (!row.struct().fields().get(i).name().equals("_kiln_job_id")) {
                    fields.add(row.get(i));
                }
            }
            values.add(fields);
        }
        assertThat(values).hasSize(rows.size());
        return values;
    }

    private static String sha256(Path file) throws IOException {
        return io.kiln.source.HashingInput.sha256Hex(new io.kiln.source.InputFile(file.toUri().toString(), file, "x", Files.size(file)));
    }

    /** A step that splits each text at its first space into two chunks, each with typed columns, and drops the second chunk of ids ending in 7. */
    private static final class SplitStep implements io.kiln.transform.StepDefinition {
        @Override
        public io.kiln.transform.StepId id() {
            return new io.kiln.transform.StepId("split-test", 1);
        }

        @Override
        public io.kiln.transform.Transform bind(Map<String, Object> parameters) {
            return new io.kiln.transform.Transform() {
                @Override
                public io.kiln.transform.StepId id() {
                    return new io.kiln.transform.StepId("split-test", 1);
                }

                @Override
                public io.kiln.transform.Outcome apply(io.kiln.transform.Row row) {
                    int space = Math.max(1, row.string(Row.TEXT).orElseThrow().indexOf(' '));
                    List<io.kiln.transform.Row> parts = List.of(
                            row.withId(row.id() + "#0").with(Row.TEXT, row.string(Row.TEXT).orElseThrow().substring(0, space)).with(Map.of("chunk_index", 0, "lengths", List.of(space, 1), "vector", new float[] {0.5f, -1.25f})),
                            row.withId(row.id() + "#1").with(Row.TEXT, row.string(Row.TEXT).orElseThrow().substring(space)).with(Map.of("chunk_index", 1, "lengths", List.of(row.string(Row.TEXT).orElseThrow().length() - space), "vector", new float[] {1f, Float.MIN_VALUE})));
                    return io.kiln.transform.Outcome.emitAll(parts).counting("chunks", 2);
                }

                @Override
                public List<io.kiln.transform.Column> columns() {
                    return List.of(io.kiln.transform.Column.integer("chunk_index", "chunk"), io.kiln.transform.Column.intList("lengths", "lengths"),
                            io.kiln.transform.Column.floatList("vector", "a vector"));
                }

                @Override
                public Map<String, String> tableProperties() {
                    return Map.of("kiln.column.vector.dimension", "2");
                }
            };
        }
    }

    @Test
    void stepsThatSplitRowsAndSetColumnsEvolveTheTableAndReconcile() throws IOException {
        binder = new JobBinder(VALIDATOR, new StepRegistry(List.of(new io.kiln.transform.text.NormalizeStep(), new SplitStep())), List.of(inputs), catalog,
                new CheckSuites(temp.resolve("suites")), Optional.empty(), 0.5);
        JobSpec spec = new JobSpec("demo.chunks", new SourceSpec("file://" + inputs + "/*.jsonl", "jsonl", Map.of("id", "id", "text", "text")),
                List.of(new StepSpec("normalize", Map.of()), new StepSpec("split-test", Map.of())), null, null, null);
        Run first = run("job-split-1", binder.bind(spec), 1, 7, 64 * 1024);
        assertThat(first.read()).isEqualTo(4518);
        assertThat(first.result().split()).isEqualTo(4500);
        assertThat(first.written()).isEqualTo(9000);
        assertThat(first.read() + first.result().split()).isEqualTo(first.written() + first.rejected());

        Table table = catalog.loadTable(TableIdentifier.of("demo", "chunks"));
        assertThat(table.schema().findField("chunk_index")).isNotNull();
        assertThat(table.schema().findField("vector").type().asListType().elementType()).isEqualTo(org.apache.iceberg.types.Types.FloatType.get());
        assertThat(table.properties()).containsEntry("kiln.column.vector.dimension", "2");
        Snapshot snapshot = table.snapshot(first.snapshotId());
        assertThat(snapshot.summary()).containsEntry("kiln.rows-split", "4500").containsEntry("kiln.step-counts", "{\"split-test@1\":{\"chunks\":9000}}");
        Record chunk = rows(table).stream().filter(row -> row.getField("id").equals("0-12#1")).findFirst().orElseThrow();
        assertThat(chunk.getField("chunk_index")).isEqualTo(1);
        assertThat(chunk.getField("vector")).isEqualTo(List.of(1f, Float.MIN_VALUE));
        assertThat(chunk.getField("_kiln_source_pos")).isEqualTo("line:15/chunk:1");

        Run again = run("job-split-2", binder.bind(new JobSpec("demo.chunks2", spec.source(), spec.steps(), null, null, null)), 4, 1000, 64 * 1024);
        assertThat(again.contentDigest()).isEqualTo(first.contentDigest());
    }

    /** A duplicate filter on the exact text, with a plain map as its index: enough to test the runtime's two passes. */
    private static final class SameTextFilter implements io.kiln.transform.StepDefinition {
        @Override
        public io.kiln.transform.StepId id() {
            return new io.kiln.transform.StepId("same-text", 1);
        }

        @Override
        public io.kiln.transform.Transform bind(Map<String, Object> parameters) {
            return new io.kiln.transform.DuplicateFilter() {
                @Override
                public io.kiln.transform.StepId id() {
                    return new io.kiln.transform.StepId("same-text", 1);
                }

                @Override
                public String indexName() {
                    return "same-text-1";
                }

                @Override
                public Object signature(io.kiln.transform.Row row) {
                    return row.string(Row.TEXT).orElseThrow();
                }

                @Override
                public Index newIndex() {
                    return new Index() {
                        final Map<String, String> history = new java.util.HashMap<>();
                        final Map<String, java.util.TreeMap<String, String>> byText = new java.util.HashMap<>();
                        final Map<Long, String> texts = new java.util.HashMap<>();
                        final Map<Long, String> ranks = new java.util.HashMap<>();

                        @Override
                        public void loadHistory(java.io.InputStream segment) throws IOException {
                            for (String line : new String(segment.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                                if (!line.isEmpty()) {
                                    String[] parts = line.split("\t", 2);
                                    history.putIfAbsent(parts[1], parts[0]);
                                }
                            }
                        }

                        @Override
                        public synchronized void add(long occurrence, String id, Object signature) {
                            String rank = id + "\u0000" + String.format("%019d", occurrence);
                            byText.computeIfAbsent((String) signature, text -> new java.util.TreeMap<>()).put(rank, id);
                            texts.put(occurrence, (String) signature);
                            ranks.put(occurrence, rank);
                        }

                        @Override
                        public void decide() {}

                        @Override
                        public Optional<io.kiln.transform.DuplicateFilter.Duplicate> duplicate(long occurrence, String id) {
                            String text = texts.get(occurrence);
                            if (history.containsKey(text)) {
                                return Optional.of(new io.kiln.transform.DuplicateFilter.Duplicate(history.get(text), true, "h" + text.hashCode(), 1.0));
                            }
                            Map.Entry<String, String> survivor = byText.get(text).firstEntry();
                            return survivor.getKey().equals(ranks.get(occurrence)) ? Optional.empty()
                                    : Optional.of(new io.kiln.transform.DuplicateFilter.Duplicate(survivor.getValue(), false, "j" + text.hashCode(), 1.0));
                        }

                        @Override
                        public void writeSegment(java.io.OutputStream out) throws IOException {
                            for (Map.Entry<String, java.util.TreeMap<String, String>> entry : new java.util.TreeMap<>(byText).entrySet()) {
                                if (!history.containsKey(entry.getKey())) {
                                    out.write((entry.getValue().firstEntry().getValue() + "\t" + entry.getKey() + "\n").getBytes(StandardCharsets.UTF_8));
                                }
                            }
                        }

                        @Override
                        public long estimatedBytes() {
                            return 0;
                        }
                    };
                }
            };
        }
    }

    private void writeLines(String name, List<String> lines) throws IOException {
        Files.write(inputs.resolve(name), lines, StandardCharsets.UTF_8);
    }

    @Test
    void duplicatesAreDroppedInTwoPassesWhateverTheThreadsBatchesAndHistory() throws IOException {
        binder = new JobBinder(VALIDATOR, new StepRegistry(List.of(new io.kiln.transform.text.NormalizeStep(), new SameTextFilter())), List.of(inputs), catalog,
                new CheckSuites(temp.resolve("suites")), Optional.empty(), 0.9);
        Files.createDirectories(inputs.resolve("dedup"));
        writeLines("dedup/a.jsonl", List.of("{\"id\": \"z1\", \"text\": \"alpha\"}", "{\"id\": \"b1\", \"text\": \" alpha \"}", "{\"id\": \"c1\", \"text\": \"beta\"}"));
        writeLines("dedup/b.jsonl", List.of("{\"id\": \"a2\", \"text\": \"beta\"}", "{\"id\": \"d2\", \"text\": \"gamma\"}"));
        java.util.function.Function<String, JobSpec> spec = table -> new JobSpec(table, new SourceSpec("file://" + inputs + "/dedup/*.jsonl", "jsonl", Map.of()),
                List.of(new StepSpec("normalize", Map.of()), new StepSpec("same-text", Map.of())), null, null, null);

        Run one = run("dedup-1", binder.bind(spec.apply("demo.dedup1")), 1, 1, 64 * 1024);
        Run other = run("dedup-2", binder.bind(spec.apply("demo.dedup2")), 4, 1000, 64 * 1024);
        assertThat(one.written()).isEqualTo(3);
        assertThat(one.rejectedByReason()).containsExactly(Map.entry("same-text@1/duplicate", 2L));
        assertThat(other.contentDigest()).isEqualTo(one.contentDigest());
        Table table = catalog.loadTable(TableIdentifier.of("demo", "dedup1"));
        assertThat(rows(table).stream().map(row -> (String) row.getField("id")).sorted().toList()).containsExactly("a2", "b1", "d2");
        List<Record> rejects = rows(catalog.loadTable(TableIdentifier.of("demo", "dedup1__rejects")));
        assertThat(rejects.stream().map(row -> row.getField("record_id") + ": " + row.getField("detail")).sorted().toList()).containsExactly(
                "c1: duplicate of row 'a2' (kept from this job), cluster j" + "beta".hashCode() + ", similarity 1.000",
                "z1: duplicate of row 'b1' (kept from this job), cluster j" + "alpha".hashCode() + ", similarity 1.000");

        // a second batch against the published history: its copies go, its new text stays, and a reproduction of the first job still matches
        Files.createDirectories(inputs.resolve("dedup2"));
        writeLines("dedup2/c.jsonl", List.of("{\"id\": \"n1\", \"text\": \"gamma\"}", "{\"id\": \"n2\", \"text\": \"delta\"}"));
        Run second = run("dedup-3", binder.bind(new JobSpec("demo.dedup1", new SourceSpec("file://" + inputs + "/dedup2/*.jsonl", "jsonl", Map.of()),
                List.of(new StepSpec("normalize", Map.of()), new StepSpec("same-text", Map.of())), null, null, null)), 2, 1, 64 * 1024);
        assertThat(second.written()).isEqualTo(1);
        assertThat(second.rejectedByReason()).containsExactly(Map.entry("same-text@1/duplicate", 1L));
        table.refresh();
        assertThat(table.currentSnapshot().summary().get("kiln.dedup-index.same-text-1")).contains("dedup-1.seg", "dedup-3.seg");

        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(2, 3, 1 << 20, 64 * 1024, "test"));
        IngestPipeline.Result reproduced = pipeline.run("reproduce-dedup-1", binder.bind(spec.apply("demo.dedup1")), new JobProgress(), () -> false,
                Optional.of(table.snapshot(one.snapshotId()).summary()));
        assertThat(reproduced.contentDigest()).isEqualTo(one.contentDigest());
    }

    @Test
    void theDigestRecordsItsFormatAndAReproductionComputesTheFormatTheSnapshotHas() throws IOException {
        // a float and a double whose text Java 17's toString gives with a digit too many (2.72775885E9, 1.9999999999999998E23)
        Files.createDirectories(inputs.resolve("numbers"));
        writeLines("numbers/n.jsonl", List.of("{\"id\": \"a\", \"amount\": 2.72775885E9, \"ratio\": 2.0E23}", "{\"id\": \"b\", \"amount\": 0.5, \"ratio\": 0.1}"));
        com.fasterxml.jackson.databind.JsonNode schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "[{\"name\": \"amount\", \"type\": \"float\"}, {\"name\": \"ratio\", \"type\": \"double\"}]");
        java.util.function.Function<String, BoundJob> job = table -> binder.bind(new JobSpec(table, new SourceSpec("file://" + inputs + "/numbers/*.jsonl", "jsonl",
                null, schema, null, null, null, null, null), List.of(), null, null, null));
        Run published = run("numbers-1", job.apply("demo.numbers"), 1, 10, 64 * 1024);
        Table table = catalog.loadTable(TableIdentifier.of("demo", "numbers"));
        Map<String, String> summary = table.snapshot(published.snapshotId()).summary();
        assertThat(summary).containsEntry(IngestPipeline.CONTENT_DIGEST_FORMAT, "3");
        String uri = inputs.resolve("numbers/n.jsonl").toUri().toString();
        String sha256 = summary.get("kiln.input-manifest").replaceAll(".*\"sha256\":\"([0-9a-f]{64})\".*", "$1");
        io.kiln.lake.ContentDigest typed = new io.kiln.lake.ContentDigest();
        io.kiln.lake.ContentDigest.Field input = io.kiln.lake.ContentDigest.Field.hashOf(uri, sha256, summary.get("kiln.recipe"));
        for (Object[] row : List.of(new Object[] {"a", "line:1", 2.72775885E9f, 2.0E23}, new Object[] {"b", "line:2", 0.5f, 0.1})) {
            typed.beginRow();
            typed.append(input);
            typed.append((String) row[0]);
            typed.append((String) row[1]);
            typed.append("amount");
            typed.appendValue(row[2]);
            typed.append("ratio");
            typed.appendValue(row[3]);
            typed.endRow();
        }
        assertThat(published.contentDigest()).isEqualTo(typed.value());

        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(2, 1, 1 << 20, 64 * 1024, "test"));
        IngestPipeline.Result same = pipeline.run("reproduce-numbers-3", job.apply("demo.numbers"), new JobProgress(), () -> false, Optional.of(summary));
        assertThat(same.contentDigest()).isEqualTo(published.contentDigest());

        // a snapshot of format 2: every value as text, doubles and floats as their shortest text
        Map<String, String> formatTwo = new java.util.HashMap<>(summary);
        formatTwo.put(IngestPipeline.CONTENT_DIGEST_FORMAT, "2");
        IngestPipeline.Result texts = pipeline.run("reproduce-numbers-2", job.apply("demo.numbers"), new JobProgress(), () -> false, Optional.of(formatTwo));
        io.kiln.lake.ContentDigest shortest = new io.kiln.lake.ContentDigest();
        shortest.add("a", null, uri, sha256, "line:1", summary.get("kiln.recipe"), "amount", "2.7277588E9", "ratio", "2.0E23");
        shortest.add("b", null, uri, sha256, "line:2", summary.get("kiln.recipe"), "amount", "0.5", "ratio", "0.1");
        assertThat(texts.contentDigest()).isEqualTo(shortest.value());

        // a snapshot from before the format key: digested with the running Java's texts, which on Java 17 are other texts
        Map<String, String> formatOne = new java.util.HashMap<>(summary);
        formatOne.remove(IngestPipeline.CONTENT_DIGEST_FORMAT);
        IngestPipeline.Result legacy = pipeline.run("reproduce-numbers-1", job.apply("demo.numbers"), new JobProgress(), () -> false, Optional.of(formatOne));
        io.kiln.lake.ContentDigest expected = new io.kiln.lake.ContentDigest();
        expected.add("a", null, uri, sha256, "line:1", summary.get("kiln.recipe"), "amount", Float.toString(2.72775885E9f), "ratio", Double.toString(2.0E23));
        expected.add("b", null, uri, sha256, "line:2", summary.get("kiln.recipe"), "amount", "0.5", "ratio", "0.1");
        assertThat(legacy.contentDigest()).isEqualTo(expected.value());
        assertThat(legacy.contentDigest().equals(texts.contentDigest())).isEqualTo(Float.toString(2.72775885E9f).equals("2.7277588E9"));

        Map<String, String> later = new java.util.HashMap<>(summary);
        later.put(IngestPipeline.CONTENT_DIGEST_FORMAT, "4");
        assertThatThrownBy(() -> pipeline.run("reproduce-numbers-4", job.apply("demo.numbers"), new JobProgress(), () -> false, Optional.of(later)))
                .isInstanceOf(KilnException.class).hasMessageContaining("format 4, which this Kiln does not compute (it computes 1 to 3)");
    }

    @Test
    void aTextSourceKeepsDigestFormatTwo() throws IOException {
        Files.createDirectories(inputs.resolve("plain"));
        writeLines("plain/p.jsonl", List.of(json("p1", "first text"), json("p2", "second text")));
        Run published = run("plain-1", binder.bind(new JobSpec("demo.plain", new SourceSpec("file://" + inputs + "/plain/*.jsonl", "jsonl",
                Map.of("id", "id", "text", "text")), List.of(), null, null, null)), 1, 10, 64 * 1024);
        Map<String, String> summary = catalog.loadTable(TableIdentifier.of("demo", "plain")).snapshot(published.snapshotId()).summary();
        assertThat(summary).containsEntry(IngestPipeline.CONTENT_DIGEST_FORMAT, "2");
        String uri = inputs.resolve("plain/p.jsonl").toUri().toString();
        String sha256 = summary.get("kiln.input-manifest").replaceAll(".*\"sha256\":\"([0-9a-f]{64})\".*", "$1");
        io.kiln.lake.ContentDigest expected = new io.kiln.lake.ContentDigest();
        expected.add("p1", "first text", uri, sha256, "line:1", summary.get("kiln.recipe"));
        expected.add("p2", "second text", uri, sha256, "line:2", summary.get("kiln.recipe"));
        assertThat(published.contentDigest()).isEqualTo(expected.value());
    }

    private static String paragraph(int seed) {
        java.util.Random random = new java.util.Random(seed);
        String[] words = {"data", "kiln", "lake", "table", "snapshot", "row", "batch", "audit", "publish", "train", "model", "token", "chunk",
            "index", "digest", "recipe", "source", "schema", "column", "commit", "branch", "tag", "pin", "query", "engine", "check"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(50)).append(' ');
        }
        return text.toString().trim();
    }

    private static String json(String id, String text) {
        return "{\"id\": \"" + id + "\", \"text\": \"" + text + "\"}";
    }

    @Test
    void aSecondBatchDropsCopiesAndNearCopiesOfTheFirstWithReasonsPointingAtTheSurvivors() throws IOException {
        Files.createDirectories(inputs.resolve("batch1"));
        Files.createDirectories(inputs.resolve("batch2"));
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add(json("b1-" + i, paragraph(i)));
        }
        first.add(json("b1-copy-of-7", paragraph(7).toUpperCase()));
        writeLines("batch1/part.jsonl", first);
        String nearCopy = paragraph(3).replaceFirst("\\S+", "changed");
        writeLines("batch2/a.jsonl", List.of(json("b2-copy", "  " + paragraph(12) + " "), json("b2-near", nearCopy), json("b2-new", paragraph(1000))));
        writeLines("batch2/b.jsonl", List.of(json("b2-new-twice", paragraph(1000))));
        List<StepSpec> steps = List.of(new StepSpec("normalize", Map.of()), new StepSpec("dedup-exact", Map.of()), new StepSpec("dedup-near", Map.of()));
        binder = new JobBinder(VALIDATOR, StepRegistry.defaultRegistry(), List.of(inputs), catalog, new CheckSuites(temp.resolve("suites")), Optional.empty(), 0.9);

        Run one = run("inc-1", binder.bind(new JobSpec("demo.incremental", new SourceSpec("file://" + inputs + "/batch1/*.jsonl", "jsonl", Map.of()), steps, null, null, null)), 2, 8, 64 * 1024);
        assertThat(one.written()).isEqualTo(40);
        assertThat(one.rejectedByReason()).containsExactly(Map.entry("dedup-exact@1/duplicate", 1L));

        Run two = run("inc-2", binder.bind(new JobSpec("demo.incremental", new SourceSpec("file://" + inputs + "/batch2/*.jsonl", "jsonl", Map.of()), steps, null, null, null)), 2, 1, 64 * 1024);
        assertThat(two.written()).isEqualTo(1);
        assertThat(two.rejectedByReason()).containsExactly(Map.entry("dedup-exact@1/duplicate", 2L), Map.entry("dedup-near@2/duplicate", 1L));
        List<String> reasons = rows(catalog.loadTable(TableIdentifier.of("demo", "incremental__rejects"))).stream()
                .filter(row -> row.getField("_kiln_job_id").equals("inc-2"))
                .map(row -> row.getField("record_id") + " -> " + row.getField("detail")).sorted().toList();
        assertThat(reasons).hasSize(3);
        assertThat(reasons.get(0)).startsWith("b2-copy -> duplicate of row 'b1-12' (already in the table), cluster ");
        assertThat(reasons.get(1)).startsWith("b2-near -> duplicate of row 'b1-3' (already in the table), cluster ").matches(".*similarity 0\\.9\\d\\d");
        assertThat(reasons.get(2)).startsWith("b2-new-twice -> duplicate of row 'b2-new' (kept from this job), cluster ");

        // the same batch with more threads and bigger batches, against the history batch 2 saw: the same rows
        Table table = catalog.loadTable(TableIdentifier.of("demo", "incremental"));
        Optional<Map<String, String>> historyOfTwo = Optional.of(table.snapshot(two.snapshotId()).summary());
        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(4, 1000, 1 << 20, 64 * 1024, "test"));
        IngestPipeline.Result again = pipeline.run("inc-2-again", binder.bind(new JobSpec("demo.incremental", new SourceSpec("file://" + inputs + "/batch2/*.jsonl", "jsonl", Map.of()), steps, null, null, null)),
                new JobProgress(), () -> false, historyOfTwo);
        assertThat(again.contentDigest()).isEqualTo(two.contentDigest());

        // the same records in one file, in reverse order (the later copy first): the same row survives, the same rows go
        Files.createDirectories(inputs.resolve("batch2-shuffled"));
        writeLines("batch2-shuffled/all.jsonl", List.of(json("b2-new-twice", paragraph(1000)), json("b2-new", paragraph(1000)), json("b2-near", nearCopy),
                json("b2-copy", "  " + paragraph(12) + " ")));
        IngestPipeline.Result shuffled = pipeline.run("inc-2-shuffled", binder.bind(new JobSpec("demo.incremental",
                new SourceSpec("file://" + inputs + "/batch2-shuffled/*.jsonl", "jsonl", Map.of()), steps, null, null, null)), new JobProgress(), () -> false, historyOfTwo);
        assertThat(shuffled.rejectedByReason()).isEqualTo(two.rejectedByReason());
        List<String> kept = new ArrayList<>();
        table.refresh();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(shuffled.staged().orElseThrow().snapshotId()).build()) {
            records.forEach(record -> {
                if (record.getField("_kiln_job_id").equals("inc-2-shuffled")) {
                    kept.add((String) record.getField("id"));
                }
            });
        }
        assertThat(kept).containsExactly("b2-new");
    }

    @Test
    void documentsOfEveryFormatBecomeRowsWithTheirMetadataColumnsAndJunkBecomesRejects() throws IOException {
        Path documents = Files.createDirectories(inputs.resolve("documents"));
        try (java.util.stream.Stream<Path> fixtures = Files.list(Path.of("src/test/resources/documents"))) {
            for (Path fixture : fixtures.toList()) {
                Files.copy(fixture, documents.resolve(fixture.getFileName()));
            }
        }
        Run run = run("docs-1", binder.bind(new JobSpec("demo.documents", new SourceSpec("file://" + documents + "/*", "auto", Map.of()),
                List.of(new StepSpec("normalize", Map.of())), null, null, null)), 2, 4, 64 * 1024);

        Table table = catalog.loadTable(TableIdentifier.of("demo", "documents"));
        assertThat(table.schema().findField("title")).isNotNull();
        assertThat(table.schema().findField("content_type")).isNotNull();
        Map<String, String> types = new java.util.TreeMap<>();
        Map<String, Object> titles = new java.util.TreeMap<>();
        rows(table).forEach(row -> {
            types.put((String) row.getField("id"), (String) row.getField("content_type"));
            titles.put((String) row.getField("id"), row.getField("title"));
        });
        // every document but the binary junk is a row; the mbox gives one per message
        assertThat(types.keySet()).containsExactly("archive.mbox#1", "archive.mbox#2", "archive.mbox#3", "book.epub", "letter.rtf", "manual.pdf",
                "message.eml", "notes.md", "page.html", "report.docx");
        assertThat(types).containsEntry("page.html", "text/html").containsEntry("manual.pdf", "application/pdf").containsEntry("archive.mbox#1", "message/rfc822");
        assertThat(titles.get("message.eml")).isNotNull();
        assertThat(run.rejectedByReason()).containsExactly(Map.entry("extract/unsupported-type", 1L));
        assertThat(run.written()).isEqualTo(10);
    }

    @Test
    void embeddingsAreStoredAsVectorsWithTheModelRecordedAndTheSameWhateverTheThreadsAndBatches() throws IOException {
        Files.createDirectories(inputs.resolve("embed"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add(json("e-" + i, i % 5 == 0 ? paragraph(i) : "sentence number " + i + " about " + paragraph(i).substring(0, 20 + i)));
        }
        writeLines("embed/part.jsonl", lines);
        java.util.function.Function<String, JobSpec> spec = table -> new JobSpec(table, new SourceSpec("file://" + inputs + "/embed/*.jsonl", "jsonl", Map.of()),
                List.of(new StepSpec("normalize", Map.of()), new StepSpec("embed", Map.of())), null, null, null);

        Run one = run("embed-1", binder.bind(spec.apply("demo.vectors1")), 1, 7, 64 * 1024);
        Run other = run("embed-2", binder.bind(spec.apply("demo.vectors2")), 2, 1000, 64 * 1024);

        assertThat(one.written()).isEqualTo(40);
        assertThat(other.contentDigest()).isEqualTo(one.contentDigest());
        Table table = catalog.loadTable(TableIdentifier.of("demo", "vectors1"));
        assertThat(table.properties()).containsEntry("kiln.column.embedding.dimension", "384");
        assertThat(table.snapshot(one.snapshotId()).summary()).containsEntry("kiln.embedding-provider", "CPU")
                .hasEntrySatisfying("kiln.embedding-model", model -> assertThat(model).startsWith("all-minilm-l6-v2 dim=384"));
        Record row = rows(table).get(0);
        @SuppressWarnings("unchecked")
        List<Float> vector = (List<Float>) row.getField("embedding");
        assertThat(vector).hasSize(384);
        assertThat(vector.stream().mapToDouble(value -> value * value).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void chunksKeepTheirParentAndIndexAndCarryTheirTokens() throws IOException {
        Files.createDirectories(inputs.resolve("chunks"));
        writeLines("chunks/part.jsonl", List.of(json("long", paragraph(1) + "\\n\\n" + paragraph(2) + "\\n\\n" + paragraph(3)), json("short", "A short text.")));
        Run run = run("chunk-1", binder.bind(new JobSpec("demo.chunked", new SourceSpec("file://" + inputs + "/chunks/*.jsonl", "jsonl", Map.of()),
                List.of(new StepSpec("normalize", Map.of()), new StepSpec("chunk", Map.of("maxTokens", 100, "overlapTokens", 10)),
                        new StepSpec("tokenize", Map.of())), null, null, null)), 2, 1, 64 * 1024);

        assertThat(run.read()).isEqualTo(2);
        assertThat(run.written()).isGreaterThan(3);
        assertThat(run.read() + run.result().split()).isEqualTo(run.written() + run.rejected());
        Table table = catalog.loadTable(TableIdentifier.of("demo", "chunked"));
        assertThat(table.snapshot(run.snapshotId()).summary()).containsEntry("kiln.tokenizer", "cl100k_base (jtokkit 1.1.0)");
        List<Record> rows = rows(table);
        Record first = rows.stream().filter(row -> row.getField("id").equals("long#0")).findFirst().orElseThrow();
        assertThat(first.getField("parent_id")).isEqualTo("long");
        assertThat(first.getField("_kiln_source_pos")).isEqualTo("line:1/chunk:0");
        @SuppressWarnings("unchecked")
        List<Integer> tokens = (List<Integer>) first.getField("token_ids");
        assertThat(tokens).hasSize((Integer) first.getField("token_count")).hasSizeLessThanOrEqualTo(100);
        assertThat(com.knuddels.jtokkit.Encodings.newDefaultEncodingRegistry().getEncoding(com.knuddels.jtokkit.api.EncodingType.CL100K_BASE)
                .decode(new com.knuddels.jtokkit.api.IntArrayList() {{ tokens.forEach(this::add); }})).isEqualTo(first.getField("text"));
        assertThat(rows.stream().filter(row -> row.getField("id").equals("short#0")).findFirst().orElseThrow().getField("chunk_count")).isEqualTo(1);
    }

    @Test
    void nearDedupVersionTwoKeepsBothEndsOfAChainAndSharesHistoryWithVersionOne() throws IOException {
        // three windows of one text: A~B and B~C at 0.82 by 5-word shingles, A vs C at 0.67; the threshold 0.75 leaves the estimate room
        java.util.Random random = new java.util.Random(24);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 220; i++) {
            words.add(Long.toString(random.nextLong() & Long.MAX_VALUE, 36).substring(0, 6));
        }
        Files.createDirectories(inputs.resolve("chain"));
        writeLines("chain/part.jsonl", List.of(json("a", String.join(" ", words.subList(0, 184))), json("b", String.join(" ", words.subList(18, 202))),
                json("c", String.join(" ", words.subList(36, 220)))));
        SourceSpec source = new SourceSpec("file://" + inputs + "/chain/*.jsonl", "jsonl", Map.of());
        Map<String, Object> near = Map.of("threshold", 0.75);

        Run one = run("chain-1", binder.bind(new JobSpec("demo.chain_v1", source, List.of(new StepSpec("dedup-near", 1, near)), null, 1.0, null)), 2, 1, 64 * 1024);
        assertThat(one.written()).as("version 1 drops C through B").isEqualTo(1);

        Run two = run("chain-2", binder.bind(new JobSpec("demo.chain_v2", source, List.of(new StepSpec("dedup-near", near)), null, 1.0, null)), 2, 1, 64 * 1024);
        assertThat(two.written()).isEqualTo(2);
        assertThat(rows(catalog.loadTable(TableIdentifier.of("demo", "chain_v2")))).extracting(row -> row.getField("id")).containsExactlyInAnyOrder("a", "c");
        assertThat(rows(catalog.loadTable(TableIdentifier.of("demo", "chain_v2__rejects")))).singleElement()
                .satisfies(reject -> assertThat(reject.getField("detail").toString()).startsWith("duplicate of row 'a' (kept from this job)").endsWith("similarity 0.818"));

        // the other version on each table reads the history the first wrote: every record is now a duplicate of a published row
        Run oneAfterTwo = run("chain-3", binder.bind(new JobSpec("demo.chain_v2", source, List.of(new StepSpec("dedup-near", 1, near)), null, 1.0, null)), 2, 1, 64 * 1024);
        assertThat(oneAfterTwo.written()).isZero();
        Run twoAfterOne = run("chain-4", binder.bind(new JobSpec("demo.chain_v1", source, List.of(new StepSpec("dedup-near", 2, near)), null, 1.0, null)), 2, 1, 64 * 1024);
        assertThat(twoAfterOne.rejectedByReason()).containsExactly(Map.entry("dedup-near@2/duplicate", 2L));
        assertThat(twoAfterOne.written()).as("C is not near A, the only row version 1 kept").isEqualTo(1);
    }

    @Test
    void fittedStepsApartAreEachFittedInAPassOfTheirOwn() throws IOException {
        Files.createDirectories(inputs.resolve("apart"));
        String words = "kiln writes every row once with its lineage and its recipe so that a training job reads exactly the rows it pinned";
        writeLines("apart/part.jsonl", List.of(
                "{\"id\": \"a\", \"text\": \"" + words + " today\"}",
                "{\"id\": \"b\", \"text\": \"" + words + " today\"}",
                "{\"id\": \"c\", \"text\": \"" + words + " tomorrow\"}",
                "{\"id\": \"d\", \"text\": \"something else entirely, about pottery and glazes and the heat of a kiln at noon\"}"));
        SourceSpec source = new SourceSpec("file://" + inputs + "/apart/*.jsonl", "jsonl", Map.of());
        JobSpec apart = new JobSpec("demo.apart", source,
                List.of(new StepSpec("dedup-exact", Map.of()), new StepSpec("normalize", Map.of()), new StepSpec("dedup-near", Map.of("threshold", 0.7))), null, null, null);
        Run run = run("apart-1", binder.bind(apart), 2, 1, 64 * 1024);
        assertThat(run.rejectedByReason()).containsExactlyInAnyOrderEntriesOf(Map.of("dedup-exact@1/duplicate", 1L, "dedup-near@2/duplicate", 1L));
        List<Record> rejects = rows(catalog.loadTable(TableIdentifier.of("demo", "apart__rejects")));
        assertThat(rejects).extracting(row -> row.getField("record_id") + " " + row.getField("step")).containsExactlyInAnyOrder("b dedup-exact@1", "c dedup-near@2");
        assertThat(rejects.stream().filter(row -> row.getField("record_id").equals("c")).findFirst().orElseThrow().getField("detail").toString())
                .startsWith("duplicate of row 'a' (kept from this job)");
        assertThat(catalog.loadTable(TableIdentifier.of("demo", "apart")).currentSnapshot().summary().keySet())
                .contains("kiln.dedup-index.exact-v1").anyMatch(key -> key.startsWith("kiln.dedup-index.near-v1-words-5-"));
        JobSpec badBands = new JobSpec("demo.apart", source, List.of(new StepSpec("dedup-near", Map.of("bands", 5))), null, null, null);
        assertThatThrownBy(() -> binder.bind(badBands)).isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.violations())
                .extracting(violation -> violation.field() + ": " + violation.message())
                .containsExactly("steps[0].params.bands: must divide hashCount (112), was 5"));
    }
}
