package io.kiln.source;

import java.io.IOException;

/**
 * JSON lines read by a {@link RecordSchema}: each non-blank line is one object, read by
 * {@link TypedJsonParser}; lines are decoded as {@link JsonlReader} decodes them (strict UTF-8, a
 * UTF-16 file by its byte order mark).
 */
final class TypedJsonlReader extends JsonLinesReader {
    private final TypedJsonParser parser;
    private final int maxRecordBytes;

    TypedJsonlReader(HashingInput raw, RecordSchema schema, String sha256, int maxRecordBytes, Compression compression) throws IOException {
        super(raw, compression, maxRecordBytes);
        this.parser = new TypedJsonParser(schema, sha256);
        this.maxRecordBytes = maxRecordBytes;
    }

    static boolean hasDecimal(io.kiln.transform.DataType type) {
        return TypedJsonParser.hasDecimal(type);
    }

    /** Thread-safe: the parser keeps no state between lines. */
    @Override
    SourceRecord parse(BoundedLineReader.Line line) {
        String position = "line:" + line.number();
        if (line.truncated()) {
            return new SourceRecord.Malformed(position, "record-too-large", "line is longer than the limit of " + maxRecordBytes + " bytes",
                    JsonlReader.rawText(line));
        }
        SourceRecord.Malformed undecodable = JsonlReader.undecodable(line, position);
        if (undecodable != null) {
            return undecodable;
        }
        return parser.parse(line.bytes(), line.length(), position, "line", () -> JsonlReader.rawText(line));
    }
}
