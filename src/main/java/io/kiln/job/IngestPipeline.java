package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;

import com.fasterxml.jackson.core.type.TypeReference;

import io.kiln.check.RowRules;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.ContentDigest;
import io.kiln.lake.IcebergTypes;
import io.kiln.lake.IdSegments;
import io.kiln.lake.LakeWriter;
import io.kiln.lake.Publisher;
import io.kiln.lake.SummaryJson;
import io.kiln.lake.TableLayout;
import io.kiln.source.DocumentLimits;
import io.kiln.transform.Column;
import io.kiln.transform.TransformChain;

/**
 * Runs one bound job, in four parts that each read alone:
 * <ol>
 * <li>plan ({@link InputPlan}): every input hashed;</li>
 * <li>fit ({@link FittedPasses}): one pass over the inputs per run of fitted steps (duplicate
 * filters, statistics);</li>
 * <li>write ({@link BatchWriter} over {@link InputPasses}): the pass that transforms and writes
 * rows and rejects;</li>
 * <li>commit (here): reconcile, the snapshot summaries, the rejects and the rows staged on the
 * job's audit branch of each table.</li>
 * </ol>
 * Records are read on the calling thread in batches; batches are transformed on {@code threads}
 * threads and written in input order, so the rows, the files and the content digest do not depend
 * on the thread count or the batch size. At most {@code 2 x threads} batches are in flight: memory
 * is bounded whatever the input size.
 */
public final class IngestPipeline {
    public static final String EXTRACT_STEP = BatchWriter.EXTRACT_STEP;
    /** The column a chunking step sets; the row's position then names the chunk. */
    public static final String CHUNK_INDEX = BatchWriter.CHUNK_INDEX;
    /** Up to this many inputs, the snapshot summary lists them ({@code kiln.input-manifest}); beyond, a file does ({@code kiln.input-manifest-file}). */
    public static final int MANIFEST_INLINE_LIMIT = InputPlan.MANIFEST_INLINE_LIMIT;
    public static final String INPUT_MANIFEST = InputPlan.INPUT_MANIFEST;
    public static final String INPUT_MANIFEST_FILE = InputPlan.INPUT_MANIFEST_FILE;
    /** Snapshot summary key: the id of the table schema the job's rows were written with. */
    public static final String SCHEMA_ID = "kiln.schema-id";
    /** The summary key of the content digest's format ({@link BatchWriter#digestFormat(BoundJob)}). */
    public static final String CONTENT_DIGEST_FORMAT = "kiln.content-digest-format";
    /** Snapshot summary key: records of lookup files that joined rows (read, and neither written nor rejected themselves). */
    public static final String ROWS_MERGED = "kiln.rows-merged";
    /** Snapshot summary key: who submitted the job (an API key's name, or {@code anonymous} without authentication). */
    public static final String SUBMITTED_BY = "kiln.submitted-by";
    /** Snapshot summary key: what each join did, as JSON ({@link Joins.Statistics}). */
    public static final String JOINS = "kiln.joins";

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(IngestPipeline.class);

    private final Publisher publisher;
    private final Settings settings;

