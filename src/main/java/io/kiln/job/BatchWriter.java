package io.kiln.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import io.kiln.check.RowRules;
import io.kiln.lake.ContentDigest;
import io.kiln.lake.LakeWriter;
import io.kiln.lake.TableLayout;
import io.kiln.source.SourceRecord;
import io.kiln.transform.Outcome;
import io.kiln.transform.Row;
import io.kiln.transform.TransformChain;
import io.kiln.transform.Values;

/**
 * The pass that writes: each batch is transformed on any thread ({@link #transform}: the chain,
 * the content digest of the rows to write and the row rules' profile), then written on the job's
 * thread in input order ({@link #write}): rows to the table, malformed records and dropped rows to
 * the rejects, each counted. What it counted ({@link Tally}) is what the snapshot summary says, and
 * read + split = written + rejected + merged (lookup records that joined rows) is checked on it.
 */
final class BatchWriter {
    static final String EXTRACT_STEP = SourceRecord.Malformed.EXTRACT;
    /** The column a chunking step sets; the row's position then names the chunk. */
    static final String CHUNK_INDEX = "chunk_index";

    private final TransformChain chain;
    private final String recipe;
    private final ContentDigest.Field recipeField;
    private final String jobId;
    private final List<RowRules.Rule> rowRules;
    private final boolean typed;
    private final LakeWriter writer;
    private final JobProgress progress;
    private final Tally tally;
    /** Whether rows are digested in format 3, their values by type ({@link #digestTyped}); else as text ({@link #digest}). */
    private final boolean digestByType;
    /** A column value's text in a content digest of format 1 or 2: its format's {@link Values#digestText}; null for format 3. */
    private final Function<Object, String> digestText;

    /** {@code digestFormat}: the content digest's format ({@link #digestFormat(BoundJob)}, or an earlier one to reproduce a snapshot digested in it). */
    BatchWriter(BoundJob job, String jobId, LakeWriter writer, JobProgress progress, int digestFormat) {
        this.chain = job.chain();
        this.recipe = job.recipe().sha256();
        this.recipeField = ContentDigest.Field.of(recipe);
        this.jobId = jobId;
        this.rowRules = job.checks().rowRules();
        this.typed = job.typed();
        this.writer = writer;
        this.progress = progress;
        this.tally = new Tally(rowRules);
        this.digestByType = digestFormat == DIGEST_FORMAT;
        this.digestText = switch (digestFormat) {
            case 1 -> Values::digestTextFormat1;
            case TEXT_DIGEST_FORMAT -> Values::digestText;
            case DIGEST_FORMAT -> null;
            default -> throw new IllegalArgumentException("no content digest format " + digestFormat);
        };
    }

    /**
     * The latest content digest format, recorded as {@code kiln.content-digest-format}: every job's but a text source's.
     * 3: a row is the sha256 of its input's URI, sha256 and the recipe, hashed once per input, then its id, its position
     * and each column with a value, by name, encoded by type ({@link ContentDigest#appendValue}): no value is made into
     * text, and a row is about a third of the bytes it is in format 2.
     */
    static final int DIGEST_FORMAT = 3;

    /**
     * The format of a text source's rows ({@code id} and {@code text}, and the columns of text steps), so that their
     * digests stay those they had since before rows had types. 2: every column as text ({@link Values#digestText}),
     * doubles and floats as their shortest text on every Java ({@link Values#numberText(double)}); 1, which snapshots
     * without the key have: as the running Java's {@code Double.toString} ({@link Values#digestTextFormat1}). Nothing else
     * differs between 1 and 2.
     */
    static final int TEXT_DIGEST_FORMAT = 2;

    /** The content digest format of a new job's rows: {@link #TEXT_DIGEST_FORMAT} for a text source's, {@link #DIGEST_FORMAT} for any other. */
    static int digestFormat(BoundJob job) {
        return job.textSource() ? TEXT_DIGEST_FORMAT : DIGEST_FORMAT;
    }

    Tally tally() {
        return tally;
    }

    /**
     * One batch, transformed: per item its chain result (null for a malformed record), in input order; the rows to write,
     * prepared for the table, in the same order; and the digest and profile of those rows.
     */
    record BatchResult(List<InputPasses.Item> items, List<TransformChain.Result> results, List<LakeWriter.Prepared> prepared, ContentDigest digest,
            RowRules.Profile profile) {}

