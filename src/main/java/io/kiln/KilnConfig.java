package io.kiln;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Kiln's configuration; every key also works as an environment variable (KILN_DATA_DIR, ...). */
@ConfigMapping(prefix = "kiln")
public interface KilnConfig {
    /** Catalog file, warehouse and job store of the embedded default. */
    @WithName("data-dir")
    @WithDefault("kiln-data")
    String dataDirectory();

    /** Directories that jobs may read from; a source outside them is refused. */
    @WithName("source-roots")
    Optional<List<String>> sourceRoots();

    Catalog catalog();

    /** Directories that exports may write into; default {@code <data-dir>/exports}. */
    @WithName("export-roots")
    Optional<List<String>> exportRoots();

    /**
     * Shipped embedding models to load once, in the background, when the service starts, so that
     * the first job naming one does not wait for it in its request; {@code none} loads none (a job
     * then loads its model when it is submitted, once per process).
     */
    @WithName("embed.preload")
    @WithDefault("all-minilm-l6-v2")
    List<String> embedPreload();

    /**
     * How clients authenticate. Unset: by API key when keys are configured; otherwise none, and Kiln
     * refuses to listen beyond the loopback interface. {@code api-key}: every request needs a
     * configured key. {@code none}: every client is served without authentication, wherever Kiln listens.
     */
    @WithName("auth.mode")
    Optional<String> authMode();

    /**
     * API keys by id ({@code kiln.auth.api-keys.<id>.sha256}, {@code .name}, {@code .role}; or
     * {@code KILN_AUTH_API_KEYS_<ID>_SHA256}...): the sha256 of the key (never the key itself), who
     * holds it, and its role ({@code reader}, {@code writer} or {@code admin}).
     */
    @WithName("auth.api-keys")
    java.util.Map<String, ApiKey> apiKeys();

    /** One API key: the hex sha256 of its secret, the name its calls are recorded under, and its role. */
    interface ApiKey {
        String sha256();

        Optional<String> name();

        String role();
    }

    /** Jobs that run at once; 0 accepts jobs but runs none (drain mode). */
    @WithDefault("2")
    int workers();

    /** Threads that apply the transform chain within one job. */
    @WithName("job-threads")
    @WithDefault("2")
    @jakarta.validation.constraints.Min(1)
    int jobThreads();

    /** Records per batch handed to the transform threads. */
    @WithName("batch-size")
    @WithDefault("1000")
    @jakarta.validation.constraints.Min(1)
    int batchSize();

    /**
     * A batch also ends once its records hold this many bytes (a JSON line's length; a CSV record's, a Parquet row's or a
     * file's strings and binary values): long documents and images keep fewer rows in flight, which keeps them out of the
     * old generation.
     */
    @WithName("batch-bytes")
    @WithDefault("524288")
    @jakarta.validation.constraints.Min(1)
    long batchBytes();

    /** Largest record (JSONL line or text document) read; a larger one is rejected. */
    @WithName("max-record-bytes")
    @WithDefault("16777216")
    int maxRecordBytes();

    /** Longest one document (PDF, DOCX, HTML... read through Tika) may take to parse; a slower one is rejected as {@code timeout}. */
    @WithName("document.parse-timeout")
    @WithDefault("60s")
    java.time.Duration documentParseTimeout();

    /** Largest document file (or mbox message) parsed; a larger one is rejected as {@code too-large} unparsed. */
    @WithName("document.max-bytes")
    @WithDefault("268435456")
    long documentMaxBytes();

    /** Data files roll over at about this size. */
    @WithName("target-file-size-bytes")
    @WithDefault("134217728")
    long targetFileSizeBytes();

    /**
     * The zstd level of the Parquet files of tables Kiln creates (their {@code write.parquet.compression-level}
     * property, which a table keeps and which decides for every later write to it): 1 to 22; higher is
     * smaller and slower (BENCHMARKS.md measures 1 against 3).
     */
    @WithName("zstd-level")
    @WithDefault("3")
    @jakarta.validation.constraints.Min(1)
    @jakarta.validation.constraints.Max(22)
    int zstdLevel();

    /** The catalog name under which Trino reads Kiln's tables, used in the SQL the API hands out; default the catalog name. */
    @WithName("trino.catalog")
    Optional<String> trinoCatalog();

    Checks checks();

    Maintenance maintenance();

    @WithName("openlineage")
    OpenLineage openLineage();

