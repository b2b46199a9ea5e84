package io.kiln.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

import io.kiln.check.CheckEngine;
import io.kiln.check.CheckEngineException;
import io.kiln.check.CheckSuites;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.error.Violation;
import io.kiln.lake.Publisher;
import io.kiln.lake.TableLayout;
import io.kiln.source.SourceResolver;
import io.kiln.lake.TableSchemas;
import io.kiln.transform.Column;
import io.kiln.transform.DataType;
import io.kiln.transform.InvalidStepParameterException;
import io.kiln.transform.StepDefinition;
import io.kiln.transform.StepRegistry;
import io.kiln.transform.Transform;
import io.kiln.transform.TransformChain;

/**
 * Checks a JobSpec completely and binds it: Hibernate Validator for its shape, then every step
 * and parameter, the source (a readable file URI inside the source roots) and the tag. All the
 * problems found are reported together, each naming its field.
 */
public final class JobBinder {
    private final Validator validator;
    private final StepRegistry steps;
    private final SourceResolver sources;
    private final Catalog catalog;
    private final CheckSuites suites;
    private final Optional<CheckEngine> engine;
    private final double defaultMaxRejectedRate;
    private final java.util.function.Function<String, Optional<String>> secretKeys;

    public JobBinder(Validator validator, StepRegistry steps, List<Path> sourceRoots, Catalog catalog,
            CheckSuites suites, Optional<CheckEngine> engine, double defaultMaxRejectedRate) {
        this(validator, steps, sourceRoots, catalog, suites, engine, defaultMaxRejectedRate, keyId -> Optional.empty());
    }

    /** {@code secretKeys}: the key configured under an id ({@code kiln.privacy.keys.<id>}), for steps that pseudonymize. */
    public JobBinder(Validator validator, StepRegistry steps, List<Path> sourceRoots, Catalog catalog,
            CheckSuites suites, Optional<CheckEngine> engine, double defaultMaxRejectedRate,
            java.util.function.Function<String, Optional<String>> secretKeys) {
        this.secretKeys = java.util.Objects.requireNonNull(secretKeys, "secretKeys is null");
        this.validator = validator;
        this.steps = steps;
        this.sources = new SourceResolver(sourceRoots);
        this.catalog = catalog;
        this.suites = suites;
        this.engine = engine;
        this.defaultMaxRejectedRate = defaultMaxRejectedRate;
    }

