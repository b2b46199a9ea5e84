package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import org.apache.iceberg.Table;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.lake.ContentDigest;
import io.kiln.lake.SummaryJson;
import io.kiln.lake.TableLayout;
import io.kiln.source.ContentChangedException;
import io.kiln.source.HashingInput;
import io.kiln.source.InputChangedException;
import io.kiln.source.InputFile;

/**
 * The plan of a job: its input files as listed when it starts, each hashed once, when the job first
 * reads it ({@link PlannedInput#toRead()}), so that the job reads exactly what it hashed: a file
 * whose size, modification time or file key change while the job reads it, or whose reader sees
 * another number of bytes, fails the job ({@code SOURCE_CHANGED}). Also the input manifest and
 * digest that the snapshot summary records. Files are opened where the job was bound to them
 * ({@link InputFile#open()}): one replaced since, by a symbolic link or another file, fails the job
 * ({@code SOURCE_CHANGED}) before anything of it is read.
 */
final class InputPlan {
    /** Up to this many inputs, the snapshot summary lists them ({@code kiln.input-manifest}); beyond, a file does ({@code kiln.input-manifest-file}). */
    static final int MANIFEST_INLINE_LIMIT = 1000;
    static final String INPUT_MANIFEST = "kiln.input-manifest";
    static final String INPUT_MANIFEST_FILE = TableLayout.INPUT_MANIFEST_FILE;

    private final List<PlannedInput> inputs;

