package io.kiln.source;

/** One JSON object turned into a row by a record schema, as a {@code jsonl} source with that schema reads each line. */
public final class JsonRecords {
    private JsonRecords() {}

    /** The row of {@code json} (one JSON object), or why it is not one; {@code position} names it in messages. */
    public static SourceRecord parse(RecordSchema schema, byte[] json, String position) {
        TypedJsonParser parser = new TypedJsonParser(schema, "0000000000000000000000000000000000000000000000000000000000000000");
        return parser.parse(json, json.length, position, "record " + position, () -> new String(json, java.nio.charset.StandardCharsets.UTF_8));
    }
}
