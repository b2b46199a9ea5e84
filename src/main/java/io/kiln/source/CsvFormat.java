package io.kiln.source;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/** {@code csv}: RFC 4180 CSV (dialect in {@link CsvOptions}; {@link CsvRecords} parses it), plain, gzip or zstd, read into typed rows ({@link CsvReader}). */
final class CsvFormat implements SourceFormat {
    @Override
    public String specName() {
        return "csv";
    }

    @Override
    public Typing typing() {
        return Typing.TYPED;
    }

    @Override
    public RecordReader open(InputFile file, String sha256, ReadOptions options, LongConsumer bytesRead) throws IOException {
        RecordSchema schema = options.schema().orElseThrow(() -> new IllegalArgumentException("csv needs a schema"));
        return HashingInput.openWith(file, bytesRead, raw -> new CsvReader(raw, schema, sha256, options));
    }

    @Override
    public Map<String, Object> recipe(ReadOptions options) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("format", specName());
        recipe.put("csv", options.csv().recipe());
        options.schema().ifPresent(schema -> recipe.put("schema", schema.recipe()));
        return recipe;
    }

    /**
     * The header (or {@code column_1}, {@code column_2}, ... without one) and the first
     * {@code records} records, by {@link SchemaInference}'s rule; a field's type comes from its
     * text values.
     */
    @Override
    public List<RecordSchema.Field> infer(List<InputFile> files, ReadOptions options, int records) throws IOException {
        return SchemaInference.infer(files, options, records, (file, inference, wanted) -> {
            int seen = 0;
            try (HashingInput raw = HashingInput.open(file, bytes -> {});
                    CsvRecords parsed = new CsvRecords(raw, options.csv(), options.compression(), options.maxRecordBytes())) {
                Optional<String[]> record;
                while (seen < wanted && (record = parsed.next()).isPresent()) {
                    for (int i = 0; i < record.get().length; i++) {
                        inference.addText(parsed.columnName(i), record.get()[i]);
                    }
                    seen++;
                }
            }
            catch (CsvRecords.RecordTooLargeException | UnreadableInputException e) {
                // the rest of this file cannot be parsed or decoded (the job makes it a reject); infer from what was read
            }
            return seen;
        });
    }
}
