import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.iceberg.TableProperties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import io.kiln.lake.TableLayout;
import io.kiln.transform.Outcome;
import io.kiln.transform.Transform;
import io.kiln.transform.text.NormalizeStep;

/**
 * The Spark peer of {@code bench/spark-peer.sh}: Spark local mode appends the JSON-lines corpus of
 * {@code GenerateCorpus} to an Iceberg table, with Kiln's {@code normalize} in a Java UDF or without
 * it, and prints what that cost.
 *
 * <pre>
 * java -Xmx1g @jvm.options -cp CLASSES:KILN_CLASSES:ENGINE_LIB/* SparkTextIngest normalize|bare FILE WORK_DIR THREADS TARGET_FILE_SIZE_BYTES [ZSTD_LEVEL]
 * </pre>
 *
 * Starts {@code local[THREADS]} with an Iceberg catalog {@code kiln} (JdbcCatalog on a fresh SQLite
 * file in WORK_DIR, warehouse in WORK_DIR) and creates {@code kiln.bench.t (id, text)}, both
 * {@code NOT NULL}, with the properties Kiln gives its text tables
 * ({@code TableLayout.properties(TARGET_FILE_SIZE_BYTES)}: format v2, zstd, the file and row-group
 * sizes; with ZSTD_LEVEL, the level Kiln was configured with, as {@code write.parquet.compression-level}). Kiln's table also has its lineage columns; this one has only id and text. It then measures
 * only the job: from just before {@code spark.read().schema("id STRING, text STRING").json(FILE)}
 * (FAILFAST) to the return of {@code writeTo("kiln.bench.t").append()}, the process's CPU time
 * (every thread: tasks, GC, JIT), the wall time and the process's {@code rchar} and
 * {@code read_bytes} ({@code /proc/self/io}).
 *
 * <p>{@code normalize} runs Kiln's own step on each record, bound as a job binds it
 * ({@code new NormalizeStep().bind(Map.of())}, applied to {@code Row.text(id, text)}), so the rules are
 * Kiln's; a record it drops becomes a null text and is filtered out. The UDF is marked
 * non-deterministic: otherwise the optimizer copies it into the filter and runs it twice per row.
 * {@code bare} writes the records as read.
 *
 * <p>Then it counts the table's rows (not measured) and prints {@code key=value} lines: rows,
 * data_files, cpu_s, wall_s, rchar, read_bytes, others_cores (CPUs kept busy by other processes
 * during the job, from /proc/stat), spark_version, table_properties, peak_rss_kb (VmHWM at the end,
 * the whole run). Uses the helpers of {@code SparkTypedIngest}, compiled with it.
 */
public final class SparkTextIngest {
    /** Bound once; a Transform is thread-safe, so every task shares it. */
    private static final Transform NORMALIZE = new NormalizeStep().bind(Map.of());

    public static void main(String[] args) throws Exception {
        if (args.length < 5 || args.length > 6 || !(args[0].equals("normalize") || args[0].equals("bare"))) {
            System.err.println("usage: SparkTextIngest normalize|bare FILE WORK_DIR THREADS TARGET_FILE_SIZE_BYTES [ZSTD_LEVEL]");
            System.exit(2);
        }
        ingest(args[0].equals("normalize"), Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
                args.length == 6 ? OptionalInt.of(Integer.parseInt(args[5])) : OptionalInt.empty());
    }

    /** What Kiln's normalize makes of one record's text, or null when it drops the record. */
    static String normalize(String id, String text) {
        if (id == null || text == null) {
            return null;
        }
        Outcome outcome = NORMALIZE.apply(io.kiln.transform.Row.text(id, text));
        return outcome instanceof Outcome.Emit emit ? emit.row().string(io.kiln.transform.Row.TEXT).orElse(null) : null;
    }

    static void ingest(boolean normalize, Path file, Path work, int threads, long targetFileSizeBytes, OptionalInt zstdLevel) throws Exception {
        SparkSession spark = SparkTypedIngest.icebergSession(work, threads, "kiln-text-ingest-peer");
        try {
            Map<String, String> properties = new TreeMap<>(TableLayout.properties(targetFileSizeBytes));
            zstdLevel.ifPresent(level -> properties.put(TableProperties.PARQUET_COMPRESSION_LEVEL, Integer.toString(level)));
            spark.sql("CREATE NAMESPACE IF NOT EXISTS kiln.bench");
            spark.sql("CREATE TABLE kiln.bench.t (id STRING NOT NULL, text STRING NOT NULL) USING iceberg TBLPROPERTIES ("
                    + properties.entrySet().stream().map(e -> "'" + e.getKey() + "' = '" + e.getValue() + "'").collect(Collectors.joining(", "))
                    + ")");
            UserDefinedFunction normalizeUdf = udf((UDF2<String, String, String>) SparkTextIngest::normalize, DataTypes.StringType)
                    .asNondeterministic();

            long[] ioBefore = io();
            SparkTypedIngest.Measured measured = new SparkTypedIngest.Measured();
            Dataset<Row> df = spark.read().schema("id STRING, text STRING").option("mode", "FAILFAST").json(file.toAbsolutePath().toString());
            if (normalize) {
                df = df.select(col("id"), normalizeUdf.apply(col("id"), col("text")).as("text")).where(col("text").isNotNull());
            }
            df.writeTo("kiln.bench.t").append();
            measured.stop();
            long[] ioAfter = io();
            measured.print(spark);
            System.out.println("rchar=" + (ioBefore == null || ioAfter == null ? -1 : ioAfter[0] - ioBefore[0]));
            System.out.println("read_bytes=" + (ioBefore == null || ioAfter == null ? -1 : ioAfter[1] - ioBefore[1]));
            System.out.println("table_properties=" + properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
        }
        finally {
            spark.stop();
        }
        System.out.println("peak_rss_kb=" + SparkTypedIngest.status("VmHWM"));
    }

    /** This process's rchar and read_bytes so far (/proc/self/io: every thread, live or ended), or null without /proc. */
    static long[] io() {
        try {
            long[] io = {-1, -1};
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                String[] field = line.split(":\\s*");
                if (field[0].equals("rchar")) {
                    io[0] = Long.parseLong(field[1].trim());
                }
                else if (field[0].equals("read_bytes")) {
                    io[1] = Long.parseLong(field[1].trim());
                }
            }
            return io[0] < 0 || io[1] < 0 ? null : io;
        }
        catch (Exception e) {
            return null;
        }
    }
}
