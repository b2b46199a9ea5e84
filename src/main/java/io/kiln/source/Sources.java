package io.kiln.source;

import java.util.List;

import io.kiln.transform.Column;

/** The columns that document formats add. */
public final class Sources {
    public static final String TITLE = "title";
    public static final String CONTENT_TYPE = "content_type";
    public static final String SOURCE_LANGUAGE = "source_language";

    static final List<Column> DOCUMENT_COLUMNS = List.of(
            Column.string(TITLE, "Title of the source document (the subject of an e-mail), where it has one"),
            Column.string(CONTENT_TYPE, "MIME type of the source document, detected from its content"),
            Column.string(SOURCE_LANGUAGE, "Language the source document declares in its metadata (dc:language), where it does"));

    private Sources() {}
}
