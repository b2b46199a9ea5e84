package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.validation.Validation;
import jakarta.validation.Validator;

import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

import io.kiln.catalog.CatalogIdentity;
import io.kiln.catalog.CatalogSettings;
import io.kiln.catalog.KilnCatalog;
import io.kiln.check.Auditor;
import io.kiln.check.CheckSuites;
import io.kiln.lake.Publisher;
import io.kiln.transform.StepRegistry;

/**
 * What a job needs below the service, for tests that run whole jobs: an SQLite catalog and a local
 * warehouse in {@code folder}, a binder over the source roots, and {@link #run}, which binds, ingests
 * and publishes a job as the service does (without the check engine) and asserts that it published.
 */
final class PipelineHarness implements AutoCloseable {
    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory().getValidator();

    final CatalogSettings settings;
    final JdbcCatalog catalog;
    final JobBinder binder;
    final Publisher publisher;

    PipelineHarness(Path folder, List<Path> sourceRoots) throws IOException {
        this(folder, sourceRoots, Map.of());
    }

    /** {@code secretKeys}: the keys configured by id, as {@code kiln.privacy.keys.<id>} configures them in the service. */
    PipelineHarness(Path folder, List<Path> sourceRoots, Map<String, String> secretKeys) throws IOException {
        settings = new CatalogSettings("kiln", "jdbc:sqlite:" + folder.resolve("catalog.db"),
                Optional.empty(), Optional.empty(), "file://" + Files.createDirectories(folder.resolve("warehouse")));
        catalog = KilnCatalog.open(settings);
        binder = new JobBinder(VALIDATOR, StepRegistry.defaultRegistry(), sourceRoots, catalog, new CheckSuites(folder.resolve("suites")), Optional.empty(), 0.9,
                keyId -> Optional.ofNullable(secretKeys.get(keyId)));
        publisher = new Publisher(catalog, KilnCatalog.claimWarehouse(settings, CatalogIdentity.of(settings)));
    }

    /** Binds, ingests on {@code threads} workers in batches of {@code batch} records, and publishes the job. */
    IngestPipeline.Result run(String jobId, JobSpec spec, int threads, int batch) {
        Audited audited = audit(jobId, spec, threads, batch);
        assertThat(audited.outcome().published()).as("%s", audited.outcome().checks()).isTrue();
        return audited.result();
    }

    /** A job's rows and what its audit decided (published or not). */
    record Audited(IngestPipeline.Result result, Publication.Outcome outcome) {}

    /** Binds, ingests and audits the job as the service does; publishes it only when its checks pass. */
    Audited audit(String jobId, JobSpec spec, int threads, int batch) {
        BoundJob job = binder.bind(spec);
        IngestPipeline pipeline = new IngestPipeline(publisher, new IngestPipeline.Settings(threads, batch, 1 << 20, 1 << 20, "test"));
        IngestPipeline.Result result = pipeline.run(jobId, job, new JobProgress(), () -> false);
        return new Audited(result, new Publication(publisher, new Auditor(Optional.empty()), settings, Duration.ofDays(1)).run(jobId, job, result));
    }

    /** Every row of the table's current snapshot. */
    static List<Record> rows(Table table) throws IOException {
        table.refresh();
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            records.forEach(record -> rows.add(record.copy()));
        }
        return rows;
    }

    /** A tar file (gzipped when asked) of the members, in order: a WebDataset shard. */
    static Path tar(Path file, boolean gzip, List<Map.Entry<String, byte[]>> members) throws IOException {
        try (java.io.OutputStream out = gzip ? new java.util.zip.GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file);
                org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> member : members) {
                org.apache.commons.compress.archivers.tar.TarArchiveEntry entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(member.getKey());
                entry.setSize(member.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(member.getValue());
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    @Override
    public void close() throws IOException {
        catalog.close();
    }
}