    /** On any thread: runs the chain over the batch's rows, {@code gates} deciding for the fitted steps (null when the chain has none). */
    BatchResult transform(List<InputPasses.Item> batch, Function<List<InputPasses.Item>, TransformChain.FitGate> gates) {
        RowRules.Profile profile = new RowRules.Profile(rowRules);
        InputPasses.Parsed parsed = InputPasses.Parsed.of(batch);
        List<TransformChain.Result> chained = gates == null ? chain.runAll(parsed.rows()) : chain.runAll(parsed.rows(), gates.apply(parsed.items()));
        List<TransformChain.Result> results = new ArrayList<>(batch.size());
        List<LakeWriter.Prepared> prepared = new ArrayList<>(batch.size());
        ContentDigest digest = new ContentDigest();
        int next = 0;
        InputPlan.PlannedInput input = null;
        ContentDigest.Field uri = null;
        ContentDigest.Field sha256 = null;
        ContentDigest.Field inputKey = null;
        for (InputPasses.Item item : batch) {
            if (item.record() instanceof SourceRecord.Parsed record) {
                if (item.input() != input) {
                    input = item.input();
                    if (digestByType) {
                        inputKey = ContentDigest.Field.hashOf(input.file().uri(), input.sha256(), recipe);
                    }
                    else {
                        uri = ContentDigest.Field.of(input.file().uri());
                        sha256 = ContentDigest.Field.of(input.sha256());
                    }
                }
                TransformChain.Result result = chained.get(next++);
                for (Row row : result.rows()) {
                    String position = position(record.position(), row);
                    LakeWriter.Prepared values = writer.prepare(row);
                    prepared.add(values);
                    if (digestByType) {
                        digestTyped(digest, row, values, inputKey, position);
                    }
                    else {
                        digest(digest, row, values, uri, sha256, position, recipeField, digestText);
                    }
                    if (!profile.isEmpty()) {
                        profile.accept(column -> columnValue(row, column, item, position));
                    }
                }
                results.add(result);
            }
            else {
                results.add(null);
            }
        }
        return new BatchResult(batch, results, prepared, digest, profile);
    }

    /** A column of a row as the table will hold it, by name: for the row rules checked while writing. */
    private Object columnValue(Row row, String column, InputPasses.Item item, String position) {
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
        Object chunk = row.value(CHUNK_INDEX).orElse(null);
        return chunk == null ? recordPosition : recordPosition + "/chunk:" + chunk;
    }

    /**
     * Adds a row to the content digest: the id, the {@code text} column (null when the row has
     * none), the lineage columns, then every other column that has a value, by name, with its
     * canonical text ({@code digestText}: {@link Values#digestText}, or {@link Values#digestTextFormat1} for a format 1
     * reproduction; whole numbers and decimals appended as their text without making it). Text rows thus digest as they did before rows had types. {@code prepared}:
     * the row's values as the table takes them ({@link LakeWriter#prepare}), whose strings' UTF-8 bytes
     * are appended as they are.
     */
    static void digest(ContentDigest digest, Row row, LakeWriter.Prepared prepared, ContentDigest.Field uri, ContentDigest.Field sha256, String position,
            ContentDigest.Field recipe, Function<Object, String> digestText) {
        Map<String, Object> columns = row.columns();
        Object text = columns.get(Row.TEXT);
        digest.beginRow();
        digest.append(row.id());
        org.apache.avro.util.Utf8 encodedText = prepared.string(Row.TEXT);
        if (encodedText != null) {
            digest.appendUtf8(encodedText.getBytes(), encodedText.getByteLength());
        }
        else {
            digest.append(text == null ? null : digestText.apply(text));
        }
        digest.append(uri);
        digest.append(sha256);
        digest.append(position);
        digest.append(recipe);
        for (Map.Entry<String, Object> column : columns.entrySet()) {
            if (column.getKey().equals(Row.TEXT)) {
                continue;
            }
            digest.append(column.getKey());
            Object value = column.getValue();
            org.apache.avro.util.Utf8 encoded = value instanceof String ? prepared.string(column.getKey()) : null;
            if (value instanceof Integer || value instanceof Long) {
                digest.append(((Number) value).longValue());
            }
            else if (encoded != null) {
                digest.appendUtf8(encoded.getBytes(), encoded.getByteLength());
            }
            else if (value instanceof java.math.BigDecimal decimal) {
                if (!digest.appendPlain(decimal)) {
                    digest.append(decimal.toPlainString());
                }
            }
            else {
                digest.append(digestText.apply(value));
            }
        }
        digest.endRow();
    }

