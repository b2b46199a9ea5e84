package io.kiln.source;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.transform.Column;
import io.kiln.transform.DataType;

/**
 * One thread reads a typed bench input (bench/typed-ingest.sh's CSV or Parquet) through Kiln's source reader, each record
 * parsed and typed as a job's pipeline thread would, and prints the thread's CPU seconds per round: what the reading
 * path alone costs, for comparing two builds (bench/source-read.sh) without the whole job's noise.
 *
 * <p>Arguments: FILE FORMAT (csv or parquet) SPEC (a job spec whose source.schema declares the columns) ROUNDS.
 */
public class SourceRead {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        SourceFormat format = args[1].equals("csv") ? SourceFormat.CSV : SourceFormat.PARQUET;
        JsonNode spec = new ObjectMapper().readTree(Path.of(args[2]).toFile());
        int rounds = Integer.parseInt(args[3]);
        List<RecordSchema.Field> fields = new ArrayList<>();
        for (JsonNode column : spec.get("source").get("schema")) {
            String name = column.get("name").asText();
            boolean required = column.has("required") && column.get("required").asBoolean();
            fields.add(new RecordSchema.Field(new Column(name, type(column.get("type").asText()), required, ""), name));
        }
        RecordSchema schema = new RecordSchema(fields, new RecordSchema.FromField("id"), RecordSchema.UnknownFields.REJECT);
        InputFile input = new InputFile(file.toUri().toString(), file, file.getFileName().toString(), Files.size(file));
        ReadOptions options = ReadOptions.typed(schema, 1 << 24, CsvOptions.DEFAULT, Compression.AUTO);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= rounds; round++) {
            long start = threads.getCurrentThreadCpuTime();
            long rows = 0;
            long rejects = 0;
            try (RecordReader reader = format.open(input, "0123456789abcdef0123", options, bytes -> {})) {
                Optional<RecordReader.Pending> pending;
                while ((pending = reader.nextPending()).isPresent()) {
                    if (pending.get().parse() instanceof SourceRecord.Parsed) {
                        rows++;
                    }
                    else {
                        rejects++;
                    }
                }
            }
            System.out.printf("round %d: %d rows, %d rejects, %.2f CPU s%n", round, rows, rejects, (threads.getCurrentThreadCpuTime() - start) / 1e9);
        }
    }

    /** The bench's column types, as its job specs spell them. */
    private static DataType type(String spec) {
        return switch (spec) {
            case "long" -> DataType.LONG;
            case "int" -> DataType.INT;
            case "double" -> DataType.DOUBLE;
            case "float" -> DataType.FLOAT;
            case "boolean" -> DataType.BOOLEAN;
            case "date" -> DataType.DATE;
            case "timestamp" -> DataType.TIMESTAMP;
            case "string" -> DataType.STRING;
            case "decimal(12,2)" -> new DataType.Decimal(12, 2);
            default -> throw new IllegalArgumentException("not a type of the typed bench: " + spec);
        };
    }
}
