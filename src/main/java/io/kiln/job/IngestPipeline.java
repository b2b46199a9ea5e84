package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;


import io.kiln.check.RowRules;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.ContentDigest;
import io.kiln.lake.IdSegments;
import io.kiln.lake.LakeWriter;
import io.kiln.lake.Publisher;
import io.kiln.lake.SummaryJson;
import io.kiln.lake.TableLayout;
import io.kiln.source.HashingInput;
import io.kiln.source.InputFile;
import io.kiln.source.RecordReader;
import io.kiln.source.SourceRecord;
import io.kiln.source.Sources;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.TransformChain;
import io.kiln.transform.Values;

/**
 * Runs one bound job: plan (hash every input), extract, transform, write, reconcile, commit.
 *
 * <p>Records are read on the calling thread in batches; batches are transformed on
 * {@code threads} threads and written in input order, so the rows, the files and the content
 * digest do not depend on the thread count or the batch size. At most {@code 2 x threads}
 * batches are in flight: memory is bounded whatever the input size.
 */
public final class IngestPipeline {
    public static final String EXTRACT_STEP = "extract";
    /** The column a chunking step sets; the row's position then names the chunk. */
    public static final String CHUNK_INDEX = "chunk_index";
    /** Up to this many inputs, the snapshot summary lists them ({@code kiln.input-manifest}); beyond, a file does ({@code kiln.input-manifest-file}). */
    public static final int MANIFEST_INLINE_LIMIT = 1000;
    public static final String INPUT_MANIFEST = "kiln.input-manifest";
    public static final String INPUT_MANIFEST_FILE = TableLayout.INPUT_MANIFEST_FILE;
    /** Snapshot summary key: the id of the table schema the job's rows were written with. */
    public static final String SCHEMA_ID = "kiln.schema-id";

    private final Publisher publisher;
    private final Settings settings;