    private InputPlan(List<PlannedInput> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    /**
     * An input file of the plan. It is hashed once, on the thread that first reads it or asks for its
     * sha256 (the job's reading thread, before any of its records); every pass after reads it without
     * hashing it again. Thread-safe.
     */
    static final class PlannedInput {
        private final InputFile file;
        private final LongConsumer bytesHashed;
        private volatile InputFile hashed;

        PlannedInput(InputFile file, LongConsumer bytesHashed) {
            this.file = requireNonNull(file, "file is null");
            this.bytesHashed = requireNonNull(bytesHashed, "bytesHashed is null");
        }

        /** The file as the job was bound to it. */
        InputFile file() {
            return file;
        }

        /** The file with its content known ({@link InputFile#content()}): hashed now if it has not been. */
        InputFile toRead() {
            InputFile known = hashed;
            if (known != null) {
                return known;
            }
            synchronized (this) {
                if (hashed == null) {
                    hashed = hash(file, bytesHashed);
                }
                return hashed;
            }
        }

        /** The file's sha256, hashing it first if it has not been. */
        String sha256() {
            return toRead().content().orElseThrow().sha256();
        }
    }

    /** One input of the manifest; a record, so its fields are written in this order every time. */
    record ManifestEntry(String uri, String sha256, long bytes) {}

    private static final ObjectMapper MANIFEST_JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Lists the files; none is read yet. */
    static InputPlan of(List<InputFile> files, JobProgress progress, BooleanSupplier cancelled) {
        progress.planning(files.stream().mapToLong(InputFile::size).sum());
        if (cancelled.getAsBoolean()) {
            throw new IngestPipeline.CancelledException();
        }
        return new InputPlan(files.stream().map(file -> new PlannedInput(file, progress::addBytesHashed)).toList());
    }

    private static InputFile hash(InputFile file, LongConsumer bytesHashed) {
        try {
            return HashingInput.hash(file, bytesHashed);
        }
        catch (InputChangedException e) {
            throw replaced(file, e);
        }
        catch (ContentChangedException e) {
            throw changed(file, e);
        }
        catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    List<PlannedInput> inputs() {
        return inputs;
    }

    long totalBytes() {
        return inputs.stream().mapToLong(input -> input.file().size()).sum();
    }

    /** sha256 over the sorted (uri, sha256) pairs of every input. */
    String digest() {
        ContentDigest digest = new ContentDigest();
        inputs.forEach(input -> digest.add(input.file().uri(), input.sha256()));
        return digest.value();
    }

    /**
     * Every input with its sha256 and size: in the summary up to {@link #MANIFEST_INLINE_LIMIT} inputs,
     * else as a JSON-lines file beside the table's data, which the summary names.
     */
    Map<String, String> manifest(Table table, String jobId) {
        if (inputs.size() <= MANIFEST_INLINE_LIMIT) {
            return Map.of(INPUT_MANIFEST, SummaryJson.write(inputs.stream().map(InputPlan::entry).toList()));
        }
        String location = table.location() + "/kiln-manifests/" + jobId + ".jsonl";
        try (Writer writer = new BufferedWriter(new OutputStreamWriter(table.io().newOutputFile(location).createOrOverwrite(), StandardCharsets.UTF_8))) {
            for (PlannedInput input : inputs) {
                writer.write(SummaryJson.write(entry(input)));
                writer.write('\n');
            }
        }
        catch (IOException e) {
            throw new KilnException(ErrorCode.COMMIT_FAILED, "Cannot write the input manifest " + location + ": " + e.getMessage(), e);
        }
        return Map.of(INPUT_MANIFEST_FILE, location);
    }

    /**
     * The input manifest a snapshot's summary records (inline, or in the file it names), in the order
     * written; empty when the snapshot records none (not written by Kiln).
     *
     * @throws IOException when the manifest file cannot be read
     */
    static List<ManifestEntry> recorded(Table table, Map<String, String> summary) throws IOException {
        return recorded(table, summary, Integer.MAX_VALUE);
    }

    /** The first {@code limit} entries of the recorded input manifest; a manifest file is read no further. */
    static List<ManifestEntry> recorded(Table table, Map<String, String> summary, int limit) throws IOException {
        String inline = summary.get(INPUT_MANIFEST);
        if (inline != null) {
            List<ManifestEntry> entries = MANIFEST_JSON.readValue(inline, new TypeReference<List<ManifestEntry>>() {});
            return entries.size() <= limit ? entries : entries.subList(0, limit);
        }
        String file = summary.get(INPUT_MANIFEST_FILE);
        if (file == null) {
            return List.of();
        }
        List<ManifestEntry> entries = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(table.io().newInputFile(file).newStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null && entries.size() < limit; line = lines.readLine()) {
                entries.add(MANIFEST_JSON.readValue(line, ManifestEntry.class));
            }
        }
        return entries;
    }

    private static ManifestEntry entry(PlannedInput input) {
        return new ManifestEntry(input.file().uri(), input.sha256(), input.file().size());
    }

    /**
     * An input that is not the file the job was bound to (swapped for a symbolic link, or replaced): the
     * job fails as for an input that changed while it was read, and reads nothing of it.
     */
    static KilnException replaced(InputFile file, InputChangedException e) {
        return new KilnException(ErrorCode.SOURCE_CHANGED, "Input " + file.uri() + " was replaced after the job was bound: " + e.getMessage()
                + "; nothing of it was read. Submit the job again to read what is there now");
    }

    /** Fails the job when a file read whole did not have the sha256 it had when hashed. */
    static void checkRead(PlannedInput input, String sha256) {
        if (!sha256.equals(input.sha256())) {
            throw new KilnException(ErrorCode.SOURCE_CHANGED, "Input " + input.file().uri() + " changed while the job read it (sha256 "
                    + input.sha256() + " when hashed, " + sha256 + " when read)");
        }
    }

    /** An input whose size, modification time or file key changed after the job hashed it. */
    static KilnException changed(InputFile file, ContentChangedException e) {
        return new KilnException(ErrorCode.SOURCE_CHANGED, "Input " + file.uri() + " " + e.getMessage() + "; submit the job again to read what is there now");
    }

    static KilnException unreadable(InputFile file, IOException e) {
        return new KilnException(ErrorCode.SOURCE_UNREADABLE, "Cannot read " + file.uri() + ": " + e.getMessage(), e);
    }

    /** The sha256 of an input now, as the manifest records it. */
    static String sha256Of(InputFile file) {
        try {
            return HashingInput.sha256Hex(file);
        }
        catch (InputChangedException e) {
            throw replaced(file, e);
        }
        catch (IOException e) {
            throw new KilnException(ErrorCode.SOURCE_UNREADABLE, "Cannot read " + file.uri() + ": " + e.getMessage(), e);
        }
    }
}
