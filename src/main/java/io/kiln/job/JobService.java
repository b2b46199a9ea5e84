package io.kiln.job;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.validation.Validator;

import org.apache.iceberg.catalog.Catalog;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.kiln.KilnConfig;
import io.kiln.catalog.CatalogSettings;
import io.kiln.check.Auditor;
import io.kiln.check.CheckService;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.Publisher;
import io.kiln.transform.StepRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Accepts jobs, persists them, and runs them on a bounded pool of workers. At start it resumes
 * what a previous process left: queued jobs run, and a job that was running is either found
 * published (its snapshot carries its id) or run again.
 */
@ApplicationScoped
public class JobService {
    private static final Logger LOG = Logger.getLogger(JobService.class);
    /** Runs of a job whose fitted steps (deduplication) raced another process's publish to the table, before it fails. */
    static final int MAX_ATTEMPTS = 8;
    /** How long an accepted job waits, each time, for a check engine that cannot validate its suite now (it is restarting). */
    static final List<java.time.Duration> ENGINE_WAITS = List.of(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(5),
            java.time.Duration.ofSeconds(15), java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(60));

    @Inject
    KilnConfig config;
    @Inject
    CatalogSettings catalogSettings;
    @Inject
    Catalog catalog;
    @Inject
    Validator validator;
    @Inject
    CheckService checks;
    @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev")
    String kilnVersion;

    private JobStore store;
    private JobBinder binder;
    @Inject
    Publisher publisher;
    @Inject
    KilnMetrics metrics;
    @Inject
    OpenLineageEmitter lineage;
    private Publication publication;
    private ExecutorService workers;
    private final Map<String, JobProgress> running = new ConcurrentHashMap<>();
    private final Map<String, Boolean> cancelRequested = new ConcurrentHashMap<>();
    /** Per table: held by the one job with fitted steps that runs on it now. */
    private final Map<String, ReentrantLock> fittedJobs = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    /** The serving path: a published snapshot's recipe and fitted state applied to {@code records} (see {@link Serving}). */
    public List<Map<String, Object>> transform(String table, long snapshotId, com.fasterxml.jackson.databind.JsonNode records) {
        return Serving.serve(catalog, binder, table, snapshotId, records).stream().map(served -> {
            Map<String, Object> answer = new java.util.LinkedHashMap<>();
            answer.put("id", served.id());
            answer.put("outcome", served.outcome());
            if (served.reason() != null) {
                answer.put("reason", served.reason());
                answer.put("detail", served.detail());
            }
            else {
                answer.put("rows", served.rows());
            }
            return answer;
        }).toList();
    }

