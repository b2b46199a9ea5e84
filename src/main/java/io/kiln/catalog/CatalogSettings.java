package io.kiln.catalog;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import io.kiln.KilnConfig;

/**
 * Where the catalog database and the warehouse are, resolved from {@link KilnConfig}: by default
 * a SQLite file and a {@code file://} warehouse under the data directory.
 */
public record CatalogSettings(String name, String jdbcUri, Optional<String> user, Optional<String> password, String warehouse, ObjectStore objectStore) {
    /** Settings of an S3-compatible object store; they apply when the warehouse is an {@code s3://} URI. */
    public record ObjectStore(Optional<String> endpoint, boolean pathStyleAccess, String region, Optional<String> accessKeyId, Optional<String> secretAccessKey) {
        public static final ObjectStore NONE = new ObjectStore(Optional.empty(), false, "us-east-1", Optional.empty(), Optional.empty());

        public ObjectStore {
            requireNonNull(endpoint, "endpoint is null");
            requireNonNull(region, "region is null");
            requireNonNull(accessKeyId, "accessKeyId is null");
            requireNonNull(secretAccessKey, "secretAccessKey is null");
        }

        @Override
        public String toString() {
            return "ObjectStore[endpoint=" + endpoint + ", pathStyleAccess=" + pathStyleAccess + ", region=" + region + ", accessKeyId=" + accessKeyId
                    + ", secretAccessKey=" + secretAccessKey.map(secret -> JdbcUris.REDACTED) + "]";
        }
    }

    public CatalogSettings(String name, String jdbcUri, Optional<String> user, Optional<String> password, String warehouse) {
        this(name, jdbcUri, user, password, warehouse, ObjectStore.NONE);
    }

    public CatalogSettings {
        requireNonNull(name, "name is null");
        requireNonNull(jdbcUri, "jdbcUri is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        requireNonNull(warehouse, "warehouse is null");
        requireNonNull(objectStore, "objectStore is null");
    }

    public static CatalogSettings from(KilnConfig config) {
        Path dataDirectory = Path.of(config.dataDirectory()).toAbsolutePath().normalize();
        String uri = config.catalog().uri().orElseGet(() -> {
            createDirectories(dataDirectory);
            return "jdbc:sqlite:" + dataDirectory.resolve("catalog.db");
        });
        String warehouse = config.catalog().warehouse().orElseGet(() -> {
            Path directory = dataDirectory.resolve("warehouse");
            createDirectories(directory);
            return "file://" + directory;
        });
        KilnConfig.S3 s3 = config.catalog().s3();
        ObjectStore objectStore = new ObjectStore(s3.endpoint(), s3.pathStyleAccess(), s3.region(), s3.accessKeyId(), s3.secretAccessKey());
        return new CatalogSettings(config.catalog().name(), uri, config.catalog().user(), config.catalog().password(), warehouse, objectStore);
    }

    /** The JDBC URI with any password in it redacted: the only form in which it is logged or served. */
    public String redactedJdbcUri() {
        return JdbcUris.redacted(jdbcUri);
    }

    @Override
    public String toString() {
        return "CatalogSettings[name=" + name + ", jdbcUri=" + redactedJdbcUri() + ", user=" + user + ", password=" + password.map(secret -> JdbcUris.REDACTED)
                + ", warehouse=" + warehouse + ", objectStore=" + objectStore + "]";
    }

    public boolean isObjectStore() {
        return warehouse.startsWith("s3://") || warehouse.startsWith("s3a://");
    }

    public boolean isSqlite() {
        return jdbcUri.startsWith("jdbc:sqlite:");
    }

    /** Properties for Iceberg's JdbcCatalog. */
    public Map<String, String> icebergProperties() {
        Map<String, String> properties = new HashMap<>();
        properties.put("uri", jdbcUri);
        properties.put("warehouse", warehouse);
        properties.put("jdbc.schema-version", "V1");
        user.ifPresent(value -> properties.put("jdbc.user", value));
        password.ifPresent(value -> properties.put("jdbc.password", value));
        if (isObjectStore()) {
            properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
            properties.put("client.region", objectStore.region());
            objectStore.endpoint().ifPresent(endpoint -> properties.put("s3.endpoint", endpoint));
            properties.put("s3.path-style-access", Boolean.toString(objectStore.pathStyleAccess()));
            objectStore.accessKeyId().ifPresent(key -> properties.put("s3.access-key-id", key));
            objectStore.secretAccessKey().ifPresent(secret -> properties.put("s3.secret-access-key", secret));
        }
        if (isSqlite()) {
            // one writer at a time in SQLite: wait for the lock instead of failing
            properties.put("jdbc.busy_timeout", "30000");
            properties.put("jdbc.journal_mode", "WAL");
        }
        return properties;
    }

    /**
     * Registers the JDBC driver of the catalog URI from this class's loader: DriverManager only
     * hands a caller the drivers its own class loader can see, and service-loader discovery runs
     * once per JVM, possibly under another loader (a test framework's, an application server's).
     */
    public void loadDriver() {
        String driver = isSqlite() ? "org.sqlite.JDBC" : jdbcUri.startsWith("jdbc:postgresql:") ? "org.postgresql.Driver" : null;
        if (driver != null) {
            try {
                Class.forName(driver, true, CatalogSettings.class.getClassLoader());
            }
            catch (ClassNotFoundException e) {
                throw new IllegalStateException("JDBC driver " + driver + " is missing from the class path", e);
            }
        }
    }

    public Connection openConnection() throws SQLException {
        loadDriver();
        Properties properties = new Properties();
        user.ifPresent(value -> properties.put("user", value));
        password.ifPresent(value -> properties.put("password", value));
        if (isSqlite()) {
            properties.put("busy_timeout", "30000");
            properties.put("journal_mode", "WAL");
        }
        return DriverManager.getConnection(jdbcUri, properties);
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create data directory " + directory, e);
        }
    }
}
