package io.kiln.source;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

import io.kiln.transform.Column;

/**
 * {@code auto}: decides per file from its content ({@link FormatSniffer}): JSON lines (the field
 * mapping applies), plain UTF-8 text (with {@code content_type} {@code text/plain}), or a document.
 */
final class AutoFormat implements SourceFormat {
    @Override
    public String specName() {
        return "auto";
    }

    @Override
    public Typing typing() {
        return Typing.TEXT;
    }

    @Override
    public boolean readsJson() {
        return true;
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        SourceFormat format = FormatSniffer.sniff(file);
        RecordReader reader = format.open(file, sha256, options, bytesRead);
        // plain text found by auto: the text reader's rows, with the content type that documents carry
        return format == TEXT ? reader.mapParsed(parsed -> new SourceRecord.Parsed(parsed.row().with(Sources.CONTENT_TYPE, "text/plain"), parsed.position()))
                : reader;
    }

    @Override
    public List<Column> columns() {
        return Sources.DOCUMENT_COLUMNS;
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        return Map.of("format", specName(), "fields", Map.of("id", options.fields().idField(), "text", options.fields().textField(),
                "extractor", DocumentExtractor.VERSION));
    }
}