    public IngestPipeline(Publisher publisher, Settings settings) {
        this.publisher = requireNonNull(publisher, "publisher is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /**
     * How a pipeline runs; none of these may change the rows it writes. {@code batchBytes}: a batch ends at
     * {@code batchSize} records or once its records hold this many bytes. {@code zstdLevel}: the compression level of
     * the tables it creates (their files' size, not their rows).
     */
    public record Settings(int threads, int batchSize, long batchBytes, int maxRecordBytes, long targetFileSizeBytes, String kilnVersion,
            DocumentLimits documentLimits, int zstdLevel) {
        /** The default of {@code kiln.batch-bytes}. */
        public static final long DEFAULT_BATCH_BYTES = 512 * 1024;

        public Settings(int threads, int batchSize, int maxRecordBytes, long targetFileSizeBytes, String kilnVersion, DocumentLimits documentLimits,
                int zstdLevel) {
            this(threads, batchSize, DEFAULT_BATCH_BYTES, maxRecordBytes, targetFileSizeBytes, kilnVersion, documentLimits, zstdLevel);
        }

        public Settings(int threads, int batchSize, int maxRecordBytes, long targetFileSizeBytes, String kilnVersion) {
            this(threads, batchSize, maxRecordBytes, targetFileSizeBytes, kilnVersion, DocumentLimits.defaults(maxRecordBytes));
        }

        public Settings(int threads, int batchSize, int maxRecordBytes, long targetFileSizeBytes, String kilnVersion, DocumentLimits documentLimits) {
            this(threads, batchSize, maxRecordBytes, targetFileSizeBytes, kilnVersion, documentLimits, TableLayout.DEFAULT_ZSTD_LEVEL);
        }

        public Settings {
            requireNonNull(documentLimits, "documentLimits is null");
            if (threads < 1 || batchSize < 1 || batchBytes < 1 || maxRecordBytes < 1 || targetFileSizeBytes < 1) {
                throw new IllegalArgumentException("threads, batch sizes, record and file sizes must be positive");
            }
            if (zstdLevel < 1 || zstdLevel > 22) {
                throw new IllegalArgumentException("zstd level must be 1 to 22, was " + zstdLevel);
            }
            requireNonNull(kilnVersion, "kilnVersion is null");
        }
    }

    /**
     * What the pipeline did: its files staged on the job's audit branch, or, for a retried job
     * whose earlier run got as far as publishing, the snapshot it published.
     */
    public record Result(Optional<Publisher.Staged> staged, Optional<Long> publishedSnapshotId, Table table, Table rejectsTable,
            long read, long written, long rejected, Map<String, Long> rejectedByReason,
            List<TransformChain.StepStatistics> steps, String contentDigest, long inputBytes, long split, Optional<RowRules.Profile> rowRules, long merged) {}

    /** Thrown when the job was cancelled before it committed; nothing was committed. */
    public static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("cancelled");
        }
    }

    public Result run(String jobId, BoundJob job, JobProgress progress, BooleanSupplier cancelled) {
        return run(jobId, job, progress, cancelled, Optional.empty());
    }

    /**
     * {@code reproducing}: the summary of the snapshot a reproduction re-runs; the rows are then
     * staged on the run's branch only, rejects are not committed anywhere, an earlier publish of the
     * same id is not looked for, and fitted steps start from the states the original job started from.
     */
    public Result run(String jobId, BoundJob job, JobProgress progress, BooleanSupplier cancelled, Optional<Map<String, String>> reproducing) {
        return run(jobId, job, progress, cancelled, reproducing, Map.of());
    }

    /** {@code provenance}: summary entries that say who asked for the job ({@link #SUBMITTED_BY}), in both tables' snapshots. */
    public Result run(String jobId, BoundJob job, JobProgress progress, BooleanSupplier cancelled, Optional<Map<String, String>> reproducing,
            Map<String, String> provenance) {
        boolean scratch = reproducing.isPresent();
        InputPlan plan = InputPlan.of(job.inputs(), progress, cancelled);
        List<Column> columns = job.tableColumns();
        Table table = publisher.loadOrCreate(job.table(), IcebergTypes.schema(columns),
                TableLayout.properties(settings.targetFileSizeBytes(), job.textSource() ? "text" : "rows",
                        settings.zstdLevel()));
        table = publisher.ensureSchema(table, columns, job.chain().tableProperties());
        Table rejectsTable = publisher.loadOrCreate(TableLayout.rejectsOf(job.table()), TableLayout.REJECTS,
                TableLayout.properties(settings.targetFileSizeBytes(), TableLayout.REJECTS_KIND, settings.zstdLevel()));

        // rejects of published jobs that have not joined main do now: this job's own, if its rows were
        // published before the service stopped, and any whose merge failed after their publish
        if (!scratch && publisher.mergeRejectsOfPublished(table, rejectsTable) > 0) {
            LOG.infof("Rejects of published jobs joined main of %s", rejectsTable.name());
        }
        Optional<Long> alreadyPublished = scratch ? Optional.empty() : publisher.findPublished(table, jobId);
        if (alreadyPublished.isPresent()) {
            return resultFromSnapshot(table, rejectsTable, alreadyPublished.get(), job.chain(), plan);
        }

        progress.reading();
        progress.steps(job.chain()::statistics);
        LakeWriter writer = new LakeWriter(table, rejectsTable, jobId, job.recipe().sha256(), settings.targetFileSizeBytes());
        ExecutorService executor = settings.threads() > 1 ? PipelineThreads.limited(settings.threads()) : null;
        try {
            InputPasses passes = new InputPasses(plan, job.format(), job.readOptions().withLimits(settings.maxRecordBytes(), settings.documentLimits()),
                    settings.batchSize(), settings.batchBytes(), settings.threads(), executor, cancelled, job.joins());
            Optional<FittedPasses> fitted = FittedPasses.prepare(job.chain(), table, reproducing);
            progress.passes(2 + job.chain().fittedGroups().size());
            if (fitted.isPresent()) {
                progress.deduplicating();
                fitted.get().fit(passes, progress::addBytesRead);
                progress.reading();
            }
            int digestFormat = reproducing.map(IngestPipeline::digestFormat).orElse(BatchWriter.digestFormat(job));
            BatchWriter batches = new BatchWriter(job, jobId, writer, progress, digestFormat);
            Function<List<InputPasses.Item>, TransformChain.FitGate> gates = fitted.<Function<List<InputPasses.Item>, TransformChain.FitGate>>map(f -> f::gate).orElse(null);
            Optional<Joins.Pass> joined = passes.pass(progress::addBytesRead, batch -> batches.transform(batch, gates), batches::write);
            if (cancelled.getAsBoolean()) {
                throw new CancelledException();
            }
            progress.committing();
            LakeWriter.WrittenFiles files = writer.finish();
            BatchWriter.Tally tally = batches.tally();
            joined.ifPresent(pass -> tally.merged(pass.merged()));
            if (!tally.reconciles()) {
                throw new KilnException(ErrorCode.RECONCILIATION_FAILED, "Counts do not reconcile: read " + tally.read + " + split " + tally.split
                        + " != written " + tally.written + " + rejected " + tally.rejected + " + merged " + tally.merged);
            }
            Map<String, String> manifest = plan.manifest(table, jobId);
            Map<String, String> summary = summary(job, plan, tally, tally.written, tally.digest, digestFormat);
            summary.putAll(manifest);
            joined.ifPresent(pass -> summary.put(JOINS, SummaryJson.write(pass.statistics())));
            summary.put(SCHEMA_ID, Integer.toString(table.schema().schemaId()));
            summary.putAll(provenance);
            Map<String, String> rejectsSummary = summary(job, plan, tally, tally.rejected, tally.rejectsDigest, digestFormat);
            rejectsSummary.putAll(manifest);
            rejectsSummary.put(Publisher.REJECTS_OF, job.table().toString());
            rejectsSummary.putAll(provenance);
            if (fitted.isPresent()) {
                summary.putAll(fitted.get().writeStates(table, jobId));
            }
            for (RowRules.Uniqueness unique : tally.profile.uniqueness()) {
                // settles the IsUnique rules; the distinct ones' hashes are the batch's part of the table's id index
                Optional<java.nio.LongBuffer> hashes = tally.profile.sortedHashes(unique.rule());
                if (hashes.isPresent()) {
                    summary.putAll(IdSegments.write(table, unique.rule().column(), jobId, hashes.get()));
                }
            }
            Publisher.Staged staged = commit(jobId, job, table, rejectsTable, writer, files, summary, rejectsSummary, scratch);
            return new Result(Optional.of(staged), Optional.empty(), table, rejectsTable, tally.read, tally.written, tally.rejected, tally.byReason,
                    job.chain().statistics(), tally.digest.value(), plan.totalBytes(), tally.split, Optional.of(tally.profile), tally.merged);
        }
        catch (RuntimeException e) {
            if (!(e instanceof KilnException k && k.code() == ErrorCode.COMMIT_STATE_UNKNOWN)) {
                writer.abort();
            }
            throw e;
        }
        finally {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }

    /**
     * Stages the rejects (unless a reproduction: then they are deleted) and the rows, each on the
     * job's audit branch of its table. The rejects join main with the rows' publish ({@link Publisher#mergeStaged}).
     */
    private Publisher.Staged commit(String jobId, BoundJob job, Table table, Table rejectsTable, LakeWriter writer, LakeWriter.WrittenFiles files,
            Map<String, String> summary, Map<String, String> rejectsSummary, boolean scratch) {
        try {
            if (scratch) {
                files.rejects().forEach(file -> rejectsTable.io().deleteFile(file.location()));
            }
            else {
                publisher.stage(rejectsTable, jobId, files.rejects(), rejectsSummary);
            }
            return publisher.stage(table, jobId, files.rows(), summary);
        }
        catch (CommitStateUnknownException e) {
            // the files may be referenced now: keep them; a retry finds the snapshot by job id
            throw new KilnException(ErrorCode.COMMIT_STATE_UNKNOWN, "The catalog did not confirm the commit; retry the job to find out whether it landed");
        }
        catch (CommitFailedException e) {
            if (!scratch) {
                publisher.discardStaged(rejectsTable, jobId);
            }
            writer.abort();
            throw new KilnException(ErrorCode.COMMIT_FAILED, "The commit to " + job.table() + " failed: " + e.getMessage());
        }
    }

    /** The snapshot summary of either table; {@code rowsWritten} and {@code digest} are of the rows that table gets. */
    private Map<String, String> summary(BoundJob job, InputPlan plan, BatchWriter.Tally tally, long rowsWritten, ContentDigest digest, int digestFormat) {
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("kiln.version", settings.kilnVersion());
        summary.put("kiln.table", job.table().toString());
        summary.put("kiln.source-uri", job.sourceUri());
        summary.put("kiln.recipe", job.recipe().sha256());
        summary.put("kiln.recipe-spec", job.recipe().canonical());
        summary.put("kiln.input-digest", plan.digest());
        summary.put("kiln.input-files", Integer.toString(plan.inputs().size()));
        summary.put("kiln.rows-read", Long.toString(tally.read));
        summary.put("kiln.rows-written", Long.toString(rowsWritten));
        summary.put("kiln.rows-rejected", Long.toString(tally.rejected));
        if (tally.split != 0) {
            summary.put("kiln.rows-split", Long.toString(tally.split));
        }
        if (tally.merged != 0) {
            summary.put(ROWS_MERGED, Long.toString(tally.merged));
        }
        Map<String, Map<String, Long>> counted = new TreeMap<>();
        job.chain().statistics().forEach(step -> {
            if (!step.counted().isEmpty()) {
                counted.put(step.step(), new TreeMap<>(step.counted()));
            }
        });
        if (!counted.isEmpty()) {
            summary.put("kiln.step-counts", SummaryJson.write(counted));
        }
        summary.putAll(job.chain().summaryProperties());
        summary.put("kiln.rejected-by-reason", SummaryJson.write(tally.byReason));
        summary.put("kiln.content-digest", digest.value());
        summary.put("kiln.content-state", digest.state());
        summary.put(CONTENT_DIGEST_FORMAT, Integer.toString(digestFormat));
        return summary;
    }

    /** The format of a snapshot's content digest: its {@value #CONTENT_DIGEST_FORMAT}, 1 when it has none (written before the key). */
    static int digestFormat(Map<String, String> summary) {
        String format = summary.get(CONTENT_DIGEST_FORMAT);
        if (format == null) {
            return 1;
        }
        if (!format.matches("[1-9]") || Integer.parseInt(format) > BatchWriter.DIGEST_FORMAT) {
            throw new KilnException(ErrorCode.INVALID_REQUEST, "The snapshot's content digest has format " + format + ", which this Kiln does not compute (it"
                    + " computes 1 to " + BatchWriter.DIGEST_FORMAT + "): it was written by a later Kiln");
        }
        return Integer.parseInt(format);
    }

    private Result resultFromSnapshot(Table table, Table rejectsTable, long snapshotId, TransformChain chain, InputPlan plan) {
        Map<String, String> summary = table.snapshot(snapshotId).summary();
        return new Result(Optional.empty(), Optional.of(snapshotId), table, rejectsTable,
                Long.parseLong(summary.getOrDefault("kiln.rows-read", "0")),
                Long.parseLong(summary.getOrDefault("kiln.rows-written", "0")),
                Long.parseLong(summary.getOrDefault("kiln.rows-rejected", "0")),
                rejectedByReason(summary.get("kiln.rejected-by-reason")), chain.statistics(), summary.getOrDefault("kiln.content-digest", ""),
                plan.totalBytes(), Long.parseLong(summary.getOrDefault("kiln.rows-split", "0")), Optional.empty(),
                Long.parseLong(summary.getOrDefault(ROWS_MERGED, "0")));
    }

    private static Map<String, Long> rejectedByReason(String json) {
        return SummaryJson.read(json, new TypeReference<TreeMap<String, Long>>() {}).<Map<String, Long>>map(counts -> counts).orElse(Map.of());
    }
}
