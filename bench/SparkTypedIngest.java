import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark peer of {@code bench/typed-ingest.sh}: Spark local mode appends one typed input file to
 * an Iceberg table, the way a plain Spark job would, and prints what that cost.
 *
 * <pre>
 * java -Xmx1g @jvm.options -cp CLASSES:ENGINE_LIB/* SparkTypedIngest ingest FORMAT FILE READ_DDL TABLE_DDL WORK_DIR [THREADS]
 * java -Xmx1g @jvm.options -cp CLASSES:ENGINE_LIB/* SparkTypedIngest parquet CSV_FILE READ_DDL OUT.parquet
 * </pre>
 *
 * {@code ingest}: starts {@code local[THREADS]} (default 2, like Kiln's two job threads) with an
 * Iceberg catalog {@code kiln} (JdbcCatalog on a fresh SQLite file in WORK_DIR, warehouse in
 * WORK_DIR), creates {@code kiln.bench.t} from TABLE_DDL with Kiln's table properties (format v2,
 * Parquet, zstd, 128 MiB files, 16 MiB row groups), then measures only the job: from just before
 * {@code spark.read().schema(READ_DDL).format(FORMAT).load(FILE)} to the return of
 * {@code df.writeTo("kiln.bench.t").append()}, the process's CPU time (every thread: tasks, GC,
 * JIT) and the wall time. It then counts the table's rows (not measured) and prints
 * {@code key=value} lines: rows, cpu_s, wall_s, peak_rss_kb (VmHWM at the end, the whole run),
 * others_cores (CPUs kept busy by other processes during the job, from /proc/stat).
 * CSV and JSON are read with the explicit schema (no inference) in FAILFAST mode, so a value that
 * does not parse fails the job instead of becoming null; the text conventions are those of
 * {@code GenerateTyped}: a header row, RFC 4180 quoting ({@code escape} set to the quote), an unquoted
 * empty CSV field is null, timestamps
 * {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX}, dates {@code yyyy-MM-dd}.
 *
 * <p>{@code parquet}: reads the CSV the same way and writes it as one Parquet file (Spark's
 * defaults: snappy, 128 MiB row groups; timestamps as TIMESTAMP_MICROS, not the legacy INT96), for
 * the Parquet input. Not measured.
 */
