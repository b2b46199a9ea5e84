package io.kiln.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class JdbcUrisTest {
    @Test
    void redactsPasswordParameters() {
        assertThat(JdbcUris.redacted("jdbc:postgresql://host/db?user=kiln&password=secret")).isEqualTo("jdbc:postgresql://host/db?user=kiln&password=***");
        assertThat(JdbcUris.redacted("jdbc:postgresql://host:5432/db?password=secret&ssl=true")).isEqualTo("jdbc:postgresql://host:5432/db?password=***&ssl=true");
        assertThat(JdbcUris.redacted("jdbc:postgresql://host/db?sslpassword=one&PASSWORD=two")).isEqualTo("jdbc:postgresql://host/db?sslpassword=***&PASSWORD=***");
        assertThat(JdbcUris.redacted("jdbc:sqlserver://host;user=kiln;password=secret;encrypt=true")).isEqualTo("jdbc:sqlserver://host;user=kiln;password=***;encrypt=true");
        assertThat(JdbcUris.redacted("jdbc:sqlite:/data/catalog.db?password=secret")).isEqualTo("jdbc:sqlite:/data/catalog.db?password=***");
    }

    @Test
    void redactsThePasswordOfTheUserInfo() {
        assertThat(JdbcUris.redacted("jdbc:postgresql://kiln:secret@host/db")).isEqualTo("jdbc:postgresql://kiln:***@host/db");
        assertThat(JdbcUris.redacted("jdbc:postgresql://kiln:se:cr@et@host:5432/db?ssl=true")).isEqualTo("jdbc:postgresql://kiln:***@host:5432/db?ssl=true");
        assertThat(JdbcUris.redacted("jdbc:postgresql://kiln:secret@host/db?password=other")).isEqualTo("jdbc:postgresql://kiln:***@host/db?password=***");
    }

    @Test
    void leavesAUriWithoutAPasswordAsItIs() {
        for (String uri : new String[] {"jdbc:sqlite:/data/kiln-data/catalog.db", "jdbc:postgresql://kiln@host/db", "jdbc:postgresql://host:5432/db?user=kiln",
                "jdbc:postgresql://host/db?passwordless=true&x=password"}) {
            assertThat(JdbcUris.redacted(uri)).isEqualTo(uri);
        }
    }

    @Test
    void replacesThePasswordWithWhatIsGiven() {
        assertThat(JdbcUris.withPasswordReplaced("jdbc:postgresql://kiln:secret@host/db?password=x", "${ENV:KILN_CATALOG_PASSWORD}"))
                .isEqualTo("jdbc:postgresql://kiln:${ENV:KILN_CATALOG_PASSWORD}@host/db?password=${ENV:KILN_CATALOG_PASSWORD}");
    }

    @Test
    void catalogSettingsNeverPrintTheirSecrets() {
        CatalogSettings settings = new CatalogSettings("kiln", "jdbc:postgresql://kiln:uri-secret@host/db", Optional.of("kiln"), Optional.of("property-secret"),
                "s3://bucket/warehouse", new CatalogSettings.ObjectStore(Optional.empty(), false, "us-east-1", Optional.of("key"), Optional.of("s3-secret")));
        assertThat(settings.toString()).doesNotContain("uri-secret").doesNotContain("property-secret").doesNotContain("s3-secret")
                .contains("jdbc:postgresql://kiln:***@host/db");
    }
}
