package io.kiln.source;

import java.io.IOException;
import java.util.List;
import java.util.function.LongConsumer;

import io.kiln.transform.Column;

/** The columns that document formats add, and shortcuts to open a file of a text format. */
public final class Sources {
    public static final String TITLE = "title";
    public static final String CONTENT_TYPE = "content_type";
    public static final String SOURCE_LANGUAGE = "source_language";

    static final List<Column> DOCUMENT_COLUMNS = List.of(
            Column.string(TITLE, "Title of the source document (the subject of an e-mail), where it has one"),
            Column.string(CONTENT_TYPE, "MIME type of the source document, detected from its content"),
            Column.string(SOURCE_LANGUAGE, "Language the source document declares in its metadata (dc:language), where it does"));

    private Sources() {}

    /** Opens {@code file} of a text format with the default document limits ({@link DocumentLimits#defaults}). */
    public static RecordReader open(InputFile file, SourceFormat format, FieldMapping fields, int maxRecordBytes, LongConsumer bytesRead) throws IOException {
        return open(file, format, fields, maxRecordBytes, DocumentLimits.defaults(maxRecordBytes), bytesRead);
    }

    public static RecordReader open(InputFile file, SourceFormat format, FieldMapping fields, int maxRecordBytes, DocumentLimits limits,
            LongConsumer bytesRead) throws IOException {
        return format.open(file, "", ReadOptions.text(fields, maxRecordBytes, limits), bytesRead);
    }
}
