package io.kiln.catalog;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;

/**
 * Which catalog this is, however it is reached: an id generated once and kept in the catalog's
 * own database (table {@code kiln_catalog}, one row per catalog name), so every replica of one
 * catalog shares it and two catalogs never do. Ownership markers in the warehouse carry it.
 */
public record CatalogIdentity(String name, String id) {
    public CatalogIdentity {
        requireNonNull(name, "name is null");
        requireNonNull(id, "id is null");
    }

    /** Reads the catalog's id, generating and storing it on first use; safe when processes race to do so. */
    public static CatalogIdentity of(CatalogSettings settings) {
        try (Connection connection = settings.openConnection()) {
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE TABLE IF NOT EXISTS kiln_catalog (catalog_name VARCHAR(255) PRIMARY KEY, catalog_id VARCHAR(64) NOT NULL)");
            }
            catch (SQLException raced) {
                // PostgreSQL's CREATE TABLE IF NOT EXISTS can fail when another process creates the table at the same moment
                if (!tableExists(connection)) {
                    throw raced;
                }
            }
            Optional<String> stored = read(connection, settings.name());
            if (stored.isPresent()) {
                return new CatalogIdentity(settings.name(), stored.get());
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO kiln_catalog (catalog_name, catalog_id) VALUES (?, ?)")) {
                insert.setString(1, settings.name());
                insert.setString(2, UUID.randomUUID().toString());
                insert.executeUpdate();
            }
            catch (SQLException raced) {
                // another process stored its id first: that one counts
                if (read(connection, settings.name()).isEmpty()) {
                    throw raced;
                }
            }
            return new CatalogIdentity(settings.name(), read(connection, settings.name()).orElseThrow());
        }
        catch (SQLException e) {
            throw new IllegalStateException("Cannot read or store the catalog's id in " + settings.redactedJdbcUri() + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> read(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT catalog_id FROM kiln_catalog WHERE catalog_name = ?")) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    private static boolean tableExists(Connection connection) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, null, "kiln_catalog", null)) {
            return tables.next();
        }
    }
}
