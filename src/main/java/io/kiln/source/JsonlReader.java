package io.kiln.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.kiln.error.JsonProblems;
import io.kiln.transform.Row;

/**
 * JSON Lines, plain or gzip (detected by its magic bytes, not the file name). Blank lines are not
 * records. A line that is not a JSON object with the mapped id and text is a malformed record; so is
 * a line that is not strictly valid UTF-8 ({@code invalid-utf8}: overlong forms, surrogates, code
 * points above U+10FFFF, cut-short sequences and stray continuation bytes), never decoded leniently.
 * A file that starts with a UTF-16 byte order mark is decoded whole as UTF-16.
 */
final class JsonlReader extends JsonLinesReader {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private final FieldMapping fields;
    private final int maxRecordBytes;

    JsonlReader(HashingInput raw, FieldMapping fields, int maxRecordBytes, Compression compression) throws IOException {
        super(raw, compression, maxRecordBytes);
        this.fields = fields;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    SourceRecord parse(BoundedLineReader.Line line) {
        String position = "line:" + line.number();
        if (line.truncated()) {
            return new SourceRecord.Malformed(position, "record-too-large",
                    "line is longer than the limit of " + maxRecordBytes + " bytes", rawText(line));
        }
        SourceRecord.Malformed undecodable = undecodable(line, position);
        if (undecodable != null) {
            return undecodable;
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(line.bytes(), 0, line.length());
        }
        catch (IOException e) {
            return new SourceRecord.Malformed(position, "malformed-json", JsonProblems.describe(e), rawText(line));
        }
        if (!node.isObject()) {
            return new SourceRecord.Malformed(position, "not-an-object", "line is JSON but not an object", rawText(line));
        }
        JsonNode id = field(node, fields.idField());
        if (id == null || id.isNull()) {
            return new SourceRecord.Malformed(position, "missing-id", "no id field '" + fields.idField() + "'", rawText(line));
        }
        if (!id.isTextual() && !id.isIntegralNumber()) {
            return new SourceRecord.Malformed(position, "invalid-id", "id field '" + fields.idField() + "' must be a string or an integer", rawText(line));
        }
        JsonNode text = field(node, fields.textField());
        if (text == null || text.isNull()) {
            return new SourceRecord.Malformed(position, "missing-text", "no text field '" + fields.textField() + "'", rawText(line));
        }
        if (!text.isTextual()) {
            return new SourceRecord.Malformed(position, "invalid-text", "text field '" + fields.textField() + "' must be a string", rawText(line));
        }
        return new SourceRecord.Parsed(Row.text(id.asText(), text.textValue()), position);
    }

    static JsonNode field(JsonNode node, String path) {
        JsonNode current = node.get(path);
        if (current != null || path.indexOf('.') < 0) {
            return current;
        }
        current = node;
        for (String part : path.split("\\.")) {
            current = current.get(part);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    /** The lines of a JSON lines file: decompressed, and a UTF-16 file (by its byte order mark) re-encoded as UTF-8. */
    static BoundedLineReader lines(java.io.InputStream raw, Compression compression, int maxRecordBytes) throws IOException {
        return new BoundedLineReader(new Utf16AsUtf8(compression.decompress(raw)), maxRecordBytes);
    }

    /**
     * A line that is not valid UTF-8 ({@code invalid-utf8}), or that holds a NUL byte, which JSON never
     * allows unescaped ({@code malformed-json}; the parser would take it for UTF-16 or UTF-32), as its
     * reject naming the byte; null for a line of UTF-8 without NULs.
     */
    static SourceRecord.Malformed undecodable(BoundedLineReader.Line line, String position) {
        Utf8.Scan scan = Utf8.scan(line.bytes(), line.length());
        if (scan.invalid() != null) {
            return new SourceRecord.Malformed(position, "invalid-utf8", "byte " + (scan.invalid().offset() + 1) + " of the line is not valid UTF-8: "
                    + scan.invalid().problem(), rawText(line));
        }
        if (scan.firstNul() >= 0) {
            return new SourceRecord.Malformed(position, "malformed-json", "byte " + (scan.firstNul() + 1) + " of the line is a NUL character, which JSON does not allow"
                    + " unescaped (a UTF-16 file needs its byte order mark)", rawText(line));
        }
        return null;
    }

    static String rawText(BoundedLineReader.Line line) {
        return new String(line.bytes(), 0, line.length(), StandardCharsets.UTF_8);
    }
}