    /** @throws KilnException INVALID_JOB_SPEC with one violation per bad field */
    private boolean insideRoots(String path) {
        try {
            return sources.contains(java.nio.file.Path.of(path));
        }
        catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    public BoundJob bind(JobSpec spec) {
        List<Violation> violations = new ArrayList<>();
        Set<String> invalid = new HashSet<>();
        for (ConstraintViolation<JobSpec> violation : validator.validate(spec)) {
            String field = violation.getPropertyPath().toString();
            violations.add(new Violation(field, violation.getMessage()));
            invalid.add(field);
        }

        Optional<TableIdentifier> table = Optional.empty();
        if (!invalid.contains("table")) {
            table = Optional.of(TableIdentifier.parse(spec.table()));
            if (table.get().name().endsWith(TableLayout.REJECTS_SUFFIX)) {
                violations.add(new Violation("table", "must not end with " + TableLayout.REJECTS_SUFFIX + ": that suffix names rejects tables"));
            }
        }
        Optional<String> suite = Optional.empty();
        if (spec.checks() != null && !invalid.contains("checks")) {
            suite = suites.read(spec.checks());
            if (suite.isEmpty()) {
                String known = suites.names().isEmpty() ? "none in " + suites.directory() : String.join(", ", suites.names());
                violations.add(new Violation("checks", "unknown check suite '" + spec.checks() + "'; known suites: " + known));
            }
            else {
                // the rules Kiln decides itself (row rules, label rules) need no engine; the engine validates the rest
                io.kiln.check.RowRules.Split split = io.kiln.check.RowRules.split(suite.get());
                boolean kilnOnly = split.engineSuite().isEmpty() && split.rowRules().stream().noneMatch(rule -> rule.kind() == io.kiln.check.RowRules.Kind.UNIQUE);
                if (!kilnOnly) {
                    validateSuite(split.engineSuite().orElse(suite.get())).ifPresent(problem -> violations.add(new Violation("checks", problem)));
                }
            }
        }

        Optional<Unification.Bound> unified = Unification.bind(spec, invalid, sources, this::lookupTable, violations);
        Optional<SourceBinding.Bound> source = unified.map(Unification.Bound::source);

        List<Transform> transforms = new ArrayList<>();
        List<Integer> stepIndexes = new ArrayList<>();
        List<Map<String, Object>> recipeSteps = new ArrayList<>();
        if (spec.steps().size() > JobSpec.MAX_STEPS) {
            violations.add(new Violation("steps", "must be at most " + JobSpec.MAX_STEPS + " steps, was " + spec.steps().size()));
        }
        for (int i = 0; i < spec.steps().size() && spec.steps().size() <= JobSpec.MAX_STEPS; i++) {
            StepSpec step = spec.steps().get(i);
            if (step == null || invalid.contains("steps[" + i + "].name")) {
                continue;
            }
            Optional<StepDefinition> definition = steps.find(step.name());
            if (definition.isEmpty()) {
                violations.add(new Violation("steps[" + i + "].name", "unknown step '" + step.name() + "'; known steps: " + steps.knownNames()));
                continue;
            }
            if (step.version() != null) {
                if (invalid.contains("steps[" + i + "].version")) {
                    continue;
                }
                definition = steps.find(step.name(), step.version());
                if (definition.isEmpty()) {
                    violations.add(new Violation("steps[" + i + "].version", "step '" + step.name() + "' has no version " + step.version() + "; its versions are "
                            + steps.versions(step.name()).stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))));
                    continue;
                }
            }
            // a file a step reads (parameters named ...Path, at any depth) is read from the source roots only, like the inputs
            Optional<String> outside = outsideRoots("", step.params());
            if (outside.isPresent()) {
                violations.add(new Violation("steps[" + i + "].params." + outside.get(), "is outside the configured source roots"));
                continue;
            }
            try {
                Map<String, String> earlier = new java.util.TreeMap<>();
                transforms.forEach(bound -> earlier.putAll(bound.fingerprint()));
                Transform transform = definition.get().bind(step.params(), stepContext(table, earlier, columnsReaching(source, transforms)));
                transforms.add(transform);
                stepIndexes.add(i);
                Map<String, Object> recipeStep = new LinkedHashMap<>();
                recipeStep.put("step", definition.get().id().toString());
                recipeStep.put("params", step.params());
                if (!transform.fingerprint().isEmpty()) {
                    recipeStep.put("fingerprint", transform.fingerprint());
                }
                recipeSteps.add(recipeStep);
            }
            catch (InvalidStepParameterException e) {
                violations.add(new Violation("steps[" + i + "].params." + e.parameter(), e.getMessage()));
            }
        }

        if (source.isPresent()) {
            List<Column> available = new ArrayList<>(source.get().declared());
            available.addAll(source.get().format().columns());
            checkColumnsRead(transforms, stepIndexes, available, violations);
        }

        Optional<String> tag = Optional.ofNullable(spec.tag());
        if (tag.isPresent() && !invalid.contains("tag")) {
            if (tag.get().equals(Publisher.MAIN)) {
                violations.add(new Violation("tag", "'" + Publisher.MAIN + "' is reserved: it names the table's main branch"));
            }
            else if (tag.get().startsWith(Publisher.JOB_BRANCH_PREFIX)) {
                violations.add(new Violation("tag", "must not start with " + Publisher.JOB_BRANCH_PREFIX + ": Kiln names its job branches so"));
            }
            else if (table.isPresent() && tagExists(table.get(), tag.get())) {
                violations.add(new Violation("tag", "tag '" + tag.get() + "' already exists on table " + spec.table()));
            }
        }

