import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.apache.arrow.memory.RootAllocator;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;

import io.kiln.read.SnapshotScan;

/**
 * The limit of the export benchmark: a plain Iceberg scan of one snapshot, reading every row and
 * every column with Iceberg's generic reader (IcebergGenerics), as any Java client of the catalog
 * would. It opens Kiln's embedded catalog directly (SQLite, schema version V1) and touches every
 * value (strings: their length) so nothing is optimized away. It scans PASSES times (default 2;
 * the first warms the JIT), then reads the snapshot as often through Kiln's own read path
 * ({@code io.kiln.read.SnapshotScan}: the same scan, into Arrow vectors, no output), and prints
 * one tab-separated line per pass: {@code reader pass rows chars seconds cpu_seconds}
 * (reader: {@code plain} or {@code kiln}).
 *
 * <pre>java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "target/quarkus-app/lib/main/*:target/quarkus-app/app/*" \
 *     bench/PlainScan.java DATA_DIR TABLE SNAPSHOT_ID [PASSES]</pre>
 */
public final class PlainScan {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PlainScan DATA_DIR TABLE SNAPSHOT_ID [PASSES]");
            System.exit(2);
        }
        String dataDirectory = java.nio.file.Path.of(args[0]).toAbsolutePath().normalize().toString();
        long snapshotId = Long.parseLong(args[2]);
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Class.forName("org.sqlite.JDBC");
        try (JdbcCatalog catalog = new JdbcCatalog()) {
            catalog.setConf(new Configuration());
            catalog.initialize("kiln", Map.of(
                    "uri", "jdbc:sqlite:" + dataDirectory + "/catalog.db",
                    "warehouse", "file://" + dataDirectory + "/warehouse",
                    "jdbc.schema-version", "V1"));
            Table table = catalog.loadTable(TableIdentifier.parse(args[1]));
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            for (int pass = 1; pass <= passes; pass++) {
                long cpuBefore = os.getProcessCpuTime();
                long start = System.nanoTime();
                long rows = 0;
                long chars = 0;
                try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshotId).build()) {
                    for (Record record : records) {
                        for (int i = 0; i < record.size(); i++) {
                            Object value = record.get(i);
                            if (value instanceof CharSequence text) {
                                chars += text.length();
                            }
                            else if (value instanceof List<?> list) {
                                chars += list.size();
                            }
                            else if (value != null) {
                                chars++;
                            }
                        }
                        rows++;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
                System.out.printf("plain\t%d\t%d\t%d\t%.3f\t%.3f%n", pass, rows, chars, seconds, cpuSeconds);
            }
            try (RootAllocator allocator = new RootAllocator(1L << 30)) {
                for (int pass = 1; pass <= passes; pass++) {
                    long cpuBefore = os.getProcessCpuTime();
                    long start = System.nanoTime();
                    long rows = 0;
                    SnapshotScan scan = SnapshotScan.builder(args[1], table, snapshotId).build();
                    try (SnapshotScan.Batches batches = scan.open(allocator, OptionalLong.empty())) {
                        while (batches.next()) {
                            rows += batches.root().getRowCount();
                        }
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
                    System.out.printf("kiln\t%d\t%d\t0\t%.3f\t%.3f%n", pass, rows, seconds, cpuSeconds);
                }
            }
        }
    }
}
