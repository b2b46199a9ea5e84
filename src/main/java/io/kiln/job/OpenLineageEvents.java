package io.kiln.job;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kiln.catalog.CatalogSettings;
import io.kiln.check.CheckResult;
import io.kiln.lake.TableLayout;
import io.kiln.source.InputFile;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent.EventType;

/**
 * Kiln's jobs as OpenLineage run events, built with the OpenLineage Java client's model. A job is
 * one run (its run id is the UUID of the job id) of the OpenLineage job {@code ingest.<table>} in
 * the configured namespace. Its inputs are files (namespace {@code file}, name the path) whose
 * {@code version} facet is their sha256 from the snapshot's input manifest; its output is the
 * table (the configured namespace, name the table identifier) with its schema, the snapshot id as
 * {@code version}, the catalog, the row and file counts, the checks as {@code dataQualityAssertions},
 * and Kiln's recipe and digests ({@code kiln_snapshot}). Facet schemas of Kiln's own facets are in
 * {@code src/main/resources/openlineage/facets}. Stateless apart from the catalog it reads; thread-safe.
 */
final class OpenLineageEvents {
    /** Kiln's own facets' schemas, by file name under this base (the files ship in the jar under {@code openlineage/facets/}). */
    static final String FACETS_BASE = "https://kiln.dev/openlineage/facets/1-0-0/";
    static final URI PRODUCER = URI.create("https://kiln.dev/openlineage/producer");
    /** Inputs listed in one event at most; {@code kiln_job} says how many the job had. */
    static final int MAX_LISTED_INPUTS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenLineage model;
    private final URI producer;
    private final Catalog catalog;
    private final CatalogSettings catalogSettings;
    private final String namespace;
    private final String kilnVersion;

    OpenLineageEvents(Catalog catalog, CatalogSettings catalogSettings, String namespace, String kilnVersion) {
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.catalogSettings = requireNonNull(catalogSettings, "catalogSettings is null");
        this.namespace = requireNonNull(namespace, "namespace is null");
        this.kilnVersion = requireNonNull(kilnVersion, "kilnVersion is null");
        this.producer = URI.create(PRODUCER + "/" + kilnVersion);
        this.model = new OpenLineage(producer);
    }

    /**
     * The job started: the inputs it lists (no digests yet; at most {@link #MAX_LISTED_INPUTS}, the caller's
     * choice, of {@code inputCount}) and the table it writes.
     */
    OpenLineage.RunEvent started(Job job, List<InputFile> inputs, int inputCount) {
        List<OpenLineage.InputDataset> listed = inputs.stream().map(file -> input(file.uri(), Optional.empty(), file.size())).toList();
        return event(job, EventType.START, time(job.startedAt()), listed, inputCount, output(job, table(job.table()), Optional.empty()));
    }

    /** The event of a job's end (COMPLETE, FAIL or ABORT), with what its staged snapshot records; empty for a job that is not over. */
    Optional<OpenLineage.RunEvent> ended(Job job) {
        EventType type = switch (job.state()) {
            case PUBLISHED -> EventType.COMPLETE;
            case REJECTED, FAILED -> EventType.FAIL;
            case CANCELLED -> EventType.ABORT;
            default -> null;
        };
        if (type == null) {
            return Optional.empty();
        }
        Optional<Table> table = table(job.table());
        Long snapshotId = job.auditedSnapshotId() != null ? job.auditedSnapshotId() : job.snapshotId();
        Optional<Snapshot> snapshot = table.flatMap(t -> Optional.ofNullable(snapshotId == null ? null : t.snapshot(snapshotId)));
        List<OpenLineage.InputDataset> inputs = new ArrayList<>();
        int inputCount = 0;
        if (snapshot.isPresent()) {
            try {
                Map<String, String> summary = snapshot.get().summary();
                List<InputPlan.ManifestEntry> manifest = InputPlan.recorded(table.get(), summary, MAX_LISTED_INPUTS);
                inputCount = Math.max(manifest.size(), Math.toIntExact(Optional.ofNullable(longOf(summary.get("kiln.input-files"))).orElse(0L)));
                manifest.forEach(entry -> inputs.add(input(entry.uri(), Optional.of(entry.sha256()), entry.bytes())));
            }
            catch (IOException e) {
                throw new java.io.UncheckedIOException("Cannot read the input manifest of snapshot " + snapshotId + ": " + e.getMessage(), e);
            }
        }
        return Optional.of(event(job, type, time(job.finishedAt()), inputs, inputCount, output(job, table, snapshot)));
    }

