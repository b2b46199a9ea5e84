package io.kiln.source;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** {@code csv}: RFC 4180 CSV (dialect in {@link CsvOptions}), plain, gzip or zstd, read into typed rows ({@link CsvReader}). */
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
        HashingInput raw = HashingInput.open(file, bytesRead);
        try {
            return new CsvReader(raw, schema, sha256, options);
        }
        catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
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
        String idField = options.schema().flatMap(RecordSchema::idField).orElse(null);
        SchemaInference inference = new SchemaInference(idField);
        int seen = 0;
        for (InputFile file : files) {
            try (HashingInput raw = HashingInput.open(file, bytes -> {});
                    Reader reader = new InputStreamReader(options.compression().decompress(raw), options.csv().encoding());
                    CSVParser parser = CSVParser.builder().setReader(reader).setFormat(CsvReader.format(options.csv())).get()) {
                List<String> header = null;
                for (CSVRecord record : parser) {
                    if (header == null && options.csv().header()) {
                        header = record.toList().stream().map(name -> name == null ? "" : name.replace("\uFEFF", "")).toList();
                        continue;
                    }
                    if (seen++ >= records) {
                        break;
                    }
                    for (int i = 0; i < record.size(); i++) {
                        String name = header == null ? "column_" + (i + 1) : i < header.size() ? header.get(i) : "column_" + (i + 1);
                        inference.addText(name, record.get(i));
                    }
                }
            }
            catch (IllegalStateException | java.io.UncheckedIOException e) {
                throw new SourceException("cannot be read to infer its schema: " + e.getMessage());
            }
            if (seen >= records) {
                break;
            }
        }
        return inference.fields();
    }
}
