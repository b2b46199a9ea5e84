package io.kiln.source;

import java.io.IOException;
import java.util.function.LongConsumer;

/** Opens a reader for an input file in a given format. */
public final class Sources {
    private Sources() {}

    public static RecordReader open(InputFile file, SourceFormat format, FieldMapping fields, int maxRecordBytes, LongConsumer bytesRead) throws IOException {
        HashingInput raw = HashingInput.open(file, bytesRead);
        try {
            return switch (format) {
                case JSONL -> new JsonlReader(raw, fields, maxRecordBytes);
                case TEXT -> new TextFileReader(raw, file, maxRecordBytes);
            };
        }
        catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
