package io.kiln.source;

import java.io.IOException;
import java.util.Map;
import java.util.function.LongConsumer;

/** {@code text}: each file is one UTF-8 document, its id its path below the source directory. */
final class TextFormat implements SourceFormat {
    @Override
    public String specName() {
        return "text";
    }

    @Override
    public Typing typing() {
        return Typing.TEXT;
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        return HashingInput.openWith(file, bytesRead, raw -> new TextFileReader(raw, file, options.maxRecordBytes()));
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        return Map.of("format", specName(), "fields", Map.of());
    }
}
