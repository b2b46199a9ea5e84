package io.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.TrinoCatalogProperties;
import io.kiln.cli.LocalTrino;
import io.kiln.cli.TrinoVersion;

/**
 * docker-compose.yml cannot be started here (no Docker engine), so this keeps it honest: Trino's
 * mounted config is what Kiln renders for the compose environment (the rendering the integration
 * tests use through GET /v1/catalog/trino), and names, ports, credentials and the bucket agree.
 */
class DockerComposeTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final JsonNode services = read().get("services");
    private final Map<String, String> kiln = environment("kiln");

    @Test
    void trinosMountedCatalogIsWhatKilnRendersForTheComposeEnvironment() throws IOException {
        CatalogSettings settings = new CatalogSettings(
                "kiln",
                kiln.get("KILN_CATALOG_URI"),
                Optional.ofNullable(kiln.get("KILN_CATALOG_USER")),
                Optional.ofNullable(kiln.get("KILN_CATALOG_PASSWORD")),
                kiln.get("KILN_CATALOG_WAREHOUSE"),
                new CatalogSettings.ObjectStore(
                        Optional.ofNullable(kiln.get("KILN_CATALOG_S3_ENDPOINT")),
                        Boolean.parseBoolean(kiln.get("KILN_CATALOG_S3_PATH_STYLE_ACCESS")),
                        kiln.get("KILN_CATALOG_S3_REGION"),
                        Optional.ofNullable(kiln.get("KILN_CATALOG_S3_ACCESS_KEY_ID")),
                        Optional.ofNullable(kiln.get("KILN_CATALOG_S3_SECRET_ACCESS_KEY"))));
        String trinoCatalog = kiln.get("KILN_TRINO_CATALOG");
        Path catalogFile = Path.of("deploy/trino/etc/catalog", trinoCatalog + ".properties");

        assertThat(properties(catalogFile)).containsExactlyInAnyOrderEntriesOf(TrinoCatalogProperties.of(settings));
        assertThat(Files.readString(catalogFile)).isEqualTo(TrinoCatalogProperties.render(TrinoCatalogProperties.of(settings)));
    }

    @Test
    void trinoGetsTheSecretsItsCatalogNamesFromKilnsEnvironment() {
        Map<String, String> trino = environment("trino");
        for (String variable : new String[] {TrinoCatalogProperties.PASSWORD_VARIABLE, TrinoCatalogProperties.S3_SECRET_VARIABLE}) {
            assertThat(trino.get(variable)).as(variable).isNotBlank().isEqualTo(kiln.get(variable));
        }
        assertThat(services.at("/trino/image").asText()).isEqualTo("trinodb/trino:" + TrinoVersion.VERSION);
        assertThat(services.at("/trino/volumes/0").asText()).isEqualTo("./deploy/trino/etc:/etc/trino:ro");
    }

    @Test
    void trinosServerConfigIsTheOneTheTestsUseAndItsPortIsPublished() throws IOException {
        Map<String, String> config = properties(Path.of("deploy/trino/etc/config.properties"));
        int port = Integer.parseInt(config.get("http-server.http.port"));
        assertThat(config).containsExactlyInAnyOrderEntriesOf(LocalTrino.serverProperties(port, "localhost"));
        assertThat(services.at("/trino/ports/0").asText()).endsWith(":" + port);
        assertThat(properties(Path.of("deploy/trino/etc/node.properties"))).containsKeys("node.environment", "node.data-dir");
    }

    @Test
    void kilnPostgresAndTheObjectStoreAgree() {
        Map<String, String> postgres = environment("postgres");
        URI catalog = URI.create(kiln.get("KILN_CATALOG_URI").substring("jdbc:".length()));
        assertThat(catalog.getHost()).isEqualTo("postgres");
        assertThat(catalog.getPath()).isEqualTo("/" + postgres.get("POSTGRES_DB"));
        assertThat(kiln.get("KILN_CATALOG_USER")).isEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(kiln.get("KILN_CATALOG_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
        assertThat(kiln.get("QUARKUS_PROFILE")).isEqualTo("postgres");

        Map<String, String> minio = environment("minio");
        assertThat(kiln.get("KILN_CATALOG_S3_ACCESS_KEY_ID")).isEqualTo(minio.get("MINIO_ROOT_USER"));
        assertThat(kiln.get("KILN_CATALOG_S3_SECRET_ACCESS_KEY")).isEqualTo(minio.get("MINIO_ROOT_PASSWORD"));
        assertThat(URI.create(kiln.get("KILN_CATALOG_S3_ENDPOINT")).getHost()).isEqualTo("minio");
        String bucket = URI.create(kiln.get("KILN_CATALOG_WAREHOUSE")).getHost();
        assertThat(services.at("/create-bucket/entrypoint/2").asText()).contains("local/" + bucket)
                .contains(minio.get("MINIO_ROOT_USER") + " " + minio.get("MINIO_ROOT_PASSWORD"));
        assertThat(services.at("/kiln/ports/0").asText()).endsWith(":" + kiln.get("QUARKUS_HTTP_PORT"));
    }

    private Map<String, String> environment(String service) {
        Map<String, String> environment = new LinkedHashMap<>();
        services.get(service).get("environment").fields().forEachRemaining(entry -> environment.put(entry.getKey(), entry.getValue().asText()));
        return environment;
    }

    private static JsonNode read() {
        try {
            return YAML.readTree(Path.of("docker-compose.yml").toFile());
        }
        catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, String> properties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.forEach((key, value) -> map.put((String) key, (String) value));
        return map;
    }
}
