package io.kiln.source;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

import io.kiln.transform.Column;

/** Opens a reader for an input file in a given format, and says which columns a format adds. */
public final class Sources {
    public static final String TITLE = "title";
    public static final String CONTENT_TYPE = "content_type";
    public static final String SOURCE_LANGUAGE = "source_language";

    private static final List<Column> DOCUMENT_COLUMNS = List.of(
            Column.string(TITLE, "Title of the source document (the subject of an e-mail), where it has one"),
            Column.string(CONTENT_TYPE, "MIME type of the source document, detected from its content"),
            Column.string(SOURCE_LANGUAGE, "Language the source document declares in its metadata (dc:language), where it does"));

    private Sources() {}

    /** Opens {@code file} with the default document limits ({@link DocumentLimits#defaults}). */
    public static RecordReader open(InputFile file, SourceFormat format, FieldMapping fields, int maxRecordBytes, LongConsumer bytesRead) throws IOException {
        return open(file, format, fields, maxRecordBytes, DocumentLimits.defaults(maxRecordBytes), bytesRead);
    }

    public static RecordReader open(InputFile file, SourceFormat format, FieldMapping fields, int maxRecordBytes, DocumentLimits limits,
            LongConsumer bytesRead) throws IOException {
        SourceFormat resolved = format == SourceFormat.AUTO ? FormatSniffer.sniff(file) : format;
        HashingInput raw = HashingInput.open(file, bytesRead);
        try {
            return switch (resolved) {
                case JSONL -> new JsonlReader(raw, fields, maxRecordBytes);
                case TEXT -> format == SourceFormat.AUTO
                        ? new PlainTextDocuments(new TextFileReader(raw, file, maxRecordBytes))
                        : new TextFileReader(raw, file, maxRecordBytes);
                case DOCUMENT -> new DocumentReader(raw, file, limits, DocumentExtractor.shared());
                case AUTO -> throw new IllegalStateException("auto resolves to a concrete format");
            };
        }
        catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** The optional columns that rows of this format may carry, beside id and text. */
    public static List<Column> columns(SourceFormat format) {
        return switch (format) {
            case JSONL, TEXT -> List.of();
            case DOCUMENT, AUTO -> DOCUMENT_COLUMNS;
        };
    }

    /** How the format turns bytes into rows, as a recipe records it: the field mapping and the extractor's version. */
    public static Map<String, String> recipeFields(SourceFormat format, FieldMapping fields) {
        return switch (format) {
            case JSONL -> Map.of("id", fields.idField(), "text", fields.textField());
            case TEXT -> Map.of();
            case DOCUMENT -> Map.of("extractor", DocumentExtractor.VERSION);
            case AUTO -> Map.of("id", fields.idField(), "text", fields.textField(), "extractor", DocumentExtractor.VERSION);
        };
    }

    /** Plain text found by {@code auto}: the text reader's rows, with the content type that documents carry. */
    private static final class PlainTextDocuments implements RecordReader {
        private final RecordReader text;

        PlainTextDocuments(RecordReader text) {
            this.text = text;
        }

        @Override
        public Optional<SourceRecord> next() throws IOException {
            return text.next().map(record -> record instanceof SourceRecord.Parsed parsed
                    ? new SourceRecord.Parsed(parsed.row().with(CONTENT_TYPE, "text/plain"), parsed.position())
                    : record);
        }

        @Override
        public String finish() throws IOException {
            return text.finish();
        }

        @Override
        public void close() throws IOException {
            text.close();
        }
    }
}