    private OpenLineage.RunEvent event(Job job, EventType type, ZonedDateTime time, List<OpenLineage.InputDataset> inputs, int inputCount,
            OpenLineage.OutputDataset output) {
        OpenLineage.RunFacetsBuilder runFacets = model.newRunFacetsBuilder()
                .processing_engine(model.newProcessingEngineRunFacetBuilder().name("Kiln").version(kilnVersion).openlineageAdapterVersion(kilnVersion).build())
                .put("kiln_job", new KilnJobRunFacet(producer, job, inputCount, inputs.size()));
        if (job.error() != null && type == EventType.FAIL) {
            runFacets.errorMessage(model.newErrorMessageRunFacetBuilder().message(job.error().code() + ": " + job.error().message())
                    .programmingLanguage("Java").build());
        }
        OpenLineage.JobFacets jobFacets = model.newJobFacetsBuilder()
                .jobType(model.newJobTypeJobFacetBuilder().processingType("BATCH").integration("KILN").jobType("INGEST").build())
                .build();
        return model.newRunEventBuilder()
                .eventType(type)
                .eventTime(time)
                .run(model.newRun(runId(job.id()), runFacets.build()))
                .job(model.newJob(namespace, jobName(job.table()), jobFacets))
                .inputs(inputs)
                .outputs(List.of(output))
                .build();
    }

    private OpenLineage.InputDataset input(String uri, Optional<String> sha256, long bytes) {
        OpenLineage.DatasetFacetsBuilder facets = model.newDatasetFacetsBuilder();
        sha256.ifPresent(digest -> facets.version(model.newDatasetVersionDatasetFacet(digest)));
        return model.newInputDatasetBuilder()
                .namespace("file")
                .name(filePath(uri))
                .facets(facets.build())
                .inputFacets(model.newInputDatasetInputFacetsBuilder()
                        .inputStatistics(model.newInputStatisticsInputDatasetFacetBuilder().size(bytes).fileCount(1L).build()).build())
                .build();
    }

    private OpenLineage.OutputDataset output(Job job, Optional<Table> table, Optional<Snapshot> snapshot) {
        OpenLineage.DatasetFacetsBuilder facets = model.newDatasetFacetsBuilder()
                .storage(model.newStorageDatasetFacet("iceberg", "parquet"))
                .catalog(model.newCatalogDatasetFacetBuilder().framework("iceberg").type("jdbc").name(catalogSettings.name())
                        .metadataUri(catalogSettings.redactedJdbcUri()).warehouseUri(catalogSettings.warehouse()).source("kiln").build());
        OpenLineage.OutputDatasetOutputFacetsBuilder outputFacets = model.newOutputDatasetOutputFacetsBuilder();
        table.ifPresent(t -> facets.schema(schema(snapshot.map(s -> s.schemaId() == null ? t.schema() : t.schemas().get(s.schemaId())).orElse(t.schema()))));
        if (snapshot.isPresent()) {
            Map<String, String> summary = snapshot.get().summary();
            Long version = job.state() == JobState.PUBLISHED && job.snapshotId() != null ? job.snapshotId() : snapshot.get().snapshotId();
            facets.version(model.newDatasetVersionDatasetFacet(Long.toString(version)));
            facets.put("kiln_snapshot", new KilnSnapshotDatasetFacet(producer, job, summary, TableLayout.rejectsOf(
                    TableIdentifier.parse(job.table())).toString()));
            if (job.state() == JobState.PUBLISHED) {
                outputFacets.outputStatistics(model.newOutputStatisticsOutputDatasetFacetBuilder().rowCount(job.counts().written())
                        .size(longOf(summary.get("added-files-size"))).fileCount(longOf(summary.get("added-data-files"))).build());
            }
        }
        if (!job.checks().isEmpty()) {
            facets.put("dataQualityAssertions", new DataQualityAssertions(producer, job.checks()));
        }
        return model.newOutputDatasetBuilder().namespace(namespace).name(job.table()).facets(facets.build()).outputFacets(outputFacets.build()).build();
    }

    private OpenLineage.SchemaDatasetFacet schema(org.apache.iceberg.Schema schema) {
        return model.newSchemaDatasetFacet(schema.columns().stream().map(this::field).toList());
    }

    private OpenLineage.SchemaDatasetFacetFields field(Types.NestedField column) {
        List<OpenLineage.SchemaDatasetFacetFields> nested = column.type().isNestedType()
                ? column.type().asNestedType().fields().stream().map(this::field).toList()
                : null;
        return model.newSchemaDatasetFacetFields(column.name(), column.type().isPrimitiveType() ? column.type().toString() : column.type().typeId().name().toLowerCase(java.util.Locale.ROOT),
                column.doc(), nested == null || nested.isEmpty() ? null : nested);
    }

    private Optional<Table> table(String name) {
        try {
            return Optional.of(catalog.loadTable(TableIdentifier.parse(name)));
        }
        catch (NoSuchTableException e) {
            return Optional.empty();
        }
    }

    static String jobName(String table) {
        return "ingest." + table;
    }

