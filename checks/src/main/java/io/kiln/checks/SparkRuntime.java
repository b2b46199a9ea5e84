package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the engine's one SparkSession: starts it in the background, runs Spark work one piece at a time,
 * and registers each distinct Iceberg catalog once.
 */
final class SparkRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SparkRuntime.class);
    private static final String SPARK_CATALOG = "org.apache.iceberg.spark.SparkCatalog";
    private static final int MAX_CATALOGS = 32;

    enum Status { STARTING, UP, FAILED }

    private final CompletableFuture<SparkSession> session = new CompletableFuture<>();
    private final ReentrantLock work = new ReentrantLock(true);
    /** Sessions by catalog, least recently used first; only touched under {@link #work}. */
    private final Map<CatalogSpec, SparkSession> catalogSessions = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<CatalogSpec, SparkSession> eldest) {
            return size() > MAX_CATALOGS;
        }
    };
    private final long sessionWaitMillis;

    private SparkRuntime(long sessionWaitMillis) {
        this.sessionWaitMillis = sessionWaitMillis;
    }

    /** Starts Spark on a background thread and returns at once. */
    static SparkRuntime start(String master, Map<String, String> sparkConf) {
        SparkRuntime runtime = new SparkRuntime(TimeUnit.MINUTES.toMillis(5));
        Thread starter = new Thread(() -> runtime.create(master, sparkConf), "kiln-spark-start");
        starter.setDaemon(true);
        starter.start();
        return runtime;
    }

    private void create(String master, Map<String, String> sparkConf) {
        long started = System.nanoTime();
        try {
            Map<String, String> conf = new LinkedHashMap<>();
            conf.put("spark.app.name", "kiln-check-engine");
            conf.put("spark.master", master);
            conf.put("spark.ui.enabled", "false");
            conf.put("spark.ui.showConsoleProgress", "false");
            conf.put("spark.sql.session.timeZone", "UTC");
            conf.put("spark.sql.catalogImplementation", "in-memory");
            if (master.startsWith("local")) {
                conf.put("spark.driver.host", "127.0.0.1");
                conf.put("spark.driver.bindAddress", "127.0.0.1");
                // the default 200 shuffle partitions cost more than the data on one machine
                conf.put("spark.sql.shuffle.partitions", "8");
            }
            conf.putAll(sparkConf);
            SparkSession.Builder builder = SparkSession.builder();
            conf.forEach(builder::config);
            SparkSession spark = builder.getOrCreate();
            LOG.info("Spark {} ({}) started in {} ms", spark.version(), master,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            session.complete(spark);
        }
        catch (Throwable e) {
            LOG.error("Spark did not start", e);
            session.completeExceptionally(e);
        }
    }

    Status status() {
        if (!session.isDone()) {
            return Status.STARTING;
        }
        return session.isCompletedExceptionally() ? Status.FAILED : Status.UP;
    }

    Optional<String> sparkVersion() {
        return status() == Status.UP ? Optional.of(session.join().version()) : Optional.empty();
    }

    Optional<String> failure() {
        if (status() != Status.FAILED) {
            return Optional.empty();
        }
        try {
            session.get();
            return Optional.empty();
        }
        catch (ExecutionException e) {
            return Optional.of(String.valueOf(e.getCause().getMessage()));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /**
     * Runs {@code action} with the session, after any Spark work already running; waits for Spark to
     * start when it has not yet.
     */
    <T> T withSession(Function<SparkSession, T> action) {
        SparkSession spark = awaitSession();
        work.lock();
        try {
            SparkSession.setActiveSession(spark);
            return action.apply(spark);
        }
        finally {
            SparkSession.clearActiveSession();
            work.unlock();
        }
    }

    private SparkSession awaitSession() {
        try {
            return session.get(sessionWaitMillis, TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            throw new EngineException(ErrorCode.ENGINE_STARTING, "Spark is still starting");
        }
        catch (ExecutionException e) {
            throw new EngineException(ErrorCode.ENGINE_FAILED, "Spark failed to start: " + e.getCause().getMessage());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(ErrorCode.ENGINE_STARTING, "Interrupted while waiting for Spark to start");
        }
    }

    /**
     * Returns a session in which {@code spec} is registered under its own name, creating it on first use.
     * Iceberg's JdbcCatalog keys its rows by catalog name, so the Spark catalog must carry exactly the
     * name Kiln uses; a second spec under the same name therefore gets its own child session (same
     * SparkContext, own catalogs). Makes the returned session the thread's active one. Caller holds
     * the session (see {@link #withSession}).
     */
    SparkSession sessionFor(SparkSession spark, CatalogSpec spec) {
        requireNonNull(spec, "spec is null");
        SparkSession existing = catalogSessions.get(spec);
        if (existing != null) {
            SparkSession.setActiveSession(existing);
            return existing;
        }
        SparkSession child = spark.newSession();
        String prefix = "spark.sql.catalog." + spec.name();
        child.conf().set(prefix, SPARK_CATALOG);
        for (Map.Entry<String, String> property : spec.properties().entrySet()) {
            child.conf().set(prefix + "." + property.getKey(), property.getValue());
        }
        // Kiln commits from another process: always read the catalog's current metadata
        child.conf().set(prefix + ".cache-enabled", "false");
        // Spark resolves catalogs through the active session's conf
        SparkSession.setActiveSession(child);
        try {
            // load it now: a catalog that cannot start must say why, not look like an unknown namespace later
            child.sessionState().catalogManager().catalog(spec.name());
        }
        catch (Exception | LinkageError e) {
            LOG.warn("Cannot start Iceberg catalog {}", spec, e);
            throw new EngineException(ErrorCode.CATALOG_FAILURE,
                    "Cannot start Iceberg catalog " + spec.name() + ": " + Messages.brief(e), e);
        }
        catalogSessions.put(spec, child);
        LOG.info("Registered Iceberg catalog {}", spec);
        return child;
    }

    /** Drops the session of {@code spec}; caller holds the session (see {@link #withSession}). */
    void forget(CatalogSpec spec) {
        catalogSessions.remove(spec);
    }

    /** Runs a tiny Deequ verification so the first real one does not pay for class loading and JIT. */
    void warmUp(Function<SparkSession, ?> warmUp) {
        long started = System.nanoTime();
        try {
            withSession(warmUp);
            LOG.info("Warm-up took {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
        catch (RuntimeException e) {
            LOG.warn("Warm-up failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (status() == Status.UP) {
            session.join().stop();
        }
        else {
            session.cancel(false);
        }
    }
}
