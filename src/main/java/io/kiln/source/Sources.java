package io.kiln.source;

import java.util.List;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.Row;

/** The columns that source formats make. */
public final class Sources {
    public static final String TITLE = "title";
    public static final String CONTENT_TYPE = "content_type";
    public static final String SOURCE_LANGUAGE = "source_language";
    /** The binary column of the {@code image} format: the file's bytes. */
    public static final String IMAGE = "image";
    public static final String AUDIO = "audio";

    /** The one column of a text source, whatever its format: the text. */
    static final Column TEXT_COLUMN = new Column(Row.TEXT, DataType.STRING, true, "the transformed text");

    static final List<Column> DOCUMENT_COLUMNS = List.of(
            Column.string(TITLE, "Title of the source document (the subject of an e-mail), where it has one"),
            Column.string(CONTENT_TYPE, "MIME type of the source document, detected from its content"),
            Column.string(SOURCE_LANGUAGE, "Language the source document declares in its metadata (dc:language), where it does"));

    private Sources() {}
}
