package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.validation.Validation;

import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.dataset.source.DatasetFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.catalog.CatalogIdentity;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.KilnCatalog;
import io.kiln.check.Auditor;
import io.kiln.check.CheckSuites;
import io.kiln.lake.Publisher;
import io.kiln.transform.StepRegistry;

/**
 * A real Parquet file of 3 million rows ({@code vega-datasets}' flights, which the build installs
 * from the npm registry) goes in with its schema inferred from the footer and ids from positions:
 * every row lands, and the row count and column sums match what Arrow's own Parquet reader gives for
 * the file.
 */
class ParquetFlightsIT {
    @TempDir
    Path temp;

    private static Path flights() {
        Path file = Path.of(System.getProperty("kiln.vega.flights", System.getProperty("user.home") + "/.cache/kiln/vega-datasets-3.2.1/flights-3m.parquet"));
        if (!Files.isRegularFile(file)) {
            String message = file + " is missing: the build installs it with npm (src/test/scripts/vega-flights.sh)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        return file;
    }

    /** What Arrow reads from the file: rows, sums of delay, distance and the dates' microseconds, and origin's total length. */
    private record Totals(long rows, long delay, long distance, long dateMicros, long originCharacters) {}

    private static Totals arrow(Path file) throws Exception {
        long rows = 0;
        long delay = 0;
        long distance = 0;
        long dates = 0;
        long origins = 0;
        try (BufferAllocator allocator = new RootAllocator();
                DatasetFactory factory = new FileSystemDatasetFactory(allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, file.toUri().toString());
                Dataset dataset = factory.finish();
                Scanner scanner = dataset.newScan(new ScanOptions(1 << 15));
                ArrowReader reader = scanner.scanBatches()) {
            while (reader.loadNextBatch()) {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                BigIntVector delays = (BigIntVector) root.getVector("delay");
                BigIntVector distances = (BigIntVector) root.getVector("distance");
                TimeStampMicroVector date = (TimeStampMicroVector) root.getVector("date");
                org.apache.arrow.vector.FieldVector origin = root.getVector("origin");
                for (int i = 0; i < root.getRowCount(); i++) {
                    delay += delays.isNull(i) ? 0 : delays.get(i);
                    distance += distances.isNull(i) ? 0 : distances.get(i);
                    dates += date.isNull(i) ? 0 : date.get(i);
                    origins += origin.isNull(i) ? 0 : origin.getObject(i).toString().length();
                }
                rows += root.getRowCount();
            }
        }
        return new Totals(rows, delay, distance, dates, origins);
    }

    @Test
    void everyRowOfThreeMillionLandsWithTheSumsArrowReads() throws Exception {
        Path file = flights();
        Path inputs = Files.createDirectories(temp.resolve("inputs"));
        Files.copy(file, inputs.resolve("flights-3m.parquet"));
        CatalogSettings settings = new CatalogSettings("kiln", "jdbc:sqlite:" + temp.resolve("catalog.db"),
                Optional.empty(), Optional.empty(), "file://" + Files.createDirectories(temp.resolve("warehouse")));
        try (JdbcCatalog catalog = KilnCatalog.open(settings)) {
            JobBinder binder = new JobBinder(Validation.byDefaultProvider().configure().messageInterpolator(new ParameterMessageInterpolator())
                    .buildValidatorFactory().getValidator(), StepRegistry.defaultRegistry(), List.of(inputs), catalog,
                    new CheckSuites(temp.resolve("suites")), Optional.empty(), 0.0);
            Publisher publisher = new Publisher(catalog, KilnCatalog.claimWarehouse(settings, CatalogIdentity.of(settings)));
            ObjectMapper json = new ObjectMapper();
            JobSpec spec = new JobSpec("flights.all", new SourceSpec("file://" + inputs + "/flights-3m.parquet", "parquet", Map.of(),
                    json.readTree("\"infer\""), json.readTree("{\"from\": \"position\"}"), null, null, null, null), List.of(), null, null, null);
            BoundJob job = binder.bind(spec);
            assertThat(job.declaredColumns()).extracting(column -> column.name() + " " + column.type().spec())
                    .containsExactly("date timestamp", "delay long", "distance long", "origin string", "destination string");
            IngestPipeline.Result result = new IngestPipeline(publisher, new IngestPipeline.Settings(2, 1000, 1 << 20, 128L << 20, "test"))
                    .run("flights", job, new JobProgress(), () -> false);
            Publication.Outcome outcome = new Publication(publisher, new Auditor(Optional.empty()), settings, Duration.ofDays(1)).run("flights", job, result);
            assertThat(outcome.published()).isTrue();

            Totals expected = arrow(file);
            assertThat(expected.rows()).isEqualTo(3_000_000);
            assertThat(result.read()).isEqualTo(expected.rows());
            assertThat(result.written()).isEqualTo(expected.rows());
            assertThat(result.rejected()).isZero();

            Table table = catalog.loadTable(TableIdentifier.of("flights", "all"));
            assertThat(table.schema().findType("date")).isEqualTo(Types.TimestampType.withZone());
            long rows = 0;
            long delay = 0;
            long distance = 0;
            long dates = 0;
            long origins = 0;
            OffsetDateTime epoch = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
            try (CloseableIterable<Record> records = IcebergGenerics.read(table).select("date", "delay", "distance", "origin").build()) {
                for (Record record : records) {
                    rows++;
                    delay += record.getField("delay") == null ? 0 : (Long) record.getField("delay");
                    distance += record.getField("distance") == null ? 0 : (Long) record.getField("distance");
                    dates += record.getField("date") == null ? 0 : ChronoUnit.MICROS.between(epoch, (OffsetDateTime) record.getField("date"));
                    origins += record.getField("origin") == null ? 0 : record.getField("origin").toString().length();
                }
            }
            assertThat(new Totals(rows, delay, distance, dates, origins)).isEqualTo(expected);
        }
    }
}