        if (!violations.isEmpty()) {
            violations.sort(Comparator.comparing(Violation::field));
            throw KilnException.invalidSpec(violations);
        }
        // the eval sets of the suite's contamination rules are the pins' snapshots now, whatever the pins say at publish
        Map<String, io.kiln.transform.StepContext.TableRows> evalSets = new java.util.TreeMap<>();
        if (suite.isPresent()) {
            io.kiln.transform.StepContext context = stepContext(table, Map.of());
            for (io.kiln.check.ContaminationRules.Rule rule : io.kiln.check.RowRules.split(suite.get()).contaminationRules()) {
                Optional<io.kiln.transform.StepContext.TableRows> rows = context.rows(rule.evalTable(), rule.evalPin(), List.of(io.kiln.check.ContaminationRules.TEXT_COLUMN));
                if (rows.isEmpty()) {
                    violations.add(new Violation("checks", "suite " + spec.checks() + ": eval set " + rule.evalSet() + " has no published snapshot or pin '"
                            + rule.evalPin() + "' with a " + io.kiln.check.ContaminationRules.TEXT_COLUMN + " column"));
                }
                else {
                    evalSets.put(rule.evalSet(), rows.get());
                }
            }
        }
        if (!violations.isEmpty()) {
            violations.sort(Comparator.comparing(Violation::field));
            throw KilnException.invalidSpec(violations);
        }
        SourceBinding.Bound read = source.orElseThrow();
        Recipe recipe = Recipe.of(read.recipe(), recipeSteps);
        TransformChain chain = new TransformChain(transforms);
        Map<String, DataType> types = new LinkedHashMap<>();
        BoundJob.tableColumns(read.declared(), read.format(), chain).forEach(column -> types.put(column.name(), column.type()));
        BoundJob bound = new BoundJob(table.orElseThrow(), unified.orElseThrow().sourceUri(), read.inputs(), read.format(), read.options(), read.declared(), chain,
                recipe, tag, Optional.ofNullable(spec.checks()), suite, spec.maxRejectedRate() == null ? defaultMaxRejectedRate : spec.maxRejectedRate(),
                suite.map(text -> io.kiln.check.RowRules.split(text, types)).orElse(io.kiln.check.RowRules.Split.none(Optional.empty())), evalSets,
                unified.orElseThrow().joins());
        checkTableSchema(bound, transforms, stepIndexes);
        return bound;
    }

    /** The first parameter named {@code ...Path} (in a nested object too) whose file is outside the source roots, by its dotted name. */
    private Optional<String> outsideRoots(String prefix, Map<?, ?> parameters) {
        for (Map.Entry<?, ?> parameter : new java.util.TreeMap<>(parameters).entrySet()) {
            String name = prefix + parameter.getKey();
            if (parameter.getKey() instanceof String key && key.endsWith("Path") && parameter.getValue() instanceof String path && !insideRoots(path)) {
                return Optional.of(name);
            }
            if (parameter.getValue() instanceof Map<?, ?> nested) {
                Optional<String> found = outsideRoots(name + ".", nested);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** Keys from configuration; summaries of the job table's pins and published snapshots. */
    private io.kiln.transform.StepContext stepContext(Optional<TableIdentifier> table, Map<String, String> earlierFingerprints) {
        return stepContext(table, earlierFingerprints, List.of());
    }

    /**
     * Binds a recipe's steps ({@code step} "name@version" and {@code params}) for the serving path of a
     * snapshot of {@code table}, whose rows start with the {@code declared} columns; a step the recipe
     * names that this Kiln cannot bind is a 400.
     */
    List<Transform> bindServing(TableIdentifier table, List<Map<String, Object>> recipeSteps, List<Column> declared) {
        List<Transform> transforms = new ArrayList<>();
        Map<String, Column> columns = new LinkedHashMap<>();
        columns.put(TableLayout.ID.name(), Column.string(TableLayout.ID.name(), "the row id"));
        declared.forEach(column -> columns.put(column.name(), column));
        for (int i = 0; i < recipeSteps.size(); i++) {
            String step = String.valueOf(recipeSteps.get(i).get("step"));
            int at = step.lastIndexOf('@');
            Optional<StepDefinition> definition = at < 0 ? Optional.empty() : steps.find(step.substring(0, at), Integer.parseInt(step.substring(at + 1)));
            if (definition.isEmpty()) {
                throw new KilnException(ErrorCode.INVALID_REQUEST, "The snapshot's recipe names step " + step + ", which this Kiln does not have");
            }
            Map<String, String> earlier = new java.util.TreeMap<>();
            transforms.forEach(bound -> earlier.putAll(bound.fingerprint()));
            @SuppressWarnings("unchecked")
            Map<String, Object> params = (Map<String, Object>) recipeSteps.get(i).get("params");
            Transform transform;
            try {
                transform = definition.get().bind(params, stepContext(Optional.of(table), earlier, List.copyOf(columns.values())));
            }
            catch (InvalidStepParameterException e) {
                throw new KilnException(ErrorCode.INVALID_REQUEST, "The snapshot's recipe cannot be bound again: steps[" + i + "]." + e.parameter() + ": " + e.getMessage());
            }
            transform.removes().forEach(columns::remove);
            transform.columns().forEach(column -> columns.put(column.name(), column));
            transforms.add(transform);
        }
        return transforms;
    }

    /** The columns the rows have after the source and {@code transforms}: the id, the source's, then what each step sets or removes. */
    private static List<Column> columnsReaching(Optional<SourceBinding.Bound> source, List<Transform> transforms) {
        Map<String, Column> columns = new LinkedHashMap<>();
        columns.put(TableLayout.ID.name(), Column.string(TableLayout.ID.name(), "the row id"));
        source.ifPresent(bound -> {
            bound.declared().forEach(column -> columns.put(column.name(), column));
            bound.format().columns().forEach(column -> columns.put(column.name(), column));
        });
        for (Transform transform : transforms) {
            transform.removes().forEach(columns::remove);
            transform.columns().forEach(column -> columns.put(column.name(), column));
        }
        return List.copyOf(columns.values());
    }

    private io.kiln.transform.StepContext stepContext(Optional<TableIdentifier> table, Map<String, String> earlierFingerprints, List<Column> columnsBefore) {
        return new io.kiln.transform.StepContext() {
            @Override
            public List<Column> columnsBefore() {
                return columnsBefore;
            }

            @Override
            public Map<String, String> earlierFingerprints() {
                return Map.copyOf(earlierFingerprints);
            }

            @Override
            public Optional<io.kiln.transform.StepContext.TableRows> rows(String name, String reference, List<String> columns) {
                return lookupTable(name, reference).map(table -> table.rows(columns)).filter(rows -> rows.columns().containsAll(columns));
            }

            @Override
            public Optional<byte[]> secretKey(String keyId) {
                return secretKeys.apply(keyId).filter(key -> !key.isEmpty()).map(key -> key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public Optional<io.kiln.transform.StepContext.PublishedState> publishedState(String reference, String stateName) {
                Optional<Table> loaded = table.flatMap(identifier -> loadTable(identifier.toString()));
                Optional<org.apache.iceberg.Snapshot> snapshot = loaded.flatMap(found -> published(found, reference));
                if (snapshot.isEmpty()) {
                    return Optional.empty();
                }
                for (org.apache.iceberg.Snapshot at : org.apache.iceberg.util.SnapshotUtil.ancestorsOf(snapshot.get().snapshotId(), loaded.get()::snapshot)) {
                    String location = at.summary().get(io.kiln.lake.DedupSegments.SEGMENT_PREFIX + stateName);
                    if (location != null) {
                        try (java.io.InputStream in = loaded.get().io().newInputFile(location).newStream()) {
                            byte[] bytes = in.readAllBytes();
                            return Optional.of(new io.kiln.transform.StepContext.PublishedState(at.snapshotId(), new String(bytes, java.nio.charset.StandardCharsets.UTF_8),
                                    io.kiln.transform.Values.sha256(java.nio.ByteBuffer.wrap(bytes))));
                        }
                        catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
                return Optional.empty();
            }

            @Override
            public Optional<Map<String, String>> publishedSummary(String reference) {
                if (table.isEmpty()) {
                    return Optional.empty();
                }
                Table loaded;
                try {
                    loaded = catalog.loadTable(table.get());
                }
                catch (NoSuchTableException e) {
                    return Optional.empty();
                }
                return published(loaded, reference).map(org.apache.iceberg.Snapshot::summary);
            }

            @Override
            public Optional<io.kiln.transform.StepContext.Labels> labels(String name, String reference, String column, int maxRows) {
                return readColumn(name, reference, column, maxRows, "gold", "a gold set",
                        value -> value == null ? null : io.kiln.transform.Values.digestText(value))
                        .map(read -> new io.kiln.transform.StepContext.Labels(read.snapshot().snapshotId(), read.byId()));
            }

            @Override
            public Optional<io.kiln.transform.StepContext.Vectors> vectors(String name, String reference, String column, int maxRows) {
                return readColumn(name, reference, column, maxRows, "seeds", "seed vectors", io.kiln.transform.Values::floats).map(read -> new io.kiln.transform.StepContext.Vectors(read.snapshot().snapshotId(), read.byId(), read.snapshot().summary()));
            }
        };
    }

    /** A column's non-null values by row id, read from a table's published snapshot. */
    private record ColumnRead<V>(org.apache.iceberg.Snapshot snapshot, Map<String, V> byId) {}

    /**
     * The values of {@code column} by row id in table {@code name} at the published snapshot {@code reference} names, each made
     * by {@code convert} (null to leave the row out); empty without such a table, snapshot or column. Held in memory: more than
     * {@code maxRows} rows is a bad {@code parameter}.
     */
    private <V> Optional<ColumnRead<V>> readColumn(String name, String reference, String column, int maxRows, String parameter, String what,
            java.util.function.Function<Object, V> convert) {
        Optional<Table> table = loadTable(name);
        Optional<org.apache.iceberg.Snapshot> snapshot = table.flatMap(loaded -> published(loaded, reference));
        if (snapshot.isEmpty() || table.get().schemas().get(snapshot.get().schemaId()).findField(column) == null) {
            return Optional.empty();
        }
        Table loaded = table.get();
        Map<String, V> byId = new java.util.HashMap<>();
        try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.data.Record> records = org.apache.iceberg.data.IcebergGenerics.read(loaded)
                .useSnapshot(snapshot.get().snapshotId()).select(TableLayout.ID.name(), column).build()) {
            for (org.apache.iceberg.data.Record record : records) {
                if (byId.size() >= maxRows) {
                    throw new InvalidStepParameterException(parameter, "table " + name + " has more than " + maxRows + " rows; " + what + " is held in memory");
                }
                V value = convert.apply(record.getField(column));
                if (value != null) {
                    byId.put(String.valueOf(record.getField(TableLayout.ID.name())), value);
                }
            }
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Optional.of(new ColumnRead<>(snapshot.get(), byId));
    }

    /**
     * A published table at a pin or snapshot id, loaded once: its columns but the lineage, and a reader
     * of its rows. Empty when there is no such table or snapshot.
     */
    private Optional<Unification.LookupTable> lookupTable(String name, String reference) {
        Optional<Table> table = loadTable(name);
        Optional<org.apache.iceberg.Snapshot> snapshot = table.flatMap(loaded -> published(loaded, reference));
        if (snapshot.isEmpty()) {
            return Optional.empty();
        }
        Table loaded = table.get();
        org.apache.iceberg.Schema schema = loaded.schemas().get(snapshot.get().schemaId());
        Map<String, Column> types = new LinkedHashMap<>();
        for (org.apache.iceberg.types.Types.NestedField field : schema.columns()) {
            if (!field.name().startsWith("_kiln_")) {
                io.kiln.lake.IcebergTypes.kilnType(field.type())
                        .ifPresent(type -> types.put(field.name(), new Column(field.name(), type, field.isRequired(), field.doc() == null ? "" : field.doc())));
            }
        }
        long snapshotId = snapshot.get().snapshotId();
        return Optional.of(new Unification.LookupTable(snapshotId, types, columns -> {
            List<String> read = new ArrayList<>();
            read.add(TableLayout.ID.name());
            columns.stream().filter(column -> !read.contains(column) && types.containsKey(column)).forEach(read::add);
            return new io.kiln.transform.StepContext.TableRows(name, loaded.uuid().toString(), snapshotId, snapshot.get().summary(), read,
                    consumer -> io.kiln.read.SnapshotRows.forEach(name, loaded, snapshotId, read, consumer));
        }));
    }

    /** The table named {@code name}, or empty when there is none (or the name is not a table's). */
    private Optional<Table> loadTable(String name) {
        try {
            return Optional.of(catalog.loadTable(TableIdentifier.parse(name)));
        }
        catch (NoSuchTableException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The published snapshot of {@code table} that a pin (or tag) or a snapshot id names. */
    private static Optional<org.apache.iceberg.Snapshot> published(Table loaded, String reference) {
        Optional<Long> snapshotId = io.kiln.lake.Pins.snapshotOf(loaded, reference);
        if (snapshotId.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(io.kiln.lake.Pins.requirePublished(loaded, snapshotId.get()));
        }
        catch (KilnException e) {
            return Optional.empty();
        }
    }

    /** Every column a step reads reaches it, of the type it needs; what each step sees is the source's columns and those of the steps before it. */
    private static void checkColumnsRead(List<Transform> transforms, List<Integer> stepIndexes, List<Column> source, List<Violation> violations) {
        Map<String, Column> available = new LinkedHashMap<>();
        source.forEach(column -> available.put(column.name(), column));
        for (int i = 0; i < transforms.size(); i++) {
            Transform transform = transforms.get(i);
            String field = "steps[" + stepIndexes.get(i) + "]";
            for (Column needed : transform.reads()) {
                Column present = available.get(needed.name());
                if (present == null) {
                    violations.add(new Violation(field, transform.id().name() + " reads column '" + needed.name() + "', which the rows do not have at this step; they have "
                            + String.join(", ", available.keySet())));
                }
                else if (!needed.type().accepts(present.type())) {
                    violations.add(new Violation(field, transform.id().name() + " reads column '" + needed.name() + "' as " + needed.type().spec()
                            + ", but it is " + present.type().spec()));
                }
            }
            for (String needed : transform.readsAnyType()) {
                if (!available.containsKey(needed)) {
                    violations.add(new Violation(field, transform.id().name() + " reads column '" + needed + "', which the rows do not have at this step; they have "
                            + String.join(", ", available.keySet())));
                }
            }
            transform.removes().forEach(available::remove);
            transform.columns().forEach(column -> available.put(column.name(), column));
        }
    }

    /** A job whose columns conflict with the existing table's is refused now, naming the column and both types, never halfway through a run. */
    private void checkTableSchema(BoundJob job, List<Transform> transforms, List<Integer> stepIndexes) {
        Table existing;
        try {
            existing = catalog.loadTable(job.table());
        }
        catch (NoSuchTableException e) {
            return;
        }
        List<TableSchemas.Conflict> conflicts = TableSchemas.plan(existing.schema(), job.tableColumns(), job.table().toString()).conflicts();
        if (conflicts.isEmpty()) {
            return;
        }
        List<Violation> violations = new ArrayList<>();
        for (TableSchemas.Conflict conflict : conflicts) {
            String field = job.declaredColumns().stream().anyMatch(column -> column.name().equals(conflict.column())) ? "source.schema" : "source";
            for (int i = 0; i < transforms.size(); i++) {
                if (transforms.get(i).columns().stream().anyMatch(column -> column.name().equals(conflict.column()))) {
                    field = "steps[" + stepIndexes.get(i) + "]";
                }
            }
            violations.add(new Violation(field, conflict.message()));
        }
        throw KilnException.invalidSpec(violations);
    }

    /**
     * A suite the engine cannot parse is a bad spec, and so is a suite on a service that runs without
     * the engine (no retry can help); an engine that cannot say now is a service problem (503), never a pass.
     */
    private Optional<String> validateSuite(String suite) {
        if (engine.isEmpty()) {
            return Optional.of("names a check suite, but this service runs without the check engine (kiln.checks.engine.mode=off): "
                    + "leave checks out, or run the service with the engine");
        }
        CheckEngine.Validation validation;
        try {
            validation = engine.get().validate(suite);
        }
        catch (CheckEngineException e) {
            throw new KilnException(ErrorCode.CHECK_ENGINE_UNAVAILABLE, "The check engine cannot validate the suite now: " + e.getMessage());
        }
        return validation.valid() ? Optional.empty() : Optional.of("the suite is not valid DQDL: " + validation.error());
    }

    private boolean tagExists(TableIdentifier identifier, String tag) {
        try {
            Table table = catalog.loadTable(identifier);
            return table.refs().containsKey(tag);
        }
        catch (NoSuchTableException e) {
            return false;
        }
    }
}