    /** The job id's UUID ({@code job-<uuid>}), or a UUID derived from an id of another shape. */
    static UUID runId(String jobId) {
        String uuid = jobId.startsWith("job-") ? jobId.substring(4) : jobId;
        try {
            return UUID.fromString(uuid);
        }
        catch (IllegalArgumentException e) {
            return UUID.nameUUIDFromBytes(jobId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static String filePath(String uri) {
        return uri.startsWith("file:") ? URI.create(uri).getPath() : uri;
    }

    private static ZonedDateTime time(Instant instant) {
        return (instant == null ? Instant.now() : instant).atZone(ZoneOffset.UTC);
    }

    private static Long longOf(String value) {
        try {
            return value == null ? null : Long.valueOf(value);
        }
        catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code kiln_job}: the job as Kiln reports it (its id, who submitted it, its counts and rejects by reason). */
    static final class KilnJobRunFacet extends OpenLineage.DefaultRunFacet {
        private final Job job;
        private final int inputs;
        private final int inputsListed;

        KilnJobRunFacet(URI producer, Job job, int inputs, int inputsListed) {
            super(producer);
            this.job = job;
            this.inputs = inputs;
            this.inputsListed = inputsListed;
        }

        @Override
        public URI get_schemaURL() {
            return URI.create(FACETS_BASE + "KilnJobRunFacet.json#/$defs/KilnJobRunFacet");
        }

        @JsonProperty
        public String getJobId() {
            return job.id();
        }

        @JsonProperty
        public String getState() {
            return job.state().name();
        }

        @JsonProperty
        public String getSubmittedBy() {
            return job.submittedBy();
        }

        @JsonProperty
        public String getSpecSha256() {
            return job.specSha256();
        }

        @JsonProperty
        public long getRowsRead() {
            return job.counts().read();
        }

        @JsonProperty
        public long getRowsWritten() {
            return job.counts().written();
        }

        @JsonProperty
        public long getRowsRejected() {
            return job.counts().rejected();
        }

        @JsonProperty
        public Map<String, Long> getRejectedByReason() {
            return new java.util.TreeMap<>(job.rejectedByReason());
        }

        @JsonProperty
        public Long getInputBytes() {
            return job.inputBytes();
        }

        /** Inputs of the job; the event lists {@link #getInputsListed()} of them. */
        @JsonProperty
        public int getInputs() {
            return inputs;
        }

        @JsonProperty
        public int getInputsListed() {
            return inputsListed;
        }
    }

    /** {@code kiln_snapshot}: how the table's rows were made (recipe) and what they hash to, from the snapshot's summary. */
    static final class KilnSnapshotDatasetFacet extends OpenLineage.DefaultDatasetFacet {
        private final Job job;
        private final Map<String, String> summary;
        private final String rejectsTable;

        KilnSnapshotDatasetFacet(URI producer, Job job, Map<String, String> summary, String rejectsTable) {
            super(producer, null);
            this.job = job;
            this.summary = summary;
            this.rejectsTable = rejectsTable;
        }

        @Override
        public URI get_schemaURL() {
            return URI.create(FACETS_BASE + "KilnSnapshotDatasetFacet.json#/$defs/KilnSnapshotDatasetFacet");
        }

        @JsonProperty
        public String getRecipe() {
            return summary.get("kiln.recipe");
        }

        @JsonProperty
        public Object getRecipeSpec() {
            String spec = summary.get("kiln.recipe-spec");
            try {
                return spec == null ? null : JSON.readTree(spec);
            }
            catch (IOException e) {
                return spec;
            }
        }

        @JsonProperty
        public String getContentDigest() {
            return summary.get("kiln.content-digest");
        }

        @JsonProperty
        public String getInputDigest() {
            return summary.get("kiln.input-digest");
        }

        /** The staged snapshot the checks read; its rows are the published snapshot's. */
        @JsonProperty
        public Long getAuditedSnapshotId() {
            return job.auditedSnapshotId();
        }

        /** The branch that keeps a rejected job's rows; null when published. */
        @JsonProperty
        public String getBranch() {
            return job.branch();
        }

        @JsonProperty
        public String getRejectsTable() {
            return rejectsTable;
        }
    }

    /**
     * OpenLineage's {@code dataQualityAssertions} facet on the output, where the checks ran: the
     * client's class of it is an input facet, so this writes the same fields as a dataset facet.
     */
    static final class DataQualityAssertions extends OpenLineage.DefaultDatasetFacet {
        private final List<Map<String, Object>> assertions;

        DataQualityAssertions(URI producer, List<CheckResult> checks) {
            super(producer, null);
            this.assertions = checks.stream().map(check -> {
                Map<String, Object> assertion = new LinkedHashMap<>();
                assertion.put("assertion", check.source() + ": " + check.rule());
                assertion.put("success", check.passed());
                return assertion;
            }).toList();
        }

        @Override
        public URI get_schemaURL() {
            return URI.create("https://openlineage.io/spec/facets/1-0-1/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet");
        }

        @JsonProperty
        public List<Map<String, Object>> getAssertions() {
            return assertions;
        }
    }
}
