package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.stream.Stream;

import jakarta.validation.Validation;
import jakarta.validation.Validator;

import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kiln.catalog.CatalogIdentity;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.KilnCatalog;
import io.kiln.check.CheckSuites;
import io.kiln.lake.Publisher;
import io.kiln.transform.StepRegistry;

/**
 * What the text recipes wrote before rows had types, pinned: the recipe hash, the content digest
 * of the rows and of the rejects, for the demo's recipe and for every text source format. A change
 * to any of these values changes what an already published table would get from the same job: it
 * needs a new step or recipe version, not a new expected value.
 *
 * <p>The content digest covers each row's source URI, so the inputs are copied to one fixed
 * directory (held under a file lock, for builds that run at once on one machine).
 */
class TextRecipeDigestsTest {
    private static final Path FIXTURES = Path.of(System.getProperty("java.io.tmpdir"), "kiln-text-recipe-digests");
    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory().getValidator();

    private static FileChannel lockFile;
    private static FileLock lock;
    private static Path work;
    private static JdbcCatalog catalog;
    private static JobBinder binder;
    private static Publisher publisher;

    @BeforeAll
    static void copyInputsToTheirFixedPlace() throws IOException {
        Files.createDirectories(FIXTURES);
        lockFile = new RandomAccessFile(FIXTURES.resolve(".lock").toFile(), "rw").getChannel();
        lock = lockFile.lock();
        Path inputs = FIXTURES.resolve("inputs");
        deleteTree(inputs);
        copyTree(Path.of("src/samples/corpus"), inputs.resolve("corpus"));
        copyTree(Path.of("src/test/resources/fixtures/docs"), inputs.resolve("docs"));
        copyTree(Path.of("src/test/resources/fixtures/texts"), inputs.resolve("texts"));
        copyTree(Path.of("src/test/resources/documents"), inputs.resolve("documents"));
        Files.createDirectories(inputs.resolve("auto"));
        for (String file : List.of("docs/mixed.jsonl", "texts/one.txt", "documents/page.html", "documents/notes.md", "documents/junk.bin")) {
            Files.copy(inputs.resolve(file), inputs.resolve("auto").resolve(Path.of(file).getFileName()));
        }
        work = Files.createTempDirectory("kiln-digests");
        CatalogSettings settings = new CatalogSettings("kiln", "jdbc:sqlite:" + work.resolve("catalog.db"),
                Optional.empty(), Optional.empty(), "file://" + Files.createDirectories(work.resolve("warehouse")));
        catalog = KilnCatalog.open(settings);
        binder = new JobBinder(VALIDATOR, StepRegistry.defaultRegistry(), List.of(inputs), catalog,
                new CheckSuites(work.resolve("suites")), Optional.empty(), 0.5);
        publisher = new Publisher(catalog, KilnCatalog.claimWarehouse(settings, CatalogIdentity.of(settings)));
    }

    @AfterAll
    static void release() throws IOException {
        try {
            catalog.close();
            deleteTree(work);
        }
        finally {
            lock.release();
            lockFile.close();
        }
    }

    @Test
    void theDemoRecipeWritesWhatItAlwaysWrote() {
        assertDigests("demo", "corpus/*.jsonl", "jsonl", Map.of("id", "id", "text", "text"), List.of(
                        step("normalize"), step("pii-redact").withVersion(1), step("dedup-exact"), step("dedup-near").withVersion(1),
                        step("tokenize", Map.of("encoding", "cl100k_base")), step("embed", Map.of("model", "all-minilm-l6-v2"))),
                "b52a7aad86f75f47e8a50b1d6024438e811e110b826eae1187cee20809d72d60",
                // ONNX Runtime's CPU kernels are chosen by instruction set: the vectors (and so the digest) of an
                // AVX-512 machine and of an AVX2-only one differ in their last bits; each is the same on every run
                Set.of("0c4815a9f671c6e8984dc2719f3af2f1df21ac089d6dfed122b9220807d2a521",
                        "c149b0ee7117cd9a0f424b3cbd6ec2d7dcc12972dc1f8db407ed2771649534c9"),
                "4ed129413a2978a07e28b35a626c0578fac782047bcfe1d106e7834e1a9cac8c", 299);
    }

    @Test
    void everyTextStepWritesWhatItAlwaysWrote() {
        assertDigests("steps", "{corpus,docs}/*.jsonl", "jsonl", Map.of(), List.of(
                        step("clean"), step("normalize", Map.of("form", "NFKC")), step("pii-redact").withVersion(1), step("quality-filter"),
                        step("language"), step("chunk", Map.of("maxTokens", 48, "overlapTokens", 8)), step("tokenize")),
                "f581165e1f92b28af9765ed7cf9c8579643aa74e3cc77acc0b21f52af9b59cbf",
                "61926830a5989f35bf7456f3d263b8238715270d5b3765bf8010c05dbc2f2ddc",
                "15e3da40201bcddb52226190d993dbc4b533fa239af2bf0d6ff8e5ab84b66a05", 112);
    }

