package io.kiln.source;

/**
 * JSON objects turned into rows by a record schema, as a {@code jsonl} source with that schema reads each
 * line. One instance reads any number of records; not thread-safe.
 */
public final class JsonRecords {
    private final TypedJsonParser parser;

    public JsonRecords(RecordSchema schema) {
        this.parser = new TypedJsonParser(schema, "0000000000000000000000000000000000000000000000000000000000000000");
    }

    /** The row of {@code json} (one JSON object), or why it is not one; {@code position} names it in messages. */
    public SourceRecord parse(byte[] json, String position) {
        return parser.parse(json, json.length, position, "record " + position, () -> new String(json, java.nio.charset.StandardCharsets.UTF_8));
    }
}
