package io.kiln.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.kiln.catalog.CatalogSettings;

/**
 * Jobs, persisted in the catalog's own database (SQLite or PostgreSQL) so that a restart never
 * forgets an accepted job. Writes are serialized in this process; SQLite's busy timeout covers
 * the catalog's connections.
 */
public final class JobStore {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final CatalogSettings settings;

    public JobStore(CatalogSettings settings) {
        this.settings = settings;
        execute("CREATE TABLE IF NOT EXISTS kiln_jobs ("
                + "id VARCHAR(64) PRIMARY KEY, "
                + "idempotency_key VARCHAR(256) UNIQUE, "
                + "state VARCHAR(16) NOT NULL, "
                + "created_at BIGINT NOT NULL, "
                + "body TEXT NOT NULL)");
        execute("CREATE INDEX IF NOT EXISTS kiln_jobs_state ON kiln_jobs (state, created_at)");
    }

    /** Inserts the job, or returns the job already stored under its idempotency key. */
    public synchronized Job insertOrExisting(Job job) {
        try (Connection connection = settings.openConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO kiln_jobs (id, idempotency_key, state, created_at, body) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, job.id());
            insert.setString(2, job.idempotencyKey());
            insert.setString(3, job.state().name());
            insert.setLong(4, job.createdAt().toEpochMilli());
            insert.setString(5, toJson(job));
            insert.executeUpdate();
            return job;
        }
        catch (SQLException e) {
            if (job.idempotencyKey() != null) {
                Optional<Job> existing = findByIdempotencyKey(job.idempotencyKey());
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            throw new JobStoreException("Cannot store job " + job.id(), e);
        }
    }

    public synchronized void update(Job job) {
        try (Connection connection = settings.openConnection();
                PreparedStatement update = connection.prepareStatement("UPDATE kiln_jobs SET state = ?, body = ? WHERE id = ?")) {
            update.setString(1, job.state().name());
            update.setString(2, toJson(job));
            update.setString(3, job.id());
            if (update.executeUpdate() != 1) {
                throw new JobStoreException("Job " + job.id() + " is not stored", null);
            }
        }
        catch (SQLException e) {
            throw new JobStoreException("Cannot update job " + job.id(), e);
        }
    }

    public Optional<Job> find(String id) {
        return queryOne("SELECT body FROM kiln_jobs WHERE id = ?", id);
    }

    public Optional<Job> findByIdempotencyKey(String key) {
        return queryOne("SELECT body FROM kiln_jobs WHERE idempotency_key = ?", key);
    }

    /** Newest first. */
    public List<Job> list(int limit) {
        return query("SELECT body FROM kiln_jobs ORDER BY created_at DESC, id DESC LIMIT " + limit);
    }

    /** Oldest first, the order in which they were accepted. */
    public List<Job> listInStates(Set<JobState> states) {
        String in = states.stream().map(state -> "'" + state.name() + "'").collect(Collectors.joining(", "));
        return query("SELECT body FROM kiln_jobs WHERE state IN (" + in + ") ORDER BY created_at, id");
    }

    /** How many jobs are in this state now, without reading them. */
    public long count(JobState state) {
        try (Connection connection = settings.openConnection();
                PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM kiln_jobs WHERE state = ?")) {
            select.setString(1, state.name());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
        catch (SQLException e) {
            throw new JobStoreException("Cannot count jobs", e);
        }
    }

    private Optional<Job> queryOne(String sql, String parameter) {
        try (Connection connection = settings.openConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(fromJson(rows.getString(1))) : Optional.empty();
            }
        }
        catch (SQLException e) {
            throw new JobStoreException("Cannot read jobs", e);
        }
    }

    private List<Job> query(String sql) {
        try (Connection connection = settings.openConnection();
                Statement select = connection.createStatement();
                ResultSet rows = select.executeQuery(sql)) {
            List<Job> jobs = new ArrayList<>();
            while (rows.next()) {
                jobs.add(fromJson(rows.getString(1)));
            }
            return jobs;
        }
        catch (SQLException e) {
            throw new JobStoreException("Cannot read jobs", e);
        }
    }

    private void execute(String sql) {
        try (Connection connection = settings.openConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException e) {
            throw new JobStoreException("Cannot prepare the job store in " + settings.redactedJdbcUri(), e);
        }
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Job fromJson(String json) {
        try {
            return JSON.readValue(json, Job.class);
        }
        catch (JsonProcessingException e) {
            throw new JobStoreException("A stored job cannot be read", e);
        }
    }

    /** The job store's database failed. */
    public static final class JobStoreException extends RuntimeException {
        JobStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
