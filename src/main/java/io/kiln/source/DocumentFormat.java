package io.kiln.source;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

import io.kiln.transform.Column;

/** {@code document}: any file Apache Tika reads, one document per file (one per message of an mbox). */
final class DocumentFormat implements SourceFormat {
    @Override
    public String specName() {
        return "document";
    }

    @Override
    public Typing typing() {
        return Typing.TEXT;
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        return HashingInput.openWith(file, bytesRead, raw -> new DocumentReader(raw, file, options.documentLimits(), DocumentExtractor.shared()));
    }

    @Override
    public List<Column> columns() {
        return Sources.DOCUMENT_COLUMNS;
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        return Map.of("format", specName(), "fields", Map.of("extractor", DocumentExtractor.VERSION));
    }
}
