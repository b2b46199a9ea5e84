package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;

/**
 * The file a job reads is the file that was checked when it was bound: one swapped afterwards for a
 * symbolic link (or a folder on its path swapped for one) to a file outside the source roots is never
 * read, and nothing of it is published.
 */
class SwappedInputsTest {
    private static final String SECRET = "{\"id\": \"secret\", \"text\": \"from outside the roots\"}\n";

    @TempDir
    Path temp;
    Path root;
    Path outside;
    PipelineHarness harness;

    @BeforeEach
    void harness() throws IOException {
        root = Files.createDirectories(temp.resolve("root"));
        outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.jsonl"), SECRET);
        Files.createDirectories(outside.resolve("sub"));
        Files.writeString(outside.resolve("sub/c.jsonl"), SECRET);
        harness = new PipelineHarness(temp.resolve("lake"), List.of(root));
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private BoundJob bindTextJob(String table) throws IOException {
        Path source = Files.createDirectories(root.resolve("source"));
        Files.writeString(source.resolve("a.jsonl"), "{\"id\": \"a\", \"text\": \"inside\"}\n");
        Files.writeString(source.resolve("b.jsonl"), "{\"id\": \"b\", \"text\": \"inside too\"}\n");
        Files.createDirectories(source.resolve("sub"));
        Files.writeString(source.resolve("sub/c.jsonl"), "{\"id\": \"c\", \"text\": \"inside, below\"}\n");
        return harness.binder.bind(new JobSpec(table, new SourceSpec("file://" + source, "jsonl", Map.of("id", "id", "text", "text")),
                List.of(), null, null, null));
    }

    /** Nothing was committed to the table (if it was made at all), on main or on any branch. */
    private void assertNothingPublished(String table) {
        TableIdentifier name = TableIdentifier.parse(table);
        if (harness.catalog.tableExists(name)) {
            Table data = harness.catalog.loadTable(name);
            assertThat(data.snapshots()).isEmpty();
        }
    }

    private void runExpectingChanged(String jobId, BoundJob job, String replaced) {
        IngestPipeline pipeline = new IngestPipeline(harness.publisher, new IngestPipeline.Settings(1, 10, 1 << 20, 1 << 20, "test"));
        assertThatThrownBy(() -> pipeline.run(jobId, job, new JobProgress(), () -> false))
                .isInstanceOfSatisfying(KilnException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_CHANGED);
                    assertThat(e.getMessage()).contains(replaced).contains("was replaced after the job was bound").doesNotContain("secret")
                            .doesNotContain(outside.toString());
                });
    }

    @Test
    void linksThatStayInsideTheRootsAreReadAsBeforeAndARootThatIsALinkWorks() throws IOException {
        Path data = Files.createDirectories(root.resolve("data"));
        Files.writeString(data.resolve("b.jsonl"), "{\"id\": \"b\", \"text\": \"linked from inside\"}\n");
        Path source = Files.createDirectories(root.resolve("linked"));
        Files.writeString(source.resolve("a.jsonl"), "{\"id\": \"a\", \"text\": \"inside\"}\n");
        Files.createSymbolicLink(source.resolve("b.jsonl"), data.resolve("b.jsonl"));
        IngestPipeline.Result linked = harness.run("linked", new JobSpec("swap.linked", new SourceSpec("file://" + source, "jsonl", Map.of("id", "id", "text", "text")),
                List.of(), null, null, null), 1, 10);
        assertThat(linked.written()).isEqualTo(2);

        // the configured root is itself a link (a data mount): its files are read through it
        Path alias = Files.createSymbolicLink(temp.resolve("alias"), root);
        try (PipelineHarness aliased = new PipelineHarness(temp.resolve("lake-2"), List.of(alias))) {
            IngestPipeline.Result result = aliased.run("aliased", new JobSpec("swap.aliased", new SourceSpec("file://" + alias.resolve("linked"), "jsonl",
                    Map.of("id", "id", "text", "text")), List.of(), null, null, null), 1, 10);
            assertThat(result.written()).isEqualTo(2);
        }
    }

    @Test
    void aFileSwappedForALinkToAFileOutsideTheRootsAfterBindingIsNeverReadOrPublished() throws IOException {
        BoundJob job = bindTextJob("swap.file");
        Path b = root.resolve("source/b.jsonl");
        Files.delete(b);
        Files.createSymbolicLink(b, outside.resolve("secret.jsonl"));

        runExpectingChanged("swap-file", job, "b.jsonl");
        assertNothingPublished("swap.file");
    }

    @Test
    void aFileSwappedForALinkBetweenPlanningAndReadingIsNeverReadOrPublished() throws IOException {
        BoundJob job = bindTextJob("swap.late");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            many.append("{\"id\": \"a").append(i).append("\", \"text\": \"inside\"}\n");
        }
        Files.writeString(root.resolve("source/a.jsonl"), many);
        job = harness.binder.bind(new JobSpec("swap.late", new SourceSpec("file://" + root.resolve("source"), "jsonl", Map.of("id", "id", "text", "text")),
                List.of(), null, null, null));
        IngestPipeline pipeline = new IngestPipeline(harness.publisher, new IngestPipeline.Settings(1, 10, 1 << 20, 1 << 20, "test"));
        int[] calls = new int[1];
        java.util.function.BooleanSupplier swapAfterPlanning = () -> {
            // asked once when the inputs are listed, then once per full batch while reading a.jsonl, before b.jsonl is hashed
            if (++calls[0] == 2) {
                try {
                    Path b = root.resolve("source/b.jsonl");
                    Files.delete(b);
                    Files.createSymbolicLink(b, outside.resolve("secret.jsonl"));
                }
                catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return false;
        };
        BoundJob bound = job;
        assertThatThrownBy(() -> pipeline.run("swap-late", bound, new JobProgress(), swapAfterPlanning))
                .isInstanceOfSatisfying(KilnException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_CHANGED);
                    assertThat(e.getMessage()).contains("b.jsonl was replaced after the job was bound: it is now a symbolic link");
                });
        assertThat(calls[0]).isGreaterThanOrEqualTo(2);
        assertNothingPublished("swap.late");
    }

    @Test
    void aFolderSwappedForALinkToAFolderOutsideTheRootsAfterBindingIsNeverReadOrPublished() throws IOException {
        BoundJob job = bindTextJob("swap.folder");
        Path sub = root.resolve("source/sub");
        Files.delete(sub.resolve("c.jsonl"));
        Files.delete(sub);
        Files.createSymbolicLink(sub, outside.resolve("sub"));

        runExpectingChanged("swap-folder", job, "c.jsonl");
        assertNothingPublished("swap.folder");
    }

    @Test
    void aFileReplacedByAnotherAfterBindingFailsTheJobAsAChangedInput() throws IOException {
        BoundJob job = bindTextJob("swap.replaced");
        Path b = root.resolve("source/b.jsonl");
        Path replacement = Files.writeString(root.resolve("source/.b.tmp"), "{\"id\": \"b\", \"text\": \"rewritten\"}\n");
        Files.move(replacement, b, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        runExpectingChanged("swap-replaced", job, "b.jsonl");
    }

    private static void writeParquet(Path file, String... names) throws IOException {
        org.apache.iceberg.Schema schema = new org.apache.iceberg.Schema(
                org.apache.iceberg.types.Types.NestedField.required(1, "id", org.apache.iceberg.types.Types.StringType.get()),
                org.apache.iceberg.types.Types.NestedField.optional(2, "name", org.apache.iceberg.types.Types.StringType.get()));
        try (org.apache.iceberg.io.FileAppender<org.apache.iceberg.data.Record> appender = org.apache.iceberg.parquet.Parquet
                .write(org.apache.iceberg.Files.localOutput(file.toFile())).schema(schema)
                .createWriterFunc(type -> org.apache.iceberg.data.parquet.GenericParquetWriter.create(schema, type)).build()) {
            for (String name : names) {
                org.apache.iceberg.data.GenericRecord record = org.apache.iceberg.data.GenericRecord.create(schema);
                record.setField("id", name);
                record.setField("name", name + "'s name");
                appender.add(record);
            }
        }
    }

    @Test
    void aParquetInputIsReadWhereItWasBoundAndNeverThroughALinkSwappedInSince() throws IOException {
        Path parquet = Files.createDirectories(root.resolve("parquet"));
        writeParquet(parquet.resolve("a.parquet"), "p1", "p2");
        writeParquet(parquet.resolve("b.parquet"), "p3");
        writeParquet(outside.resolve("secret.parquet"), "secret");
        java.util.function.Function<String, JobSpec> spec = table -> new JobSpec(table, new SourceSpec("file://" + parquet, "parquet", Map.of()),
                List.of(), null, null, null);
        harness.run("parquet-1", spec.apply("swap.parquet"), 1, 10);
        assertThat(PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse("swap.parquet"))))
                .extracting(row -> row.getField("id") + "=" + row.getField("name")).containsExactlyInAnyOrder("p1=p1's name", "p2=p2's name", "p3=p3's name");

        BoundJob job = harness.binder.bind(spec.apply("swap.parquet_late"));
        Files.delete(parquet.resolve("b.parquet"));
        Files.createSymbolicLink(parquet.resolve("b.parquet"), outside.resolve("secret.parquet"));
        runExpectingChanged("parquet-2", job, "b.parquet");
        assertNothingPublished("swap.parquet_late");
    }

    @Test
    void aManifestRowWhoseFileIsALinkOutsideTheRootsIsARejectAndTheOthersLoad() throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        Files.write(images.resolve("inside.bin"), new byte[] {1, 2, 3});
        Files.write(outside.resolve("outside.bin"), "secret bytes".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(images.resolve("link.bin"), outside.resolve("outside.bin"));
        Files.createDirectories(images.resolve("folder"));
        Files.write(images.resolve("folder/f.bin"), new byte[] {4, 5});
        Files.writeString(images.resolve("manifest.jsonl"), "{\"id\": \"1\", \"path\": \"inside.bin\"}\n{\"id\": \"2\", \"path\": \"link.bin\"}\n"
                + "{\"id\": \"3\", \"path\": \"folder/f.bin\"}\n");
        ObjectMapper json = new ObjectMapper();
        IngestPipeline.Result result = harness.run("manifest", new JobSpec("swap.manifest", new SourceSpec("file://" + images.resolve("manifest.jsonl"), "jsonl",
                Map.of(), json.readTree("[{\"name\": \"path\", \"type\": \"string\"}]"), null, null, null, null, null,
                new SourceSpec.FilesSpec("path", "blob")), List.of(), null, null, null), 1, 10);

        assertThat(result.rejectedByReason()).containsExactly(Map.entry("extract/outside-source-roots", 1L));
        List<Record> rows = PipelineHarness.rows(harness.catalog.loadTable(TableIdentifier.parse("swap.manifest")));
        assertThat(rows).extracting(row -> row.getField("id") + "=" + ((ByteBuffer) row.getField("blob")).remaining()).containsExactlyInAnyOrder("1=3", "3=2");
    }
}