public final class SparkTypedIngest {
    static final String TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("parquet") && args.length == 4) {
            toParquet(Path.of(args[1]), Files.readString(Path.of(args[2])).strip(), Path.of(args[3]));
        }
        else if (args.length >= 1 && args[0].equals("ingest") && (args.length == 6 || args.length == 7)) {
            ingest(args[1], Path.of(args[2]), Files.readString(Path.of(args[3])).strip(), Files.readString(Path.of(args[4])).strip(),
                    Path.of(args[5]), args.length == 7 ? Integer.parseInt(args[6]) : 2);
        }
        else {
            System.err.println("usage: SparkTypedIngest ingest FORMAT FILE READ_DDL TABLE_DDL WORK_DIR [THREADS]");
            System.err.println("       SparkTypedIngest parquet CSV_FILE READ_DDL OUT.parquet");
            System.exit(2);
        }
    }

    static SparkSession.Builder session(int threads) {
        return SparkSession.builder()
                .appName("kiln-typed-ingest-peer")
                .master("local[" + threads + "]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.catalogImplementation", "in-memory")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "8");
    }

    static DataFrameReader reader(SparkSession spark, String format, String readDdl) {
        DataFrameReader reader = spark.read().schema(readDdl).format(format.equals("jsonl") ? "json" : format);
        switch (format) {
            // RFC 4180: a quote inside a quoted field is doubled (Spark's default escape is a backslash)
            case "csv" -> reader = reader.option("header", "true")
                    .option("quote", "\"")
                    .option("escape", "\"")
                    .option("mode", "FAILFAST")
                    .option("timestampFormat", TIMESTAMP_FORMAT)
                    .option("dateFormat", "yyyy-MM-dd")
                    .option("encoding", "UTF-8");
            case "jsonl" -> reader = reader.option("mode", "FAILFAST")
                    .option("timestampFormat", TIMESTAMP_FORMAT)
                    .option("dateFormat", "yyyy-MM-dd");
            case "parquet" -> { }
            default -> throw new IllegalArgumentException("FORMAT must be csv, jsonl or parquet, was " + format);
        }
        return reader;
    }

    static void toParquet(Path csv, String readDdl, Path out) throws Exception {
        SparkSession spark = session(2)
                .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
                .getOrCreate();
        try {
            Path staging = out.resolveSibling(out.getFileName() + ".spark-out");
            deleteTree(staging);
            reader(spark, "csv", readDdl).load(csv.toString()).coalesce(1).write().parquet(staging.toString());
            Path part = null;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(staging, "part-*.parquet")) {
                for (Path file : files) {
                    if (part != null) {
                        throw new IllegalStateException("more than one part file in " + staging);
                    }
                    part = file;
                }
            }
            if (part == null) {
                throw new IllegalStateException("no part file in " + staging);
            }
            Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(staging);
            System.out.println("parquet_bytes=" + Files.size(out));
        }
        finally {
            spark.stop();
        }
    }

    /**
     * A session of {@code threads} local cores with an empty Iceberg catalog {@code kiln} (JDBC on SQLite,
     * as Kiln's embedded default) and warehouse under {@code work}.
     */
    static SparkSession icebergSession(Path work, int threads, String appName) throws Exception {
        Files.createDirectories(work);
        Path catalog = work.resolve("catalog.db");
        Files.deleteIfExists(catalog);
        Path warehouse = work.resolve("warehouse");
        deleteTree(warehouse);
        Files.createDirectories(warehouse);
        return session(threads)
                .appName(appName)
                .config("spark.sql.catalog.kiln", "org.apache.iceberg.spark.SparkCatalog")
                .config("spark.sql.catalog.kiln.type", "jdbc")
                .config("spark.sql.catalog.kiln.uri", "jdbc:sqlite:" + catalog.toAbsolutePath())
                .config("spark.sql.catalog.kiln.warehouse", warehouse.toAbsolutePath().toUri().toString())
                .config("spark.sql.catalog.kiln.jdbc.schema-version", "V1")
                // the tables declare NOT NULL columns (as Kiln's do); what Spark reads from files is always nullable
                .config("spark.sql.iceberg.check-nullability", "false")
                .getOrCreate();
    }

    static void ingest(String format, Path file, String readDdl, String tableDdl, Path work, int threads) throws Exception {
        SparkSession spark = icebergSession(work, threads, "kiln-typed-ingest-peer");
        try {
            spark.sql("CREATE NAMESPACE IF NOT EXISTS kiln.bench");
            spark.sql("CREATE TABLE kiln.bench.t (" + tableDdl + ") USING iceberg TBLPROPERTIES ("
                    + "'format-version' = '2', 'write.format.default' = 'parquet', 'write.parquet.compression-codec' = 'zstd', "
                    + "'write.target-file-size-bytes' = '134217728', 'write.parquet.row-group-size-bytes' = '16777216', "
                    // as Kiln's tables store their ids (and positions, which this table lacks)
                    + "'write.parquet.dict-encoding-enabled.column.id' = 'false')");

            Measured measured = new Measured();
            Dataset<Row> df = reader(spark, format, readDdl).load(file.toAbsolutePath().toString());
            df.writeTo("kiln.bench.t").append();
            measured.stop();
            measured.print(spark);
        }
        finally {
            spark.stop();
        }
        System.out.println("peak_rss_kb=" + status("VmHWM"));
    }

    /**
     * What a measured part cost: the process's CPU time (every thread: tasks, GC, JIT), the wall time and the CPUs other
     * processes kept busy, from its construction to {@link #stop()}; {@link #print} writes them with the rows and data
     * files of {@code kiln.bench.t} as {@code key=value} lines.
     */
    static final class Measured {
        private final com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final long[] busyBefore = machineTicks();
        private final long cpuBefore = os.getProcessCpuTime();
        private final long wallBefore = System.nanoTime();
        private long wallAfter;
        private long cpuAfter;
        private long[] busyAfter;

        void stop() {
            wallAfter = System.nanoTime();
            cpuAfter = os.getProcessCpuTime();
            busyAfter = machineTicks();
        }

        void print(SparkSession spark) {
            long rows = spark.table("kiln.bench.t").count();
            long files = spark.sql("SELECT count(*) FROM kiln.bench.t.files").first().getLong(0);
            double cpu = (cpuAfter - cpuBefore) / 1e9;
            double wall = (wallAfter - wallBefore) / 1e9;
            double others = Double.NaN;
            if (busyBefore != null && busyAfter != null && busyAfter[1] > 0) {
                others = Math.max(0, ((busyAfter[0] - busyBefore[0]) / (double) busyAfter[1] - cpu) / wall);
            }
            System.out.println("rows=" + rows);
            System.out.println("data_files=" + files);
            System.out.printf(Locale.ROOT, "cpu_s=%.3f%n", cpu);
            System.out.printf(Locale.ROOT, "wall_s=%.3f%n", wall);
            System.out.printf(Locale.ROOT, "others_cores=%.2f%n", others);
            System.out.println("spark_version=" + spark.version());
        }
    }

    /** Busy clock ticks of all CPUs so far (as bench/lib.sh counts them) and the ticks per second; null without /proc. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            return new long[] {busy, Long.getLong("clk.tck", 100L)};
        }
        catch (Exception e) {
            return null;
        }
    }

    /** A field of /proc/self/status in kB, or -1. */
    static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        }
        catch (Exception e) {
            // no /proc
        }
        return -1;
    }

    static void deleteTree(Path path) throws Exception {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
