package io.kiln.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.RollingDataWriter;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.kiln.catalog.CatalogIdentity;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.KilnCatalog;
import io.kiln.cli.LocalTrino;
import io.kiln.lake.ContentDigest;
import io.kiln.lake.Publisher;
import io.kiln.lake.TableLayout;

/**
 * A real Trino (started once for the suite on a JDK 24+) reads what Kiln publishes, through
 * trino-jdbc, for both catalog profiles: the embedded SQLite catalog ({@code kiln}) and the
 * PostgreSQL one ({@code kiln_pg}). The catalog properties come from each Kiln's
 * {@code GET /v1/catalog/trino}. In CI a missing JDK 24+, Trino or PostgreSQL fails the suite.
 */
class TrinoIT {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures").toAbsolutePath();
    private static final Path IMAGES = Path.of("src/test/resources/images").toAbsolutePath();
    private static final Path AUDIO = Path.of("src/test/resources/audio").toAbsolutePath();
    private static final Map<String, KilnProcess> KILNS = new LinkedHashMap<>();
    private static Path work;
    private static LocalTrino trino;
    private static String database;
    private static String objectStoreDatabase;
    private static S3Mock objectStore;

    @BeforeAll
    static void startKilnsAndTrino() throws Exception {
        Path javaHome = LocalTrino.findJava().orElse(null);
        require(javaHome != null, "a JDK " + LocalTrino.MINIMUM_JAVA + "+ for Trino (set KILN_TRINO_JAVA_HOME)");
        LocalTrino.Installation installation = LocalTrino.Installation.under(Path.of(System.getProperty("kiln.trino.directory", "target/trino")));
        require(installation.problem().isEmpty(), installation.problem().orElse(""));
        database = PostgresDatabases.create();
        objectStoreDatabase = PostgresDatabases.create();

        work = Files.createTempDirectory("kiln-trino-it");
        Path log = Files.createFile(work.resolve("kiln.log"));
        KILNS.put("kiln", KilnProcess.start(Map.of(
                "KILN_DATA_DIR", work.resolve("sqlite").toString(),
                "KILN_CHECKS_ENGINE_MODE", "off",
                "KILN_SOURCE_ROOTS", FIXTURES + "," + IMAGES + "," + AUDIO + "," + Files.createDirectories(work.resolve("inputs"))), List.of(), log));
        KILNS.put("kiln_pg", KilnProcess.start(Map.of(
                "QUARKUS_PROFILE", "postgres",
                "KILN_CATALOG_URI", PostgresDatabases.SERVER + database,
                "KILN_CATALOG_USER", PostgresDatabases.USER,
                "KILN_TRINO_CATALOG", "kiln_pg",
                "KILN_CHECKS_ENGINE_MODE", "off",
                "KILN_DATA_DIR", work.resolve("postgres").toString(),
                "KILN_SOURCE_ROOTS", FIXTURES.toString()), List.of(), log));

        // the docker-compose wiring: catalog on PostgreSQL, warehouse on an S3-compatible store
        objectStore = S3Mock.start(work.resolve("s3"), "kiln-warehouse");
        Map<String, String> secrets = Map.of("KILN_CATALOG_S3_SECRET_ACCESS_KEY", "kiln-secret-key");
        Map<String, String> s3Environment = new LinkedHashMap<>(Map.of(
                "QUARKUS_PROFILE", "postgres",
                "KILN_CATALOG_URI", PostgresDatabases.SERVER + objectStoreDatabase,
                "KILN_CATALOG_USER", PostgresDatabases.USER,
                "KILN_CATALOG_WAREHOUSE", "s3://kiln-warehouse/warehouse",
                "KILN_CATALOG_S3_ENDPOINT", objectStore.endpoint(),
                "KILN_CATALOG_S3_PATH_STYLE_ACCESS", "true",
                "KILN_CATALOG_S3_ACCESS_KEY_ID", "kiln",
                "KILN_TRINO_CATALOG", "kiln_s3",
                "KILN_DATA_DIR", work.resolve("s3-kiln").toString(),
                "KILN_SOURCE_ROOTS", FIXTURES.toString()));
        s3Environment.putAll(secrets);
        s3Environment.put("KILN_CHECKS_ENGINE_MODE", "off");
        KILNS.put("kiln_s3", KilnProcess.start(s3Environment, List.of(), log));

        Map<String, String> catalogs = new LinkedHashMap<>();
        KILNS.forEach((catalog, kiln) -> catalogs.put(catalog, kiln.get("/v1/catalog/trino").body()));
        assertThat(catalogs.get("kiln_s3")).contains("s3.aws-secret-key=${ENV:KILN_CATALOG_S3_SECRET_ACCESS_KEY}").doesNotContain("kiln-secret-key");
        trino = LocalTrino.start(installation, javaHome, work.resolve("trino"), catalogs, Optional.empty(), secrets);
    }

