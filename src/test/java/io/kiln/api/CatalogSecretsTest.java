package io.kiln.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A password inside the catalog's JDBC URI reaches neither the Trino properties nor the start-up log. */
@QuarkusTest
@TestProfile(CatalogSecretsTest.PasswordInTheUri.class)
class CatalogSecretsTest {
    static final String SECRET = "hunter2-in-the-uri";

    public static class PasswordInTheUri implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path directory = Path.of("target").resolve("kiln-test-secrets-" + System.nanoTime()).toAbsolutePath();
            try {
                Files.createDirectories(directory);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of(
                    "kiln.catalog.uri", "jdbc:sqlite:" + directory.resolve("catalog.db") + "?password=" + SECRET,
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", directory.resolve("kiln.log").toString());
        }
    }

    private static Path directory() {
        return Path.of(ConfigProvider.getConfig().getValue("quarkus.log.file.path", String.class)).getParent();
    }

    @Test
    void theTrinoPropertiesTakeThePasswordFromTrinosEnvironment() {
        String properties = given().get("/v1/catalog/trino").then().statusCode(200).extract().asString();
        assertThat(properties).doesNotContain(SECRET)
                .contains("iceberg.jdbc-catalog.connection-url=jdbc:sqlite:" + directory().resolve("catalog.db") + "?password=${ENV:KILN_CATALOG_PASSWORD}");
    }

    @Test
    void theStartUpLogShowsTheUriWithoutThePassword() throws IOException {
        String log = Files.readString(directory().resolve("kiln.log"));
        assertThat(log).contains("catalog jdbc:sqlite:" + directory().resolve("catalog.db") + "?password=***").doesNotContain(SECRET);
    }
}