    /**
     * Pseudonym keys by id ({@code kiln.privacy.keys.<id>}, or the environment variable
     * {@code KILN_PRIVACY_KEYS_<ID>}): the anonymize step names a key by its id; the key itself
     * never enters a JobSpec, a recipe, a snapshot, a response or a log line.
     */
    @WithName("privacy.keys")
    java.util.Map<String, String> privacyKeys();

    /**
     * OpenLineage run events (START, COMPLETE, FAIL, ABORT) for every job, sent by the OpenLineage
     * Java client to an HTTP endpoint (Marquez, DataHub, ...) or appended to a file, one event per line.
     */
    interface OpenLineage {
        /** {@code none} (the default), {@code http} or {@code file}. */
        @WithDefault("none")
        String transport();

        /** The HTTP transport's base URL, e.g. {@code http://marquez:5000}. */
        Optional<java.net.URI> url();

        /** The HTTP transport's path under {@link #url()}. */
        @WithDefault("/api/v1/lineage")
        String endpoint();

        /** Sent as {@code Authorization: Bearer <key>} by the HTTP transport; never logged. */
        @WithName("api-key")
        Optional<String> apiKey();

        @WithDefault("5s")
        java.time.Duration timeout();

        /** The file transport's file: one JSON event per line, appended. */
        Optional<String> file();

        /** The OpenLineage namespace of Kiln's jobs and of its tables (as datasets). */
        @WithDefault("kiln")
        String namespace();
    }

    /** Scheduled maintenance of every table; off unless an interval is set. */
    interface Maintenance {
        Optional<java.time.Duration> interval();

        /** Unpinned, untagged, non-current snapshots older than this are expired. */
        @WithName("max-snapshot-age")
        @WithDefault("30d")
        java.time.Duration maxSnapshotAge();

        /** Unreachable files younger than this are left alone: a job may still be writing them. */
        @WithName("orphan-grace")
        @WithDefault("3d")
        java.time.Duration orphanGrace();
    }

    /** Write-audit-publish: the check engine and the suites. */
    interface Checks {
        Engine engine();

        /** Where the DQDL suites that {@code JobSpec.checks} names live. */
        @WithName("suites-directory")
        @WithDefault("checks/suites")
        String suitesDirectory();

        /** How long the audit branch of a rejected job is kept for inspection. */
        @WithName("rejected-branch-retention")
        @WithDefault("7d")
        java.time.Duration rejectedBranchRetention();

        /** Rejected-rate bound of jobs whose spec sets none. */
        @WithName("default-max-rejected-rate")
        @WithDefault("0.5")
        double defaultMaxRejectedRate();
    }

    interface Engine {
        /** {@code managed}: Kiln starts and supervises the engine; {@code external}: use {@code url}; {@code off}: no suites. */
        @WithDefault("managed")
        String mode();

        /** The engine's build output ({@code kiln-check-engine.jar}, {@code lib/}, {@code jvm.options}). */
        @WithDefault("checks/target/engine")
        String directory();

        Optional<String> url();

        /** JDK for the engine (Spark 3.5 needs 17 to 21); default the JDK running Kiln. */
        @WithName("java-home")
        Optional<String> javaHome();

        /** {@code local[*]}, or a cluster master such as {@code spark://host:7077}. */
        @WithName("spark-master")
        @WithDefault("local[*]")
        String sparkMaster();

        @WithDefault("1g")
        String heap();

        /** Longest a single audit may take before it counts as failed. */
        @WithDefault("10m")
        java.time.Duration timeout();

        @WithName("start-timeout")
        @WithDefault("180s")
        java.time.Duration startTimeout();

        @WithName("health-interval")
        @WithDefault("5s")
        java.time.Duration healthInterval();
    }

    interface Catalog {
        /** The Iceberg catalog name, the same in Kiln, Trino and Spark. */
        @WithDefault("kiln")
        String name();

        /** JDBC URI of the catalog database; default a SQLite file in the data directory. */
        Optional<String> uri();

        Optional<String> user();

        Optional<String> password();

        /** Warehouse location; default {@code file://<data-dir>/warehouse}; {@code s3://bucket/path} for an object store. */
        Optional<String> warehouse();

        /** The object store of an {@code s3://} warehouse (AWS S3 or any S3-compatible store). */
        S3 s3();
    }

    interface S3 {
        /** e.g. http://minio:9000; empty for AWS itself. */
        Optional<String> endpoint();

        @WithName("path-style-access")
        @WithDefault("false")
        boolean pathStyleAccess();

        @WithDefault("us-east-1")
        String region();

        @WithName("access-key-id")
        Optional<String> accessKeyId();

        @WithName("secret-access-key")
        Optional<String> secretAccessKey();
    }
}
