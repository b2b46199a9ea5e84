package io.kiln.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code postgres} profile: the same JdbcCatalog and job store on the PostgreSQL at
 * 127.0.0.1:5432 (override with KILN_TEST_POSTGRES_URL). In CI a missing server fails the test.
 */
class PostgresCatalogIT {
    private static final String SERVER = PostgresDatabases.SERVER;
    private static final String USER = PostgresDatabases.USER;

    @TempDir
    Path temp;
    String database;

    @BeforeEach
    void createDatabase() {
        database = PostgresDatabases.create();
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        PostgresDatabases.drop(database);
    }

    @Test
    void thePostgresProfileKeepsTheCatalogAndTheJobsInPostgres() throws Exception {
        Path fixtures = Path.of("src/test/resources/fixtures").toAbsolutePath();
        Path log = Files.createFile(temp.resolve("kiln.log"));
        Map<String, String> environment = Map.of(
                "QUARKUS_PROFILE", "postgres",
                "KILN_CATALOG_URI", SERVER + database,
                "KILN_CATALOG_USER", USER,
                "KILN_DATA_DIR", temp.resolve("data").toString(),
                "KILN_SOURCE_ROOTS", fixtures.toString());
        String id;
        try (KilnProcess kiln = KilnProcess.start(environment, List.of(), log)) {
            KilnProcess.Response accepted = kiln.post("/v1/jobs", Map.of(
                    "table", "demo.pg",
                    "source", Map.of("uri", "file://" + fixtures + "/docs/mixed.jsonl", "format", "jsonl",
                            "fields", Map.of("id", "doc.key", "text", "body")),
                    "steps", List.of(Map.of("name", "normalize"))));
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            id = accepted.json().get("id").asText();
            JsonNode job = kiln.awaitFinalJob(id);
            assertThat(job.get("state").asText()).as(kiln.logTail()).isEqualTo("PUBLISHED");
            assertThat(job.at("/counts/written").asLong()).isEqualTo(10);
            assertThat(job.at("/counts/rejected").asLong()).isEqualTo(3);
            assertThat(kiln.get("/v1/tables").json().get("tables")).extracting(JsonNode::asText).contains("demo.pg", "demo.pg__rejects");
        }
        assertThat(Files.exists(temp.resolve("data/catalog.db"))).as("no SQLite catalog in the postgres profile").isFalse();

        try (Connection connection = DriverManager.getConnection(SERVER + database, USER, "");
                Statement statement = connection.createStatement()) {
            try (ResultSet tables = statement.executeQuery("SELECT table_namespace, table_name, metadata_location FROM iceberg_tables ORDER BY table_name")) {
                assertThat(tables.next()).isTrue();
                assertThat(tables.getString(2)).isEqualTo("pg");
                assertThat(tables.getString(3)).startsWith("file:" + temp.resolve("data/warehouse"));
                assertThat(tables.next()).isTrue();
                assertThat(tables.getString(2)).isEqualTo("pg__rejects");
            }
            try (ResultSet jobs = statement.executeQuery("SELECT id, state FROM kiln_jobs")) {
                assertThat(jobs.next()).isTrue();
                assertThat(jobs.getString(1)).isEqualTo(id);
                assertThat(jobs.getString(2)).isEqualTo("PUBLISHED");
            }
        }
    }

    /**
     * The embedded default and the postgres profile are two catalogs: with one data directory they
     * would share the warehouse, and a table of one name would be one folder, whose orphan cleanup
     * deletes the other catalog's files. The second one to start refuses to, saying why.
     */
    @Test
    void thePostgresProfileDoesNotStartOnTheEmbeddedDefaultsWarehouse() throws Exception {
        Path data = temp.resolve("data");
        Path log = Files.createFile(temp.resolve("kiln.log"));
        try (KilnProcess embedded = KilnProcess.start(Map.of("KILN_DATA_DIR", data.toString(), "KILN_CHECKS_ENGINE_MODE", "off"), List.of(), log)) {
            assertThat(embedded.get("/v1/tables").status()).isEqualTo(200);
        }

        assertThatThrownBy(() -> KilnProcess.start(Map.of(
                "QUARKUS_PROFILE", "postgres",
                "KILN_CATALOG_URI", SERVER + database,
                "KILN_CATALOG_USER", USER,
                "KILN_CHECKS_ENGINE_MODE", "off",
                "KILN_DATA_DIR", data.toString()), List.of(), log).close())
                .isInstanceOf(AssertionError.class).hasMessageStartingWith("Kiln exited with ");
        assertThat(Files.readString(log)).contains("Kiln cannot start: The warehouse file://" + data.toAbsolutePath() + "/warehouse belongs to another catalog (id ");
    }
}
