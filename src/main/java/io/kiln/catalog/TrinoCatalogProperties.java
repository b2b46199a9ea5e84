package io.kiln.catalog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Trino Iceberg catalog properties that read exactly the catalog Kiln writes: the same
 * catalog name, JDBC URI, schema version and warehouse. Rendered from Kiln's own settings so the
 * two cannot drift; {@code GET /v1/catalog/trino} serves them.
 */
public final class TrinoCatalogProperties {
    /**
     * Secrets are never rendered: Trino substitutes {@code ${ENV:NAME}} from its environment, so
     * Trino is given the same variables Kiln reads.
     */
    public static final String PASSWORD_VARIABLE = "KILN_CATALOG_PASSWORD";
    public static final String S3_SECRET_VARIABLE = "KILN_CATALOG_S3_SECRET_ACCESS_KEY";

    private TrinoCatalogProperties() {}

    public static Map<String, String> of(CatalogSettings settings) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("connector.name", "iceberg");
        properties.put("iceberg.catalog.type", "jdbc");
        properties.put("iceberg.jdbc-catalog.catalog-name", settings.name());
        properties.put("iceberg.jdbc-catalog.driver-class", settings.isSqlite() ? "org.sqlite.JDBC" : "org.postgresql.Driver");
        // a password inside the URI is Trino's to fill in from its environment, like connection-password
        properties.put("iceberg.jdbc-catalog.connection-url", JdbcUris.withPasswordReplaced(settings.jdbcUri(), "${ENV:" + PASSWORD_VARIABLE + "}"));
        settings.user().ifPresent(user -> properties.put("iceberg.jdbc-catalog.connection-user", user));
        settings.password().filter(password -> !password.isEmpty())
                .ifPresent(password -> properties.put("iceberg.jdbc-catalog.connection-password", "${ENV:" + PASSWORD_VARIABLE + "}"));
        properties.put("iceberg.jdbc-catalog.default-warehouse-dir", settings.warehouse());
        properties.put("iceberg.jdbc-catalog.schema-version", "V1");
        if (settings.warehouse().startsWith("file:")) {
            // without local.location=/ Trino silently resolves every file path under a temporary folder
            properties.put("fs.native-local.enabled", "true");
            properties.put("local.location", "/");
        }
        if (settings.isObjectStore()) {
            CatalogSettings.ObjectStore store = settings.objectStore();
            properties.put("fs.native-s3.enabled", "true");
            store.endpoint().ifPresent(endpoint -> properties.put("s3.endpoint", endpoint));
            properties.put("s3.region", store.region());
            properties.put("s3.path-style-access", Boolean.toString(store.pathStyleAccess()));
            store.accessKeyId().ifPresent(key -> properties.put("s3.aws-access-key", key));
            store.secretAccessKey().ifPresent(secret -> properties.put("s3.aws-secret-key", "${ENV:" + S3_SECRET_VARIABLE + "}"));
        }
        return properties;
    }

    public static String render(Map<String, String> properties) {
        return properties.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