    @AfterAll
    static void stop() throws Exception {
        if (trino != null) {
            trino.close();
        }
        for (KilnProcess kiln : KILNS.values()) {
            kiln.close();
        }
        if (objectStore != null) {
            objectStore.close();
        }
        for (String name : new String[] {database, objectStoreDatabase}) {
            if (name != null) {
                PostgresDatabases.drop(name);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kiln", "kiln_pg", "kiln_s3"})
    void trinoReadsExactlyTheRowsKilnWrote(String catalog) throws Exception {
        String table = "demo.rows_" + suffix();
        JsonNode job = ingest(catalog, table, "docs/*.jsonl", Map.of(), null);
        JsonNode snapshot = snapshot(catalog, table, job.get("snapshotId").asLong());

        ContentDigest digest = new ContentDigest();
        List<String> sources = new ArrayList<>();
        try (Connection connection = connect(catalog); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id, text, _kiln_source_uri, _kiln_source_sha256, _kiln_source_pos, _kiln_recipe, _kiln_job_id FROM "
                        + catalog + "." + table)) {
            int count = 0;
            while (rows.next()) {
                digest.add(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5), rows.getString(6));
                assertThat(rows.getString(7)).isEqualTo(job.get("id").asText());
                sources.add(rows.getString(3));
                count++;
            }
            assertThat(count).isEqualTo(job.at("/counts/written").asInt());
        }
        assertThat(digest.value()).as("digest of the rows Trino reads").isEqualTo(snapshot.at("/summary/kiln.content-digest").asText());
        assertThat(sources).contains(FIXTURES.resolve("docs/clean.jsonl").toUri().toString());
        String location = KILNS.get(catalog).get("/v1/tables/" + table).json().get("location").asText();
        assertThat(location).startsWith(catalog.equals("kiln_s3") ? "s3://kiln-warehouse/warehouse/" : "file:/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kiln", "kiln_pg", "kiln_s3"})
    void trinoReadsEveryTypedColumnAsWritten(String catalog) throws Exception {
        String table = "demo.typed_" + suffix();
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("uri", "file://" + FIXTURES + "/typed/records.jsonl");
        source.put("format", "jsonl");
        source.put("schema", new com.fasterxml.jackson.databind.ObjectMapper().readTree(FIXTURES.resolve("typed/records.schema.json").toFile()));
        KilnProcess kiln = KILNS.get(catalog);
        KilnProcess.Response accepted = kiln.post("/v1/jobs", Map.of("table", table, "source", source, "maxRejectedRate", 0.9));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode job = kiln.awaitFinalJob(accepted.json().get("id").asText());
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        long snapshotId = job.get("snapshotId").asLong();

        try (Connection connection = connect(catalog); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT name, active, age, visits, score, ratio, price, born, CAST(seen_at AS varchar), "
                        + "avatar, tags, meta.source, meta.rank, scores, note, typeof(price), typeof(seen_at), typeof(meta) FROM " + catalog + "." + table
                        + " FOR VERSION AS OF " + snapshotId + " WHERE id = 'r1'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("Ada");
            assertThat(rows.getBoolean(2)).isTrue();
            assertThat(rows.getInt(3)).isEqualTo(36);
            assertThat(rows.getLong(4)).isEqualTo(9007199254740993L);
            assertThat(rows.getFloat(5)).isEqualTo(0.5f);
            assertThat(rows.getDouble(6)).isEqualTo(0.1);
            assertThat(rows.getBigDecimal(7)).isEqualTo(new java.math.BigDecimal("12.50"));
            assertThat(rows.getObject(8, java.time.LocalDate.class)).isEqualTo(java.time.LocalDate.of(1815, 12, 10));
            assertThat(rows.getString(9)).isEqualTo("2024-03-01 12:30:45.123456 UTC");
            assertThat(rows.getBytes(10)).isEqualTo("Kiln".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat((Object[]) rows.getArray(11).getArray()).containsExactly("math", "engines");
            assertThat(rows.getString(12)).isEqualTo("web");
            assertThat(rows.getInt(13)).isEqualTo(1);
            assertThat((Object[]) rows.getArray(14).getArray()).containsExactly(1.5, null, -2.25);
            assertThat(rows.getString(15)).isEqualTo("first");
            assertThat(rows.getString(16)).isEqualTo("decimal(10,2)");
            assertThat(rows.getString(17)).isEqualTo("timestamp(6) with time zone");
            assertThat(rows.getString(18)).isEqualTo("row(source varchar, rank integer)");
            assertThat(rows.next()).isFalse();
        }
        assertThat(count("SELECT count(*) FROM " + catalog + "." + table + " WHERE meta IS NULL AND note IS NULL", catalog)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM " + catalog + "." + table, catalog)).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM " + catalog + "." + table + "__rejects WHERE reason = 'type-mismatch'", catalog)).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kiln", "kiln_pg", "kiln_s3"})
    void anOldSnapshotIdStillReadsTheOldRowsAfterALaterPublish(String catalog) throws Exception {
        String table = "demo.versions_" + suffix();
        long first = ingest(catalog, table, "docs/clean.jsonl", Map.of(), null).get("snapshotId").asLong();
        long second = ingest(catalog, table, "docs/mixed.jsonl", Map.of("id", "doc.key", "text", "body"), null).get("snapshotId").asLong();
        assertThat(second).isNotEqualTo(first);

        String byId = snapshot(catalog, table, first).at("/trino/byId").asText();
        assertThat(byId).isEqualTo("SELECT * FROM " + catalog + "." + table + " FOR VERSION AS OF " + first);
        assertThat(count("SELECT count(*) FROM (" + byId + ")", catalog)).isEqualTo(40);
        assertThat(count("SELECT count(*) FROM " + catalog + "." + table, catalog)).isEqualTo(50);
        assertThat(count("SELECT count(*) FROM " + catalog + "." + table + " FOR VERSION AS OF " + second + " WHERE id LIKE 'm-%'", catalog)).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kiln", "kiln_pg", "kiln_s3"})
    void theTagResolvesAndSnapshotsShowKilnsSummary(String catalog) throws Exception {
        String table = "demo.tagged_" + suffix();
        JsonNode job = ingest(catalog, table, "docs/clean.jsonl", Map.of(), "train-v1");
        long snapshotId = job.get("snapshotId").asLong();
        ingest(catalog, table, "docs/mixed.jsonl", Map.of("id", "doc.key", "text", "body"), null);

        JsonNode snapshot = snapshot(catalog, table, snapshotId);
        assertThat(snapshot.get("tags")).extracting(JsonNode::asText).containsExactly("train-v1");
        String byTag = snapshot.at("/trino/byTag/0").asText();
        assertThat(byTag).isEqualTo("SELECT * FROM " + catalog + "." + table + " FOR VERSION AS OF 'train-v1'");
        assertThat(count("SELECT count(*) FROM (" + byTag + ")", catalog)).isEqualTo(40);

        String name = table.substring(table.indexOf('.') + 1);
        try (Connection connection = connect(catalog); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT summary['kiln.job-id'], summary['kiln.rows-written'], summary['kiln.recipe'], summary['kiln.content-digest'], "
                        + "summary['kiln.input-digest'], summary['kiln.version'] FROM " + catalog + ".demo.\"" + name + "$snapshots\" WHERE snapshot_id = " + snapshotId)) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo(job.get("id").asText());
            assertThat(rows.getString(2)).isEqualTo("40");
            assertThat(rows.getString(3)).hasSize(64);
            assertThat(rows.getString(4)).isEqualTo(snapshot.at("/summary/kiln.content-digest").asText());
            assertThat(rows.getString(5)).hasSize(64);
            assertThat(rows.getString(6)).isNotBlank();
        }
        try (Connection connection = connect(catalog); Statement statement = connection.createStatement();
                ResultSet refs = statement.executeQuery("SELECT type, snapshot_id FROM " + catalog + ".demo.\"" + name + "$refs\" WHERE name = 'train-v1'")) {
            assertThat(refs.next()).isTrue();
            assertThat(refs.getString(1)).isEqualTo("TAG");
            assertThat(refs.getLong(2)).isEqualTo(snapshotId);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kiln", "kiln_pg", "kiln_s3"})
    void lineageColumnsAndRejectsAreQueryable(String catalog) throws Exception {
        String table = "demo.lineage_" + suffix();
        JsonNode job = ingest(catalog, table, "docs/mixed.jsonl", Map.of("id", "doc.key", "text", "body"), null);
        try (Connection connection = connect(catalog); Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT _kiln_source_pos, _kiln_source_sha256 FROM " + catalog + "." + table + " WHERE id = 'm-4'")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("line:6");
                assertThat(rows.getString(2)).hasSize(64);
            }
            try (ResultSet rejects = statement.executeQuery("SELECT step, reason, _kiln_source_pos, record FROM " + catalog + "." + table
                    + "__rejects WHERE _kiln_job_id = '" + job.get("id").asText() + "' ORDER BY _kiln_source_pos")) {
                List<String> reasons = new ArrayList<>();
                while (rejects.next()) {
                    reasons.add(rejects.getString(1) + "/" + rejects.getString(2) + "@" + rejects.getString(3));
                }
                assertThat(reasons).containsExactlyInAnyOrder("extract/malformed-json@line:5", "extract/not-an-object@line:8", "normalize@1/empty-text@line:11");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kiln", "kiln_pg", "kiln_s3"})
    void aRejectedBatchIsInvisibleOnMainButReadableOnItsBranch(String catalog) throws Exception {
        String table = "demo.rejected_" + suffix();
        long published = ingest(catalog, table, "docs/clean.jsonl", Map.of(), null).get("snapshotId").asLong();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("table", table);
        spec.put("source", Map.of("uri", "file://" + FIXTURES + "/docs/mixed.jsonl", "format", "jsonl", "fields", Map.of("id", "doc.key", "text", "body")));
        spec.put("steps", List.of(Map.of("name", "normalize")));
        spec.put("maxRejectedRate", 0.0);
        KilnProcess kiln = KILNS.get(catalog);
        JsonNode rejected = kiln.awaitFinalJob(kiln.post("/v1/jobs", spec).json().get("id").asText());
        assertThat(rejected.get("state").asText()).as(rejected.toString()).isEqualTo("REJECTED");

        assertThat(count("SELECT count(*) FROM " + catalog + "." + table, catalog)).as("main").isEqualTo(40);
        assertThat(count("SELECT count(*) FROM " + catalog + "." + table + " WHERE id LIKE 'm-%'", catalog)).isZero();
        String name = table.substring(table.indexOf('.') + 1);
        try (Connection connection = connect(catalog); Statement statement = connection.createStatement();
                ResultSet refs = statement.executeQuery("SELECT snapshot_id FROM " + catalog + ".demo.\"" + name + "$refs\" WHERE name = 'main'")) {
            assertThat(refs.next()).isTrue();
            assertThat(refs.getLong(1)).isEqualTo(published);
        }
        String branch = rejected.get("branch").asText();
        assertThat(count("SELECT count(*) FROM " + catalog + "." + table + " FOR VERSION AS OF '" + branch + "' WHERE id LIKE 'm-%'", catalog))
                .as("the rejected batch, on its branch").isEqualTo(10);
    }

    @Test
    void trinosSplitPredicateSelectsExactlyTheRowsKilnsSplitRuleDoes() throws Exception {
        String table = "demo.split_" + suffix();
        ingest("kiln", table, "docs/clean.jsonl", Map.of(), null);
        io.kiln.read.SplitRule split = new io.kiln.read.SplitRule("train", 0.5, 17);
        List<String> all = new ArrayList<>();
        List<String> inTrino = new ArrayList<>();
        try (Connection connection = connect("kiln"); Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT id FROM kiln." + table)) {
                while (rows.next()) {
                    all.add(rows.getString(1));
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT id FROM kiln." + table + " WHERE " + split.trinoPredicate("id"))) {
                while (rows.next()) {
                    inTrino.add(rows.getString(1));
                }
            }
        }
        assertThat(inTrino).containsExactlyInAnyOrderElementsOf(all.stream().filter(split::contains).toList()).isNotEmpty().hasSizeLessThan(all.size());
    }

    /**
     * Named splits grouped by a column: for each of train, validation and test, the resolved Trino SQL
     * selects exactly the rows its rowsPath streams, and those are the rows the split step marked with
     * that name at ingest.
     */
    @Test
    void namedGroupSplitsSelectTheSameRowsInTrinoTheRowsPathAndTheSplitColumn() throws Exception {
        KilnProcess kiln = KILNS.get("kiln");
        String table = "demo.groups_" + suffix();
        Map<String, Object> fractions = new LinkedHashMap<>();
        fractions.put("train", 0.8);
        fractions.put("validation", 0.1);
        fractions.put("test", 0.1);
        Map<String, Object> source = Map.of("uri", "file://" + FIXTURES + "/splits/mail.jsonl", "format", "jsonl",
                "schema", List.of(Map.of("name", "text", "type", "string"), Map.of("name", "sender", "type", "string")));
        KilnProcess.Response accepted = kiln.post("/v1/jobs", Map.of("table", table, "source", source,
                "steps", List.of(Map.of("name", "split", "params", Map.of("fractions", fractions, "by", "sender", "seed", 7)))));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode job = kiln.awaitFinalJob(accepted.json().get("id").asText());
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String name : fractions.keySet()) {
            JsonNode resolved = kiln.post("/v1/training/resolve", Map.of("table", table, "snapshot", job.get("snapshotId").asText(), "columns", List.of("id", "split"),
                    "split", Map.of("fractions", fractions, "name", name, "by", "sender", "seed", 7))).json();
            List<String> fromTrino = new ArrayList<>();
            try (Connection connection = connect("kiln"); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(resolved.get("trinoSql").asText())) {
                while (rows.next()) {
                    assertThat(rows.getString("split")).as("the split column of %s", rows.getString("id")).isEqualTo(name);
                    fromTrino.add(rows.getString("id"));
                }
            }
            KilnProcess.Response byPath = kiln.get(resolved.get("rowsPath").asText());
            assertThat(byPath.status()).as(byPath.body()).isEqualTo(200);
            List<String> fromKiln = byPath.body().lines().filter(line -> !line.isBlank()).map(line -> {
                try {
                    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("id").asText();
                }
                catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
            assertThat(fromTrino).as("split %s", name).isNotEmpty().hasSize(resolved.get("rows").asInt()).containsExactlyInAnyOrderElementsOf(fromKiln);
            fromTrino.forEach(id -> assertThat(seen.add(id)).as("%s in two splits", id).isTrue());
        }
        assertThat(seen).hasSize(1200);
    }

    /**
     * The embedding column the embed step writes (a fixed-size list<float>) must reach Trino users
     * as array(real); this pins that contract on Kiln's own catalog and writer.
     */
    @Test
    void anEmbeddingColumnReadsAsArrayOfReal() throws Exception {
        CatalogSettings settings = new CatalogSettings("kiln", "jdbc:sqlite:" + work.resolve("sqlite/catalog.db"),
                Optional.empty(), Optional.empty(), "file://" + work.resolve("sqlite/warehouse"));
        Schema schema = new Schema(
                Types.NestedField.required(1, "id", Types.StringType.get()),
                Types.NestedField.required(2, "embedding",
                        Types.ListType.ofRequired(3, Types.FloatType.get())));
        try (JdbcCatalog catalog = KilnCatalog.open(settings)) {
            Table table = new Publisher(catalog, KilnCatalog.claimWarehouse(settings, CatalogIdentity.of(settings))).loadOrCreate(
                    TableIdentifier.of("demo", "embeddings"), schema, TableLayout.properties(1 << 20));
            OutputFileFactory files = OutputFileFactory.builderFor(table, 0, 0)
                    .format(FileFormat.PARQUET).build();
            RollingDataWriter<Record> writer = new RollingDataWriter<>(
                    new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build(),
                    files, table.io(), 1 << 20, table.spec(), null);
            GenericRecord record = GenericRecord.create(schema);
            record.setField("id", "e-1");
            record.setField("embedding", List.of(0.25f, -0.5f, 1.0f));
            writer.write(record);
            writer.close();
            AppendFiles append = table.newAppend();
            writer.result().dataFiles().forEach(append::appendFile);
            append.commit();
        }
        try (Connection connection = connect("kiln"); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT typeof(embedding), embedding[2], cardinality(embedding) FROM kiln.demo.embeddings")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("array(real)");
            assertThat(rows.getFloat(2)).isEqualTo(-0.5f);
            assertThat(rows.getInt(3)).isEqualTo(3);
        }
    }

    @Test
    void imageRowsReadInTrinoAsVarbinaryWithTheirColumns() throws Exception {
        String table = "demo.images_" + suffix();
        KilnProcess kiln = KILNS.get("kiln");
        KilnProcess.Response accepted = kiln.post("/v1/jobs", Map.of("table", table, "source", Map.of("uri", "file://" + IMAGES, "format", "image"),
                "steps", List.of(Map.of("name", "image-normalize", "params", Map.of("resize", "fit", "width", 64, "height", 64)), Map.of("name", "dedup-image"))));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode job = kiln.awaitFinalJob(accepted.json().get("id").asText());
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        long written = job.at("/counts/written").asLong();
        try (Connection connection = connect("kiln"); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT typeof(image), typeof(phash), camera_make, gps_present, stored_width, length(image) > 0 FROM kiln." + table
                        + " FOR VERSION AS OF " + job.get("snapshotId").asLong() + " WHERE id = 'gps-orientation-3.jpg'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("varbinary");
            assertThat(rows.getString(2)).isEqualTo("bigint");
            assertThat(rows.getString(3)).isEqualTo("Xiaomi");
            assertThat(rows.getBoolean(4)).isTrue();
            assertThat(rows.getInt(5)).isEqualTo(64);
            assertThat(rows.getBoolean(6)).isTrue();
        }
        assertThat(written).isEqualTo(13);
        assertThat(count("SELECT count(*) FROM kiln." + table, "kiln")).isEqualTo(written);
        assertThat(count("SELECT count(*) FROM kiln." + table + "__rejects WHERE reason IN ('corrupt-image', 'unsupported-format', 'duplicate')", "kiln"))
                .isEqualTo(job.at("/counts/rejected").asLong());
    }

    @Test
    void audioRowsReadInTrinoWithTheirFeatures() throws Exception {
        String table = "demo.sounds_" + suffix();
        KilnProcess kiln = KILNS.get("kiln");
        KilnProcess.Response accepted = kiln.post("/v1/jobs", Map.of("table", table,
                "source", Map.of("uri", "file://" + AUDIO, "format", "audio"),
                "steps", List.of(Map.of("name", "audio-normalize"), Map.of("name", "dedup-audio"), Map.of("name", "audio-features", "params", Map.of("nMels", 40))),
                "maxRejectedRate", 0.9));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode job = kiln.awaitFinalJob(accepted.json().get("id").asText());
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        try (Connection connection = connect("kiln"); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT typeof(audio), typeof(log_mel), cardinality(log_mel) = 40 * log_mel_frames, sample_rate, codec, length(audio) > 0"
                        + " FROM kiln." + table + " FOR VERSION AS OF " + job.get("snapshotId").asLong() + " WHERE id LIKE 'agent-pass%'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("varbinary");
            assertThat(rows.getString(2)).isEqualTo("array(real)");
            assertThat(rows.getBoolean(3)).isTrue();
            assertThat(rows.getInt(4)).isEqualTo(16000);
            assertThat(rows.getString(5)).isEqualTo("flac");
            assertThat(rows.getBoolean(6)).isTrue();
            assertThat(rows.next()).as("one of the five encodings of agent-pass is kept, the others are its near-duplicates").isFalse();
        }
        assertThat(count("SELECT count(*) FROM kiln." + table + "__rejects WHERE reason = 'unsupported-audio' AND record_id = 'README.md'", "kiln")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM kiln." + table + "__rejects WHERE reason = 'duplicate' AND record_id LIKE 'agent-pass%'", "kiln")).isEqualTo(4);
    }

    /**
     * An object store lists by key prefix: the orphan cleanup of demo.x must not list, and so delete,
     * the files of demo.x__rejects, whose location starts with the same characters.
     */
    @Test
    void orphanCleanupOnAnObjectStoreLeavesTheRejectsTableBesideItAlone() throws Exception {
        String table = "demo.siblings_" + suffix();
        ingest("kiln_s3", table, "docs/mixed.jsonl", Map.of("id", "doc.key", "text", "body"), null);
        assertThat(count("SELECT count(*) FROM kiln_s3." + table + "__rejects", "kiln_s3")).isEqualTo(3);

        KilnProcess.Response report = KILNS.get("kiln_s3").post("/v1/tables/" + table + "/maintenance", Map.of("maxSnapshotAgeMs", 86_400_000L, "orphanGraceMs", 0));

        assertThat(report.status()).as(report.body()).isEqualTo(200);
        assertThat(report.json().get("orphanFilesDeleted").asInt()).as(report.body()).isZero();
        assertThat(count("SELECT count(*) FROM kiln_s3." + table + "__rejects", "kiln_s3")).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM kiln_s3." + table, "kiln_s3")).isEqualTo(10);
    }

    private static JsonNode ingest(String catalog, String table, String glob, Map<String, String> fields, String tag) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("uri", "file://" + FIXTURES + "/" + glob);
        source.put("format", "jsonl");
        if (!fields.isEmpty()) {
            source.put("fields", fields); // an empty mapping is a 400: leaving it out reads id and text
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("table", table);
        spec.put("source", source);
        spec.put("steps", List.of(Map.of("name", "normalize")));
        if (tag != null) {
            spec.put("tag", tag);
        }
        KilnProcess kiln = KILNS.get(catalog);
        KilnProcess.Response accepted = kiln.post("/v1/jobs", spec);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode job = kiln.awaitFinalJob(accepted.json().get("id").asText());
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        return job;
    }

    /**
     * One truth for a training config: for every filter operator, on every type, the Trino SQL that
     * {@code resolve} hands out (in the Trino catalog the service is configured with) selects exactly
     * the rows of its {@code rowsPath}, and {@code rows} counts them.
     */
    @Test
    void aResolvedConfigSelectsTheSameRowsInTrinoAndOnTheRowsPath() throws Exception {
        String catalog = "kiln_pg";
        KilnProcess kiln = KILNS.get(catalog);
        String table = "demo.filters_" + suffix();
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("uri", "file://" + FIXTURES + "/typed/filters.jsonl");
        source.put("format", "jsonl");
        source.put("schema", new com.fasterxml.jackson.databind.ObjectMapper().readTree(FIXTURES.resolve("typed/filters.schema.json").toFile()));
        JsonNode job = kiln.awaitFinalJob(kiln.post("/v1/jobs", Map.of("table", table, "source", source)).json().get("id").asText());
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        long snapshotId = job.get("snapshotId").asLong();
        List<String> filters = List.of(
                "name = 'O''Brien'", "name != 'Ada'", "name < 'Ada'", "name >= 'Émile'", "name > '\uffa0'", "name in ('Ada', 'Zed', 'nobody')",
                "name not in ('Ada', '')", "name is null", "name is not null", "name starts_with 'Ad'", "active = true", "active != false",
                "active is null", "age <= 36", "age > 36", "age in (0, 1, 85)", "visits >= 9007199254740993", "visits < 0", "score < 0.75",
                "score >= 0.5", "score = 3.25", "ratio > 0.001", "ratio != 0.1", "ratio not in (100.0, 1.5)", "price >= 12.50", "price in (12.5, -0.05)",
                "price < 0", "born < '1900-01-01'", "born = '2000-02-29'", "seen_at = '2024-03-01T12:30:45.123456Z'",
                "seen_at > '2024-03-01T12:30:45Z'", "seen_at <= '2024-03-01T23:00:00Z'", "age >= 20 and active = true and name starts_with 'A'");
        int nonEmpty = 0;
        for (String filter : filters) {
            KilnProcess.Response resolved = kiln.post("/v1/training/resolve", Map.of("table", table, "snapshot", snapshotId, "columns", List.of("id"),
                    "filter", filter));
            assertThat(resolved.status()).as("%s: %s", filter, resolved.body()).isEqualTo(200);
            String sql = resolved.json().get("trinoSql").asText();
            assertThat(sql).startsWith("SELECT \"id\" FROM kiln_pg." + table + " FOR VERSION AS OF " + snapshotId + " WHERE ");
            List<String> fromTrino = new ArrayList<>();
            try (Connection connection = connect(catalog); Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                while (rows.next()) {
                    fromTrino.add(rows.getString(1));
                }
            }
            KilnProcess.Response body = kiln.get(resolved.json().get("rowsPath").asText());
            assertThat(body.status()).as(body.body()).isEqualTo(200);
            List<String> fromRowsPath = body.body().lines().map(line -> line.replaceAll("^\\{\"id\":\"(.*)\"}$", "$1")).toList();
            assertThat(fromTrino).as("%s (%s)", filter, sql).containsExactlyInAnyOrderElementsOf(fromRowsPath);
            assertThat(resolved.json().get("rows").asLong()).as(filter).isEqualTo(fromRowsPath.size());
            nonEmpty += fromRowsPath.isEmpty() ? 0 : 1;
        }
        assertThat(nonEmpty).as("filters that select something").isGreaterThan(filters.size() - 3);
    }

    /**
     * From Python, as a training job reads: a YAML config, resolved by the Python client, read by a
     * {@code KilnDataset} in a PyTorch DataLoader with 4 workers on each of 2 ranks gives every
     * selected row exactly once; they are the rows of an export of the same config (downloaded and
     * checked by sha256) and the rows Trino's SQL for the config returns, and the digests match.
     * Then the Python client's own tests run against the same service. Needs Debian's python3-torch.
     */
    @Test
    void aPythonTrainingJobReadsExactlyTheRowsTrinoAndTheExportDo() throws Exception {
        require(python("-c", "import torch, sys; print(torch.__version__)").exitCode() == 0,
                "Debian's python3 with torch (apt-get install python3-torch) for the Python client's tests: " + python("-c", "import torch").output());
        KilnProcess kiln = KILNS.get("kiln");
        String table = "demo.python_" + suffix();
        Path source = work.resolve("inputs").resolve(table + ".jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            lines.append("{\"id\": \"row-%04d\", \"text\": \"training text %d about topic %d\"}\n".formatted(i, i, i % 7));
        }
        Files.writeString(source, lines);
        JsonNode job = kiln.awaitFinalJob(kiln.post("/v1/jobs", Map.of("table", table, "source", Map.of("uri", source.toUri().toString(), "format", "jsonl")))
                .json().get("id").asText());
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("PUBLISHED");
        assertThat(kiln.post("/v1/tables/" + table + "/pins", Map.of("name", "run-1", "snapshotId", job.get("snapshotId").asText(), "reason", "e2e",
                "owner", "TrinoIT")).status()).isEqualTo(201);
        Path config = Files.writeString(work.resolve(table + ".yaml"), "table: " + table + "\npin: run-1\ncolumns: [id, text]\n"
                + "filter: \"id != 'row-0007'\"\nsplit: {name: train, fraction: 0.8, seed: 5}\n");

        Path out = work.resolve(table + ".json");
        PythonRun run = python("clients/python/tests/e2e_dataloader.py", "--url", kiln.url(), "--config", config.toString(),
                "--export-dir", work.resolve("sqlite/exports/" + table).toString(), "--download-dir", work.resolve("downloads/" + table).toString(),
                "--out", out.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        JsonNode python = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toFile());

        JsonNode resolved = kiln.post("/v1/training/resolve", Map.of("table", table, "pin", "run-1", "columns", List.of("id", "text"),
                "filter", "id != 'row-0007'", "split", Map.of("name", "train", "fraction", 0.8, "seed", 5))).json();
        assertThat(python.get("snapshotId").asText()).isEqualTo(job.get("snapshotId").asText()).isEqualTo(resolved.get("snapshotId").asText());
        assertThat(python.get("rowsSha256").asText()).isEqualTo(resolved.get("rowsSha256").asText()).isEqualTo(python.get("exportSha256").asText());
        assertThat(python.get("perRank")).as("both ranks read rows").allSatisfy(count -> assertThat(count.asInt()).isPositive());
        List<String> fromPython = new ArrayList<>();
        python.get("rows").forEach(row -> fromPython.add(row.get("id").asText() + "\t" + row.get("text").asText()));
        List<String> fromTrino = new ArrayList<>();
        try (Connection connection = connect("kiln"); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(resolved.get("trinoSql").asText())) {
            while (rows.next()) {
                fromTrino.add(rows.getString("id") + "\t" + rows.getString("text"));
            }
        }
        assertThat(fromPython).hasSize(resolved.get("rows").asInt()).containsExactlyInAnyOrderElementsOf(fromTrino).doesNotContain("row-0007");
        assertThat(fromPython.size()).isBetween(200, 280);

        Files.createDirectories(work.resolve("python-tests"));
        PythonRun tests = python(Map.of("KILN_URL", kiln.url(), "KILN_TEST_SOURCE_DIR", work.resolve("inputs").toString(), "KILN_TEST_TABLE", "pyclient.t",
                "KILN_TEST_EXPORT_DIR", work.resolve("sqlite/exports/python-tests").toString()), "-m", "unittest", "discover", "-s", "clients/python/tests", "-t",
                "clients/python", "-v");
        assertThat(tests.exitCode()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("OK");
    }

    private record PythonRun(int exitCode, String output) {}

    /** Debian's python3 (where python3-torch installs), with the client on its path; CI=true passes through. */
    private static PythonRun python(String... arguments) throws IOException, InterruptedException {
        return python(Map.of(), arguments);
    }

    private static PythonRun python(Map<String, String> environment, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("PYTHONPATH", Path.of("clients/python").toAbsolutePath().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        return new PythonRun(process.exitValue(), output);
    }

    private static JsonNode snapshot(String catalog, String table, long snapshotId) {
        KilnProcess.Response response = KILNS.get(catalog).get("/v1/tables/" + table + "/snapshots/" + snapshotId);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static long count(String sql, String catalog) throws SQLException {
        try (Connection connection = connect(catalog); Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getLong(1);
        }
    }

    private static Connection connect(String catalog) throws SQLException {
        return DriverManager.getConnection(trino.jdbcUrl(catalog), "kiln", null);
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void require(boolean condition, String what) {
        if (condition) {
            return;
        }
        String message = "Trino integration tests need " + what;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
    }
}