    /**
     * Adds a row to the content digest in format 3 ({@link #DIGEST_FORMAT}): {@code input}
     * ({@link ContentDigest.Field#hashOf} the input's URI, its sha256 and the recipe), the id, the position, then every
     * column that has a value, by name, with its value's typed encoding ({@link ContentDigest#appendValue}).
     * {@code prepared}: as for {@link #digest}.
     */
    static void digestTyped(ContentDigest digest, Row row, LakeWriter.Prepared prepared, ContentDigest.Field input, String position) {
        digest.beginRow();
        digest.append(input);
        digest.append(row.id());
        digest.append(position);
        Row.Names names = row.names();
        for (int i = 0; i < names.size(); i++) {
            Object value = row.valueAt(i);
            if (value == null) {
                continue;
            }
            digest.appendName(names, i);
            org.apache.avro.util.Utf8 encoded = value instanceof String ? prepared.string(i) : null;
            if (encoded != null) {
                digest.appendUtf8(encoded.getBytes(), encoded.getByteLength());
            }
            else {
                digest.appendValue(value);
            }
        }
        digest.endRow();
    }

    /** On the job's thread, in input order: writes a transformed batch and counts it. */
    void write(BatchResult result) {
        long written = 0;
        long rejected = 0;
        int next = 0;
        for (int i = 0; i < result.items().size(); i++) {
            InputPasses.Item item = result.items().get(i);
            String uri = item.input().file().uri();
            String sha256 = item.input().sha256();
            if (item.record() instanceof SourceRecord.Malformed malformed) {
                writer.writeReject(malformed.step(), malformed.reason(), malformed.detail(), malformed.recordId(), malformed.raw(), uri, sha256, malformed.position());
                tally.rejectsDigest.add(malformed.step(), malformed.reason(), malformed.detail(), malformed.recordId(), malformed.raw(), uri, sha256, malformed.position(),
                        recipe);
                tally.reject(malformed.step() + "/" + malformed.reason());
                rejected++;
                continue;
            }
            String recordPosition = item.record().position();
            TransformChain.Result chained = result.results().get(i);
            for (TransformChain.Dropped dropped : chained.dropped()) {
                Outcome.Drop drop = dropped.drop();
                String position = position(recordPosition, dropped.row());
                String record = rejectedRecord(dropped.row());
                writer.writeReject(drop.by().toString(), drop.reason(), drop.detail(), dropped.row().id(), record, uri, sha256, position);
                tally.rejectsDigest.add(drop.by().toString(), drop.reason(), drop.detail(), dropped.row().id(), record, uri, sha256, position, recipe);
                tally.reject(drop.by() + "/" + drop.reason());
                rejected++;
            }
            for (Row row : chained.rows()) {
                writer.writeRow(row, result.prepared().get(next++), uri, sha256, position(recordPosition, row));
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

    /** Binary values larger than this are kept in a reject as their size and sha256, not as base64: the input file holds them. */
    static final int MAX_REJECTED_BINARY_BYTES = 64 * 1024;

    /**
     * A dropped row as its reject keeps it: a text source's row as its text; a typed source's as JSON of
     * all its columns, where a large binary value (an image) is named by its size and sha256.
     */
    private String rejectedRecord(Row row) {
        if (!typed && row.value(Row.TEXT).isPresent()) {
            return Values.digestText(row.value(Row.TEXT).get());
        }
        Map<String, Object> large = new java.util.LinkedHashMap<>();
        row.columns().forEach((name, value) -> {
            if (value instanceof java.nio.ByteBuffer bytes && bytes.remaining() > MAX_REJECTED_BINARY_BYTES) {
                large.put(name, bytes.remaining() + " bytes, sha256 " + Values.sha256(bytes) + " (in the input file)");
            }
        });
        return Values.json(large.isEmpty() ? row : row.with(large));
    }


    /** What the pass wrote, counted; not thread-safe (the job's thread only). */
    static final class Tally {
        long read;
        long written;
        long rejected;
        long split;
        /** Records of lookup files that joined at least one row: read, and neither written nor rejected themselves. */
        long merged;
        final RowRules.Profile profile;
        final Map<String, Long> byReason = new TreeMap<>();
        final ContentDigest digest = new ContentDigest();
        final ContentDigest rejectsDigest = new ContentDigest();

        Tally(List<RowRules.Rule> rowRules) {
            this.profile = new RowRules.Profile(rowRules);
        }

        void reject(String key) {
            rejected++;
            byReason.merge(key, 1L, Long::sum);
        }

        /** Counts the lookup records that joined rows, as read and merged. */
        void merged(long records) {
            read += records;
            merged += records;
        }

        boolean reconciles() {
            return read + split == written + rejected + merged;
        }
    }
}