    public IngestPipeline(Publisher publisher, Settings settings) {
        this.publisher = requireNonNull(publisher, "publisher is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** How a pipeline runs; none of these may change what it writes. */
    public record Settings(int threads, int batchSize, int maxRecordBytes, long targetFileSizeBytes, String kilnVersion, io.kiln.source.DocumentLimits documentLimits) {
        public Settings(int threads, int batchSize, int maxRecordBytes, long targetFileSizeBytes, String kilnVersion) {
            this(threads, batchSize, maxRecordBytes, targetFileSizeBytes, kilnVersion, io.kiln.source.DocumentLimits.defaults(maxRecordBytes));
        }

        public Settings {
            requireNonNull(documentLimits, "documentLimits is null");
            if (threads < 1 || batchSize < 1 || maxRecordBytes < 1 || targetFileSizeBytes < 1) {
                throw new IllegalArgumentException("threads, batch size, record and file sizes must be positive");
            }
            requireNonNull(kilnVersion, "kilnVersion is null");
        }
    }

    /**
     * What the pipeline did: its files staged on the job's audit branch, or, for a retried job
     * whose earlier run got as far as publishing, the snapshot it published.
     */
    public record Result(Optional<Publisher.Staged> staged, Optional<Long> publishedSnapshotId, Table table,
            long read, long written, long rejected, Map<String, Long> rejectedByReason,
            List<TransformChain.StepStatistics> steps, String contentDigest, long inputBytes, long split, Optional<RowRules.Profile> rowRules) {}

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
     * {@code scratch}: a reproduction: the rows are staged on the run's branch only, rejects are
     * not committed anywhere, and an earlier publish of the same id is not looked for.
     */
    public Result run(String jobId, BoundJob job, JobProgress progress, BooleanSupplier cancelled, Optional<Map<String, String>> reproducing) {
        boolean scratch = reproducing.isPresent();
        List<PlannedInput> inputs = plan(job.inputs(), progress, cancelled);
        List<io.kiln.transform.Column> columns = job.tableColumns();
        Table table = publisher.loadOrCreate(job.table(), io.kiln.lake.IcebergTypes.schema(columns), TableLayout.properties(settings.targetFileSizeBytes()));
        table = publisher.ensureSchema(table, columns, job.chain().tableProperties());
        Table rejectsTable = publisher.loadOrCreate(TableLayout.rejectsOf(job.table()), TableLayout.REJECTS, TableLayout.properties(settings.targetFileSizeBytes()));

        Optional<Long> alreadyPublished = scratch ? Optional.empty() : publisher.findPublished(table, jobId);
        if (alreadyPublished.isPresent()) {
            return resultFromSnapshot(table, alreadyPublished.get(), job.chain(), inputs);
        }

        progress.reading();
        progress.steps(job.chain()::statistics);
        LakeWriter writer = new LakeWriter(table, rejectsTable, jobId, job.recipe().sha256(), settings.targetFileSizeBytes());
        ExecutorService executor = settings.threads() > 1 ? Executors.newFixedThreadPool(settings.threads(), daemonThreads(jobId)) : null;
        Tally tally = new Tally(job.checks().rowRules());
        try {
            Optional<Deduplication> dedup = Deduplication.prepare(job.chain(), table, reproducing);
            if (dedup.isPresent()) {
                progress.deduplicating();
                Deduplication deduplication = dedup.get();
                forEachBatch(inputs, job, bytes -> {}, cancelled, executor,
                        batch -> deduplication.signatures(batch),
                        deduplication::add);
                deduplication.decide();
                progress.reading();
            }
            java.util.function.Function<List<Item>, TransformChain.DuplicateGate> gates = dedup.<java.util.function.Function<List<Item>, TransformChain.DuplicateGate>>map(d -> d::gate).orElse(null);
            forEachBatch(inputs, job, progress::addBytesRead, cancelled, executor,
                    batch -> transform(job.chain(), job.recipe().sha256(), jobId, job.checks().rowRules(), batch, gates),
                    result -> write(result, writer, job.recipe().sha256(), job.typed(), tally, progress));
            if (cancelled.getAsBoolean()) {
                throw new CancelledException();
            }
            progress.committing();
            LakeWriter.WrittenFiles files = writer.finish();
            if (tally.read + tally.split != tally.written + tally.rejected) {
                throw new KilnException(ErrorCode.RECONCILIATION_FAILED, "Counts do not reconcile: read " + tally.read + " + split " + tally.split
                        + " != written " + tally.written + " + rejected " + tally.rejected);
            }
            Map<String, String> manifest = inputManifest(table, jobId, inputs);
            Map<String, String> summary = summary(job, inputs, tally, tally.written, tally.digest);
            summary.putAll(manifest);
            summary.put(SCHEMA_ID, Integer.toString(table.schema().schemaId()));
            Map<String, String> rejectsSummary = summary(job, inputs, tally, tally.rejected, tally.rejectsDigest);
            rejectsSummary.putAll(manifest);
            rejectsSummary.put("kiln.rejects-of", job.table().toString());
            if (dedup.isPresent()) {
                summary.putAll(dedup.get().writeSegments(table, jobId));
            }
            for (RowRules.Uniqueness unique : tally.profile.uniqueness()) {
                // settles the IsUnique rules; the distinct ones' hashes are the batch's part of the table's id index
                Optional<java.nio.LongBuffer> hashes = tally.profile.sortedHashes(unique.rule());
                if (hashes.isPresent()) {
                    summary.putAll(IdSegments.write(table, unique.rule().column(), jobId, hashes.get()));
                }
            }
            Publisher.Staged staged;
            try {
                if (scratch) {
                    files.rejects().forEach(file -> rejectsTable.io().deleteFile(file.location()));
                }
                else {
                    publisher.commitUnaudited(rejectsTable, jobId, files.rejects(), rejectsSummary);
                }
                staged = publisher.stage(table, jobId, files.rows(), summary);
            }
            catch (CommitStateUnknownException e) {
                // the files may be referenced now: keep them; a retry finds the snapshot by job id
                throw new KilnException(ErrorCode.COMMIT_STATE_UNKNOWN, "The catalog did not confirm the commit; retry the job to find out whether it landed");
            }
            catch (CommitFailedException e) {
                writer.abort();
                throw new KilnException(ErrorCode.COMMIT_FAILED, "The commit to " + job.table() + " failed: " + e.getMessage());
            }
            return new Result(Optional.of(staged), Optional.empty(), table, tally.read, tally.written, tally.rejected, tally.byReason,
                    job.chain().statistics(), tally.digest.value(), totalBytes(inputs), tally.split,
                    Optional.of(tally.profile));
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

    record PlannedInput(InputFile file, String sha256) {}

    /** A record of input {@code fileIndex} (in the sorted inputs), the {@code ordinal}-th of its file. */
    record Item(PlannedInput input, int fileIndex, long ordinal, SourceRecord record) {}

    /** One batch, transformed: per item its chain result (null for a malformed record), in input order, and the digest of the rows to write. */
    private record BatchResult(List<Item> items, List<TransformChain.Result> results, ContentDigest digest, RowRules.Profile profile) {}

    private List<PlannedInput> plan(List<InputFile> files, JobProgress progress, BooleanSupplier cancelled) {
        progress.planning(files.stream().mapToLong(InputFile::size).sum());
        List<PlannedInput> planned = new ArrayList<>(files.size());
        for (InputFile file : files) {
            if (cancelled.getAsBoolean()) {
                throw new CancelledException();
            }
            try (HashingInput input = HashingInput.open(file, progress::addBytesHashed)) {
                planned.add(new PlannedInput(file, input.finish()));
            }
            catch (IOException e) {
                throw new KilnException(ErrorCode.SOURCE_UNREADABLE, "Cannot read " + file.uri() + ": " + e.getMessage(), e);
            }
        }
        return planned;
    }

    /**
     * Reads every input in order, in batches; {@code work} runs on the executor (at most
     * {@code 2 x threads} batches in flight) and {@code consume} on this thread, in input order.
     */
    private <T> void forEachBatch(List<PlannedInput> inputs, BoundJob job, java.util.function.LongConsumer bytesRead, BooleanSupplier cancelled,
            ExecutorService executor, java.util.function.Function<List<Item>, T> work, java.util.function.Consumer<T> consume) {
        Deque<Future<T>> inFlight = new ArrayDeque<>();
        List<Item> batch = new ArrayList<>(settings.batchSize());
        io.kiln.source.ReadOptions readOptions = job.readOptions().withLimits(settings.maxRecordBytes(), settings.documentLimits());
        for (int fileIndex = 0; fileIndex < inputs.size(); fileIndex++) {
            PlannedInput input = inputs.get(fileIndex);
            try (RecordReader reader = job.format().open(input.file(), input.sha256(), readOptions, bytesRead)) {
                Optional<SourceRecord> record;
                long ordinal = 0;
                while ((record = reader.next()).isPresent()) {
                    batch.add(new Item(input, fileIndex, ordinal++, record.get()));
                    if (batch.size() == settings.batchSize()) {
                        if (cancelled.getAsBoolean()) {
                            throw new CancelledException();
                        }
                        submit(executor, work, batch, inFlight);
                        batch = new ArrayList<>(settings.batchSize());
                        while (inFlight.size() > 2 * settings.threads()) {
                            consume.accept(await(inFlight.removeFirst()));
                        }
                    }
                }
                String sha256 = reader.finish();
                if (!sha256.equals(input.sha256())) {
                    throw new KilnException(ErrorCode.SOURCE_CHANGED, "Input " + input.file().uri() + " changed while the job read it (sha256 " + input.sha256() + " when planned, " + sha256 + " when read)");
                }
            }
            catch (IOException e) {
                throw new KilnException(ErrorCode.SOURCE_UNREADABLE, "Cannot read " + input.file().uri() + ": " + e.getMessage(), e);
            }
        }
        if (!batch.isEmpty()) {
            submit(executor, work, batch, inFlight);
        }
        while (!inFlight.isEmpty()) {
            consume.accept(await(inFlight.removeFirst()));
        }
    }

    private static <T> void submit(ExecutorService executor, java.util.function.Function<List<Item>, T> work, List<Item> batch, Deque<Future<T>> inFlight) {
        if (executor == null) {
            inFlight.addLast(CompletableFuture.completedFuture(work.apply(batch)));
        }
        else {
            inFlight.addLast(executor.submit(() -> work.apply(batch)));
        }
    }

    private static BatchResult transform(TransformChain chain, String recipe, String jobId, List<RowRules.Rule> rowRules, List<Item> batch,
            java.util.function.Function<List<Item>, TransformChain.DuplicateGate> gates) {
        RowRules.Profile profile = new RowRules.Profile(rowRules);
        List<Row> rows = new ArrayList<>(batch.size());
        List<Item> parsedItems = new ArrayList<>(batch.size());
        for (Item item : batch) {
            if (item.record() instanceof SourceRecord.Parsed parsed) {
                rows.add(parsed.row());
                parsedItems.add(item);
            }
        }
        List<TransformChain.Result> chained = gates == null ? chain.runAll(rows) : chain.runAll(rows, gates.apply(parsedItems));
        List<TransformChain.Result> results = new ArrayList<>(batch.size());
        ContentDigest digest = new ContentDigest();
        int next = 0;
        for (Item item : batch) {
            if (item.record() instanceof SourceRecord.Parsed parsed) {
                TransformChain.Result result = chained.get(next++);
                for (Row row : result.rows()) {
                    String position = position(parsed.position(), row);
                    digest.add(digestFields(row, item.input().file().uri(), item.input().sha256(), position, recipe));
                    if (!profile.isEmpty()) {
                        profile.accept(column -> columnValue(row, column, item, position, jobId, recipe));
                    }
                }
                results.add(result);
            }
            else {
                results.add(null);
            }
        }
        return new BatchResult(batch, results, digest, profile);
    }

    /** A column of a row as the table will hold it, by name: for the row rules checked while writing. */
    private static Object columnValue(Row row, String column, Item item, String position, String jobId, String recipe) {
        switch (column) {
            case "id":
                return row.id();
            case TableLayout.SOURCE_URI:
                return item.input().file().uri();
            case TableLayout.SOURCE_SHA256:
                return item.input().sha256();
            case TableLayout.SOURCE_POSITION:
                return position;
            case TableLayout.JOB_ID:
                return jobId;
            case TableLayout.RECIPE:
                return recipe;
            default:
                return row.value(column).orElse(null);
        }
    }

    /** Where a row came from in its input: the record's position, and for a chunk its index. */
    static String position(String recordPosition, Row row) {
        Object chunk = row.columns().get(CHUNK_INDEX);
        return chunk == null ? recordPosition : recordPosition + "/chunk:" + chunk;
    }

    /**
     * A row as the content digest sees it: the id, the {@code text} column (null when the row has
     * none), the lineage columns, then every other column that has a value, by name, with its
     * canonical text ({@link Values#digestText}). Text rows thus digest as they did before rows
     * had types.
     */
    static String[] digestFields(Row row, String uri, String sha256, String position, String recipe) {
        Map<String, Object> columns = row.columns();
        Object text = columns.get(Row.TEXT);
        String[] fields = new String[6 + 2 * (columns.size() - (text == null ? 0 : 1))];
        fields[0] = row.id();
        fields[1] = text == null ? null : Values.digestText(text);
        fields[2] = uri;
        fields[3] = sha256;
        fields[4] = position;
        fields[5] = recipe;
        int i = 6;
        for (Map.Entry<String, Object> column : columns.entrySet()) {
            if (column.getKey().equals(Row.TEXT)) {
                continue;
            }
            fields[i++] = column.getKey();
            fields[i++] = Values.digestText(column.getValue());
        }
        return fields;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void write(BatchResult result, LakeWriter writer, String recipe, boolean typed, Tally tally, JobProgress progress) {
        long written = 0;
        long rejected = 0;
        for (int i = 0; i < result.items().size(); i++) {
            Item item = result.items().get(i);
            String uri = item.input().file().uri();
            String sha256 = item.input().sha256();
            if (item.record() instanceof SourceRecord.Malformed malformed) {
                writer.writeReject(EXTRACT_STEP, malformed.reason(), malformed.detail(), null, malformed.raw(), uri, sha256, malformed.position());
                tally.rejectsDigest.add(EXTRACT_STEP, malformed.reason(), malformed.detail(), null, malformed.raw(), uri, sha256, malformed.position(), recipe);
                tally.reject(EXTRACT_STEP + "/" + malformed.reason());
                rejected++;
                continue;
            }
            String recordPosition = item.record().position();
            TransformChain.Result chained = result.results().get(i);
            for (TransformChain.Dropped dropped : chained.dropped()) {
                Outcome.Drop drop = dropped.drop();
                String position = position(recordPosition, dropped.row());
                String record = rejectedRecord(dropped.row(), typed);
                writer.writeReject(drop.by().toString(), drop.reason(), drop.detail(), dropped.row().id(), record, uri, sha256, position);
                tally.rejectsDigest.add(drop.by().toString(), drop.reason(), drop.detail(), dropped.row().id(), record, uri, sha256, position, recipe);
                tally.reject(drop.by() + "/" + drop.reason());
                rejected++;
            }
            for (Row row : chained.rows()) {
                writer.writeRow(row, uri, sha256, position(recordPosition, row));
                written++;
            }
            tally.split += chained.expanded();
        }
        tally.read += result.items().size();
        tally.written += written;
        tally.digest.merge(result.digest());
        tally.profile.merge(result.profile());
        progress.addRecords(result.items().size(), written, rejected);
    }

    /** A dropped row as its reject keeps it: the text, for a row of text alone and the columns of its source format; else the whole row as JSON. */
    private static String rejectedRecord(Row row, boolean typed) {
        return typed ? Values.json(row) : row.value(Row.TEXT).map(Values::digestText).orElseGet(() -> Values.json(row));
    }

    /**
     * Every input with its sha256 and size: in the summary up to {@link #MANIFEST_INLINE_LIMIT} inputs,
     * else as a JSON-lines file beside the table's data, which the summary names.
     */
    private static Map<String, String> inputManifest(Table table, String jobId, List<PlannedInput> inputs) {
        if (inputs.size() <= MANIFEST_INLINE_LIMIT) {
            return Map.of(INPUT_MANIFEST, SummaryJson.write(inputs.stream().map(IngestPipeline::manifestEntry).toList()));
        }
        String location = table.location() + "/kiln-manifests/" + jobId + ".jsonl";
        try (java.io.Writer writer = new java.io.BufferedWriter(new java.io.OutputStreamWriter(
                table.io().newOutputFile(location).createOrOverwrite(), java.nio.charset.StandardCharsets.UTF_8))) {
            for (PlannedInput input : inputs) {
                writer.write(SummaryJson.write(manifestEntry(input)));
                writer.write('\n');
            }
        }
        catch (IOException e) {
            throw new KilnException(ErrorCode.COMMIT_FAILED, "Cannot write the input manifest " + location + ": " + e.getMessage(), e);
        }
        return Map.of(INPUT_MANIFEST_FILE, location);
    }

    /** One input of the manifest; a record, so its fields are written in this order every time. */
    record ManifestEntry(String uri, String sha256, long bytes) {}

    private static ManifestEntry manifestEntry(PlannedInput input) {
        return new ManifestEntry(input.file().uri(), input.sha256(), input.file().size());
    }

    private Map<String, String> summary(BoundJob job, List<PlannedInput> inputs, Tally tally, long rowsWritten, ContentDigest digest) {
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("kiln.version", settings.kilnVersion());
        summary.put("kiln.table", job.table().toString());
        summary.put("kiln.source-uri", job.sourceUri());
        summary.put("kiln.recipe", job.recipe().sha256());
        summary.put("kiln.recipe-spec", job.recipe().canonical());
        summary.put("kiln.input-digest", inputDigest(inputs));
        summary.put("kiln.input-files", Integer.toString(inputs.size()));
        summary.put("kiln.rows-read", Long.toString(tally.read));
        summary.put("kiln.rows-written", Long.toString(rowsWritten));
        summary.put("kiln.rows-rejected", Long.toString(tally.rejected));
        if (tally.split != 0) {
            summary.put("kiln.rows-split", Long.toString(tally.split));
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
        return summary;
    }

    /** The sha256 of a planned input, as the input manifest records it. */
    public static String sha256Of(InputFile file) {
        try {
            return HashingInput.sha256Hex(file);
        }
        catch (IOException e) {
            throw new KilnException(ErrorCode.SOURCE_UNREADABLE, "Cannot read " + file.uri() + ": " + e.getMessage(), e);
        }
    }

    /** sha256 over the sorted (uri, sha256) pairs of every input. */
    static String inputDigest(List<PlannedInput> inputs) {
        ContentDigest digest = new ContentDigest();
        inputs.forEach(input -> digest.add(input.file().uri(), input.sha256()));
        return digest.value();
    }

    private Result resultFromSnapshot(Table table, long snapshotId, TransformChain chain, List<PlannedInput> inputs) {
        Map<String, String> summary = table.snapshot(snapshotId).summary();
        return new Result(Optional.empty(), Optional.of(snapshotId), table,
                Long.parseLong(summary.getOrDefault("kiln.rows-read", "0")),
                Long.parseLong(summary.getOrDefault("kiln.rows-written", "0")),
                Long.parseLong(summary.getOrDefault("kiln.rows-rejected", "0")),
                rejectedByReason(summary.get("kiln.rejected-by-reason")), chain.statistics(), summary.getOrDefault("kiln.content-digest", ""),
                totalBytes(inputs), Long.parseLong(summary.getOrDefault("kiln.rows-split", "0")), Optional.empty());
    }

    private static long totalBytes(List<PlannedInput> inputs) {
        return inputs.stream().mapToLong(input -> input.file().size()).sum();
    }

    private static Map<String, Long> rejectedByReason(String json) {
        return SummaryJson.read(json, new com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, Long>>() {}).<Map<String, Long>>map(counts -> counts).orElse(Map.of());
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String jobId) {
        return runnable -> {
            Thread thread = new Thread(runnable, "kiln-transform-" + jobId);
            thread.setDaemon(true);
            return thread;
        };
    }

    private static final class Tally {
        private long read;
        private long written;
        private long rejected;
        private long split;
        private final RowRules.Profile profile;

        Tally(List<RowRules.Rule> rowRules) {
            this.profile = new RowRules.Profile(rowRules);
        }
        private final Map<String, Long> byReason = new TreeMap<>();
        private final ContentDigest digest = new ContentDigest();
        private final ContentDigest rejectsDigest = new ContentDigest();

        void reject(String key) {
            rejected++;
            byReason.merge(key, 1L, Long::sum);
        }
    }
}
