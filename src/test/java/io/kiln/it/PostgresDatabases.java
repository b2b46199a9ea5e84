package io.kiln.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Assumptions;

/**
 * Fresh databases on the PostgreSQL at 127.0.0.1:5432 (override with KILN_TEST_POSTGRES_URL and
 * KILN_TEST_POSTGRES_USER). Without a server, tests fail when CI=true and are skipped, saying why, otherwise.
 */
final class PostgresDatabases {
    static final String SERVER = System.getenv().getOrDefault("KILN_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/");
    static final String USER = System.getenv().getOrDefault("KILN_TEST_POSTGRES_USER", "postgres");

    private PostgresDatabases() {}

    static String create() {
        String database = "kiln_it_" + Long.toHexString(System.nanoTime());
        try (Connection connection = DriverManager.getConnection(SERVER + "postgres", USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
            return database;
        }
        catch (SQLException e) {
            String message = "PostgreSQL is required at " + SERVER + " (user " + USER + "): " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
            throw new IllegalStateException(message);
        }
    }

    static void drop(String database) throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER + "postgres", USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }
}