    @Test
    void nestedFieldMappingsAndMalformedLinesWriteWhatTheyAlwaysWrote() {
        assertDigests("mapped", "docs/mixed.jsonl", "jsonl", Map.of("id", "doc.key", "text", "body"), List.of(step("normalize")),
                "2f9d8649ebc7128d1bb4dd019ed0f76f79e19143c2bbaaf34700a1042979b363",
                "19f60b3871ccae4232b16f3f2d4398ed6329cd4c4b0ff7d1960f461c9ca10878",
                "786991036dcf158cbe9a3ed9c54487e2526e08efa86ba55fd026a706f51af8a4", 10);
    }

    @Test
    void textFilesWriteWhatTheyAlwaysWrote() {
        assertDigests("texts", "texts", "text", Map.of(), List.of(step("normalize")), 
                "f618d83e048429250f03da7f59603ae9c6453f1b2950e6ba0e4ec9d671394a71",
                "298e65e2f680dfbd00c8d9663b0a1a37c398ea70df95781ab3a8a66b31e0a921",
                "2c34ce1df23b838c5abf2a7f6437cca3d3067ed509ff25f11df6b11b582b51eb", 2);
    }

    @Test
    void documentsWriteWhatTheyAlwaysWrote() {
        assertDigests("documents", "documents", "document", Map.of(), List.of(step("normalize"), step("language")), 
                "8bc08026b15fd321d1d8d4cf3c6bde57406a4e7433cac07f402b6996f3d7937c",
                "4702f16f2f32e6ac8ab54bcafbf7b8d118bcaa7c1ef40b1ef884c0b247ae1c4c",
                "27b99453981d2dadd8759c8d6a4a09246042187127d4f7668d7ff93a327c22bd", 10);
    }

    @Test
    void autoDetectedFilesWriteWhatTheyAlwaysWrote() {
        assertDigests("auto", "auto", "auto", Map.of("id", "doc.key", "text", "body"), List.of(step("normalize")), 
                "ad14e01f63825666925c0df144db1c87e4db25b609882d2c6bfe87a93d8ca700",
                "eef2512a83165ada0950c199d9ff08132a4365defda33d68014a56b8302d7884",
                "ad44d990981d7098c14c8b489502598949e7ba35f18916d9b6197cef4f219fb0", 13);
    }

    private static StepSpec step(String name) {
        return new StepSpec(name, Map.of());
    }

    private static StepSpec step(String name, Map<String, Object> params) {
        return new StepSpec(name, params);
    }

    private static void assertDigests(String name, String glob, String format, Map<String, String> fields, List<StepSpec> steps,
            String recipe, String rowsDigest, String rejectsDigest, long written) {
        assertDigests(name, glob, format, fields, steps, recipe, Set.of(rowsDigest), rejectsDigest, written);
    }

    private static void assertDigests(String name, String glob, String format, Map<String, String> fields, List<StepSpec> steps,
            String recipe, Set<String> rowsDigests, String rejectsDigest, long written) {
        String table = "pinned." + name;
        JobSpec spec = new JobSpec(table, new SourceSpec("file://" + FIXTURES.resolve("inputs") + "/" + glob, format, fields), steps, null, null, null);
        BoundJob job = binder.bind(spec);
        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(2, 16, 1 << 20, 1 << 20, "test"));
        IngestPipeline.Result result = pipeline.run("pinned-" + name, job, new JobProgress(), () -> false);
        // the rejects wait on the job's branch until the rows publish
        org.apache.iceberg.Table rejectsTable = catalog.loadTable(TableIdentifier.parse(table + "__rejects"));
        String rejects = rejectsTable.snapshot(rejectsTable.refs().get(io.kiln.lake.Publisher.branchOf("pinned-" + name)).snapshotId()).summary()
                .get("kiln.content-digest");
        if (Boolean.getBoolean("kiln.digests.record")) {
            System.out.printf("PINNED %s recipe=%s rows=%s rejects=%s written=%d%n", name, job.recipe().sha256(), result.contentDigest(), rejects, result.written());
            return;
        }
        assertThat(job.recipe().sha256()).as("recipe of %s", name).isEqualTo(recipe);
        assertThat(result.written()).as("rows written by %s", name).isEqualTo(written);
        assertThat(result.contentDigest()).as("content digest of %s", name).isIn(rowsDigests);
        assertThat(rejects).as("content digest of the rejects of %s", name).isEqualTo(rejectsDigest);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                }
                else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
