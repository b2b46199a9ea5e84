package io.kiln.source;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Everything a {@link SourceFormat} needs to read a job's files: the schema of typed records (or,
 * for text formats, the field mapping of id and text), the bounds on a record and a document, the
 * CSV dialect and the compression of line formats.
 */
public record ReadOptions(Optional<RecordSchema> schema, FieldMapping fields, int maxRecordBytes, DocumentLimits documentLimits, CsvOptions csv,
        Compression compression, Optional<MediaFiles> media) {
    public ReadOptions {
        requireNonNull(media, "media is null");
        requireNonNull(schema, "schema is null");
        requireNonNull(fields, "fields is null");
        requireNonNull(documentLimits, "documentLimits is null");
        requireNonNull(csv, "csv is null");
        requireNonNull(compression, "compression is null");
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, was " + maxRecordBytes);
        }
    }

    /** Options of a text source: rows of id and text, found by {@code fields} in JSON. */
    public static ReadOptions text(FieldMapping fields, int maxRecordBytes, DocumentLimits documentLimits) {
        return new ReadOptions(Optional.empty(), fields, maxRecordBytes, documentLimits, CsvOptions.DEFAULT, Compression.AUTO);
    }

    /** Options of a typed source. */
    public static ReadOptions typed(RecordSchema schema, int maxRecordBytes, CsvOptions csv, Compression compression) {
        return new ReadOptions(Optional.of(schema), FieldMapping.DEFAULT, maxRecordBytes, DocumentLimits.defaults(maxRecordBytes), csv, compression);
    }

    public ReadOptions(Optional<RecordSchema> schema, FieldMapping fields, int maxRecordBytes, DocumentLimits documentLimits, CsvOptions csv,
            Compression compression) {
        this(schema, fields, maxRecordBytes, documentLimits, csv, compression, Optional.empty());
    }

    /** Options whose records' files named by a column are loaded into a binary column. */
    public ReadOptions withMedia(MediaFiles files) {
        return new ReadOptions(schema, fields, maxRecordBytes, documentLimits, csv, compression, Optional.of(files));
    }

    public ReadOptions withLimits(int maxRecordBytes, DocumentLimits documentLimits) {
        return new ReadOptions(schema, fields, maxRecordBytes, documentLimits, csv, compression, media);
    }

    public ReadOptions withSchema(RecordSchema schema) {
        return new ReadOptions(Optional.of(schema), fields, maxRecordBytes, documentLimits, csv, compression, media);
    }
}