    void start(@Observes StartupEvent event) {
        store = new JobStore(catalogSettings);
        List<Path> roots = config.sourceRoots().orElse(List.of()).stream()
                .filter(root -> !root.isBlank())
                .map(root -> Path.of(root.trim()).toAbsolutePath().normalize())
                .toList();
        binder = new JobBinder(validator, StepRegistry.defaultRegistry(), roots, catalog, checks.suites(), checks.engine(),
                config.checks().defaultMaxRejectedRate(),
                // by name, so that KILN_PRIVACY_KEYS_<ID> is found too (a mapped map only lists the keys its sources enumerate)
                keyId -> org.eclipse.microprofile.config.ConfigProvider.getConfig().getOptionalValue("kiln.privacy.keys." + keyId, String.class));
        publication = new Publication(publisher, new Auditor(checks.engine()), catalogSettings, config.checks().rejectedBranchRetention());
        io.kiln.contamination.EvalSets.directory(Path.of(config.dataDirectory()).resolve("indexes").resolve("contamination"));
        if (config.workers() > 0) {
            AtomicInteger count = new AtomicInteger();
            workers = Executors.newFixedThreadPool(config.workers(), runnable -> {
                Thread thread = new Thread(runnable, "kiln-worker-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }
        else {
            LOG.info("kiln.workers=0: jobs are accepted and queued but not run");
        }
        for (JobState state : List.of(JobState.QUEUED, JobState.RUNNING, JobState.AUDITING)) {
            metrics.liveJobs(state, () -> store.count(state));
        }
        // at zero from the start, as dashboards expect
        metrics.commitRetries("restage", 0);
        metrics.commitRetries("rerun", 0);
        metrics.gauge("kiln.check.engine.restarts", "Times the managed check engine was restarted", () -> checks.status().restarts());
        // the provider a model would run on here, without loading a model (a CUDA machine says so when its first model loads)
        metrics.embeddingProvider(io.kiln.embed.ExecutionProvider.CPU);
        LOG.infof("Kiln %s: catalog %s, warehouse %s, source roots %s", kilnVersion, catalogSettings.redactedJdbcUri(), catalogSettings.warehouse(), roots);
        recover();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (workers != null) {
            workers.shutdownNow();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void recover() {
        for (Job job : store.listInStates(EnumSet.of(JobState.RUNNING, JobState.AUDITING, JobState.QUEUED))) {
            if (job.state() != JobState.QUEUED) {
                LOG.infof("Job %s was %s when the service stopped: running it again", job.id(), job.state());
                job = job.requeued();
                update(job);
            }
            enqueue(job.id());
        }
    }

    /**
     * Validates, binds and queues a job. With an idempotency key, a retry of the same spec returns
     * the job accepted first; the same key with another spec is a conflict.
     */
    public Job submit(JobSpec spec, Optional<String> idempotencyKey) {
        return submit(spec, idempotencyKey, null);
    }

    /** {@code submittedBy}: who submits it, as the job and its snapshot record. */
    public Job submit(JobSpec spec, Optional<String> idempotencyKey, String submittedBy) {
        String specSha256 = sha256(JobStore.toJson(spec));
        if (idempotencyKey.isPresent()) {
            Optional<Job> existing = store.findByIdempotencyKey(idempotencyKey.get());
            if (existing.isPresent()) {
                return sameSpecOrConflict(existing.get(), specSha256);
            }
        }
        binder.bind(spec);
        Job job = Job.queued(newJobId(), idempotencyKey.orElse(null), specSha256, spec, Instant.now(), submittedBy);
        Job stored = store.insertOrExisting(job);
        if (!stored.id().equals(job.id())) {
            return sameSpecOrConflict(stored, specSha256);
        }
        enqueue(stored.id());
        return stored;
    }

    private static Job sameSpecOrConflict(Job existing, String specSha256) {
        if (!existing.specSha256().equals(specSha256)) {
            throw new KilnException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "Idempotency-Key was already used for job " + existing.id() + " with a different spec");
        }
        return existing;
    }

    public Job job(String id) {
        return store.find(id).orElseThrow(() -> new KilnException(ErrorCode.JOB_NOT_FOUND, "No job " + id));
    }

    public List<Job> jobs(int limit) {
        return store.list(limit);
    }

    private void end(Job job, RuntimeException e) {
        if (stopping) {
            // the job stays RUNNING: the next start runs it again, and its commit is idempotent
            LOG.infof("Job %s interrupted by shutdown; it runs again at the next start", job.id());
        }
        else if (e instanceof IngestPipeline.CancelledException) {
            update(job.ended(JobState.CANCELLED, Instant.now(), null));
        }
        else if (e instanceof KilnException failure) {
            LOG.warnf("Job %s FAILED: %s %s", job.id(), failure.code(), failure.getMessage());
            update(job.ended(JobState.FAILED, Instant.now(), new Job.JobError(failure.code().name(), failure.getMessage())));
        }
        else {
            LOG.errorf(e, "Job %s FAILED with an internal error", job.id());
            update(job.ended(JobState.FAILED, Instant.now(), new Job.JobError(ErrorCode.INTERNAL_ERROR.name(),
                    "Internal error; the service log has the details for job " + job.id())));
        }
    }

    /** Re-runs a published job on the same inputs into a scratch branch and compares digests; see {@link Reproduction}. */
    public Reproduction.Result reproduce(String id) {
        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(
                config.jobThreads(), config.batchSize(), config.batchBytes(), config.maxRecordBytes(), config.targetFileSizeBytes(), kilnVersion,
                    new io.kiln.source.DocumentLimits(config.documentParseTimeout(), config.maxRecordBytes(), config.documentMaxBytes()), config.zstdLevel()));
        return new Reproduction(catalog, publisher, binder, pipeline).run(job(id));
    }

    /** Whether a cancel was asked for the job, which still runs (it stops at its next batch). */
    public boolean cancelling(String id) {
        return cancelRequested.containsKey(id);
    }

    public Optional<JobProgress.Snapshot> progress(String id) {
        return Optional.ofNullable(running.get(id)).map(JobProgress::snapshot);
    }

    public synchronized Job cancel(String id) {
        Job job = job(id);
        if (job.state() == JobState.QUEUED) {
            Job cancelled = job.ended(JobState.CANCELLED, Instant.now(), null);
            update(cancelled);
            return cancelled;
        }
        if (job.state() == JobState.RUNNING) {
            cancelRequested.put(id, Boolean.TRUE);
            return job;
        }
        if (job.state() == JobState.AUDITING) {
            throw new KilnException(ErrorCode.JOB_NOT_CANCELLABLE, "Job " + id + " is AUDITING: its rows are written and staged, and the checks decide now");
        }
        throw new KilnException(ErrorCode.JOB_NOT_CANCELLABLE, "Job " + id + " is " + job.state() + " and cannot be cancelled");
    }

    /** Stores the job's new state; a job that ended is counted in the metrics and its OpenLineage event sent. */
    private void update(Job job) {
        store.update(job);
        if (job.state().isFinal()) {
            metrics.ended(job);
            lineage.ended(job);
        }
    }

    private void enqueue(String id) {
        if (workers != null) {
            workers.execute(() -> runSafely(id));
        }
    }

    private void runSafely(String id) {
        try {
            run(id);
        }
        catch (RuntimeException e) {
            LOG.errorf(e, "Job %s: unexpected failure", id);
        }
    }

    private void run(String id) {
        Job job;
        synchronized (this) {
            job = job(id);
            if (job.state() != JobState.QUEUED) {
                return;
            }
            job = job.running(Instant.now());
            update(job);
        }
        try {
            for (int attempt = 1;; attempt++) {
                try {
                    runOnce(job, attempt == 1);
                    return;
                }
                catch (Publication.StaleIndexException stale) {
                    if (attempt >= MAX_ATTEMPTS) {
                        throw new KilnException(ErrorCode.COMMIT_FAILED, "Other jobs kept publishing to " + job.table() + " while this one deduplicated; gave up after "
                                + attempt + " runs, and nothing was published");
                    }
                    LOG.infof("Job %s runs again: %s", id, stale.getMessage());
                    metrics.commitRetries("rerun", 1);
                    job = job.running(Instant.now());
                    update(job);
                }
            }
        }
        catch (RuntimeException e) {
            end(store.find(id).orElse(job), e); // as the store has it: audited counts and branch included
        }
        finally {
            running.remove(id);
            cancelRequested.remove(id);
        }
    }

    /**
     * One run of a job: bind, ingest, audit and publish. A job with fitted steps (duplicate filters)
     * decides against what the table held when it started, so such jobs of one table run one at a
     * time in this service, each start to publish; another process's publish meanwhile makes the
     * job run again ({@link Publication.StaleIndexException}). The first run of a job sends its
     * OpenLineage START event, once it is bound and its inputs are listed.
     */
    private void runOnce(Job job, boolean first) {
        JobProgress progress = new JobProgress();
        running.put(job.id(), progress);
        BoundJob bound;
        try {
            bound = bindAccepted(job);
        }
        catch (RuntimeException e) {
            if (first) {
                lineage.started(job, List.of()); // each run starts before it ends, in OpenLineage too
            }
            throw e;
        }
        if (first) {
            lineage.started(job, bound.inputs());
        }
        if (bound.chain().fittedGroups().isEmpty()) {
            ingestAndPublish(job, bound, progress);
            return;
        }
        ReentrantLock lock = fittedJobs.computeIfAbsent(bound.table().toString(), table -> new ReentrantLock(true));
        try {
            lock.lockInterruptibly();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestPipeline.CancelledException();
        }
        try {
            ingestAndPublish(job, bound, progress);
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Binds an accepted job again, to run it. Its suite is validated by the check engine again; an
     * engine that is restarting (it crashed) is waited for, {@link #ENGINE_WAITS} apart, instead of
     * failing the job.
     */
    private BoundJob bindAccepted(Job job) {
        for (int wait = 0;; wait++) {
            try {
                return binder.bind(job.spec());
            }
            catch (KilnException e) {
                if (e.code() == ErrorCode.CHECK_ENGINE_UNAVAILABLE && wait < ENGINE_WAITS.size() && checks.engine().isPresent()) {
                    LOG.warnf("Job %s waits %d s for the check engine (%s)", job.id(), ENGINE_WAITS.get(wait).toSeconds(), e.getMessage());
                    try {
                        Thread.sleep(ENGINE_WAITS.get(wait).toMillis());
                    }
                    catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IngestPipeline.CancelledException();
                    }
                    if (stopping || cancelRequested.containsKey(job.id())) {
                        throw new IngestPipeline.CancelledException();
                    }
                    continue;
                }
                String detail = e.violations().stream().map(v -> v.field() + " " + v.message()).reduce((a, b) -> a + "; " + b).orElse(e.getMessage());
                throw new KilnException(e.code() == ErrorCode.CHECK_ENGINE_UNAVAILABLE ? e.code() : ErrorCode.SOURCE_UNREADABLE,
                        "The job's spec no longer binds: " + detail);
            }
        }
    }

    private void ingestAndPublish(Job job, BoundJob bound, JobProgress progress) {
        String id = job.id();
        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(
                config.jobThreads(), config.batchSize(), config.batchBytes(), config.maxRecordBytes(), config.targetFileSizeBytes(), kilnVersion,
                new io.kiln.source.DocumentLimits(config.documentParseTimeout(), config.maxRecordBytes(), config.documentMaxBytes()), config.zstdLevel()));
        Map<String, String> provenance = job.submittedBy() == null ? Map.of() : Map.of(IngestPipeline.SUBMITTED_BY, job.submittedBy());
        IngestPipeline.Result result = pipeline.run(id, bound, progress, () -> stopping || cancelRequested.containsKey(id), Optional.empty(), provenance);
        Job.Counts counts = new Job.Counts(result.read(), result.written(), result.rejected(), result.merged());
        if (result.publishedSnapshotId().isPresent()) {
            // an earlier run of this job published before the service stopped: its snapshot records the audit
            Publication.RecordedAudit audit = Publication.recordedAudit(result.table(), result.publishedSnapshotId().get());
            update(job.published(Instant.now(), result.publishedSnapshotId().get(), audit.auditedSnapshotId().orElse(null), result.inputBytes(), counts,
                    result.rejectedByReason(), result.steps(), audit.checks()));
            return;
        }
        Job auditing = job.auditing(Instant.now(), result.staged().orElseThrow().snapshotId(), result.staged().get().branch(), result.inputBytes(), counts,
                result.rejectedByReason(), result.steps());
        update(auditing);
        running.remove(id);
        Publication.Outcome outcome = publication.run(id, bound, result);
        metrics.commitRetries("restage", outcome.restages());
        if (outcome.published()) {
            update(auditing.published(Instant.now(), outcome.snapshotId(), outcome.auditedSnapshotId(), result.inputBytes(), counts,
                    result.rejectedByReason(), result.steps(), outcome.checks()));
            LOG.infof("Job %s PUBLISHED snapshot %d of %s (audited %d): read %d, written %d, rejected %d", id, outcome.snapshotId(), bound.table(),
                    outcome.auditedSnapshotId(), result.read(), result.written(), result.rejected());
        }
        else {
            update(auditing.rejected(Instant.now(), outcome.auditedSnapshotId(), outcome.branch(), outcome.checks()));
            LOG.infof("Job %s REJECTED by its checks; %s unchanged, batch kept on branch %s", id, bound.table(), outcome.branch());
        }
    }

    private static String newJobId() {
        return "job-" + UUID.randomUUID();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
