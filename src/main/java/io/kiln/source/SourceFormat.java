package io.kiln.source;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

import io.kiln.transform.Column;

/**
 * A format a source can be read in, registered by the name a JobSpec gives ({@code source.format}).
 * Text formats ({@code text}, {@code document}, {@code auto}, and {@code jsonl} without a schema)
 * make rows of an id and a {@code text}; typed formats ({@code jsonl} with a schema, {@code csv},
 * {@code parquet}) make rows of the columns of a {@link RecordSchema}, declared or inferred; file
 * formats ({@code image}) make one row per file of their own {@link #fixedColumns()}.
 *
 * <p>A format is stateless and thread-safe; each {@link #open} gives a reader for one file that
 * streams its records, never holding the whole file, and hashes every byte of it. A record it cannot
 * turn into a row is a {@link SourceRecord.Malformed} with a reason, never an exception: an exception
 * from a reader means the file itself cannot be read, except {@link UnreadableInputException}, which
 * says that the rest of its content cannot be decoded (a corrupt compressed stream): the runtime makes
 * that one reject of the file and goes on with the next.
 *
 * <p>A new format is one class implementing this interface, added to {@link #all()}.
 */
public interface SourceFormat {
    SourceFormat JSONL = new JsonlFormat();
    SourceFormat CSV = new CsvFormat();
    SourceFormat PARQUET = new ParquetFormat();
    SourceFormat TEXT = new TextFormat();
    SourceFormat DOCUMENT = new DocumentFormat();
    SourceFormat AUTO = new AutoFormat();
    SourceFormat IMAGE = new MediaFileFormat("image", "an image", MediaFileFormat.IMAGE_COLUMN);
    SourceFormat AUDIO = new MediaFileFormat("audio", "an audio file", MediaFileFormat.AUDIO_COLUMN);
    SourceFormat WEBDATASET = new WebDatasetFormat();
    SourceFormat LABEL_STUDIO = new LabelStudioFormat();

    /** Every registered format. */
    static List<SourceFormat> all() {
        return List.of(JSONL, CSV, PARQUET, TEXT, DOCUMENT, AUTO, IMAGE, AUDIO, WEBDATASET, LABEL_STUDIO);
    }

    static Optional<SourceFormat> fromSpecName(String name) {
        return all().stream().filter(format -> format.specName().equals(name)).findFirst();
    }

    static String specNames() {
        return String.join(", ", all().stream().map(SourceFormat::specName).toList());
    }

    /** The name a JobSpec gives. */
    String specName();

    /**
     * How a format reads records: into typed columns by a schema, into id and text only, either (JSON
     * lines, by whether a schema is given), or one row per file with the format's own columns.
     */
    enum Typing { TYPED, TEXT, EITHER, FILE }

    Typing typing();

    /** Whether {@code source.fields} (the JSON fields of id and text) applies. */
    default boolean readsJson() {
        return false;
    }

    /**
     * Opens one input file. {@code sha256} is the file's hash from planning (rows whose id comes
     * from their position use it); {@code bytesRead} counts the raw bytes as they are read.
     */
    RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException;

    /** The required columns of every row of a format read without a schema, besides the id: a text, or a file format's own. */
    default List<Column> fixedColumns() {
        return List.of(Sources.TEXT_COLUMN);
    }

    /** Optional columns that rows of this format may carry beyond the schema's (a document's title). */
    default List<Column> columns() {
        return List.of();
    }

    /** How this format turns bytes into rows with these options, as the recipe records it under {@code source}. */
    Map<String, Object> recipe(ReadOptions options);

    /**
     * The fields of a schema inferred from the first {@code records} records of {@code files}
     * (in their order), by this format's documented rule.
     *
     * @throws UnsupportedOperationException when the format cannot infer one
     * @throws SourceException when the inputs give no schema (no records, or names that clash)
     */
    default List<RecordSchema.Field> infer(List<InputFile> files, ReadOptions options, int records) throws IOException {
        throw new UnsupportedOperationException(specName() + " does not infer schemas");
    }
}
