package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.VerificationSuite;
import com.amazon.deequ.analyzers.Analyzer;
import com.amazon.deequ.analyzers.Size;
import com.amazon.deequ.analyzers.runners.AnalyzerContext;
import com.amazon.deequ.anomalydetection.AnomalyDetector;
import com.amazon.deequ.anomalydetection.DataPoint;
import com.amazon.deequ.anomalydetection.DetectionResult;
import com.amazon.deequ.anomalydetection.RelativeRateOfChangeStrategy;
import com.amazon.deequ.checks.Check;
import com.amazon.deequ.checks.CheckResult;
import com.amazon.deequ.dqdl.execution.DQDLExecutor$;
import com.amazon.deequ.dqdl.execution.executors.DeequRulesExecutor$;
import com.amazon.deequ.dqdl.model.DeequExecutableRule;
import com.amazon.deequ.dqdl.model.ExecutableRule;
import com.amazon.deequ.dqdl.model.RuleOutcome;
import com.amazon.deequ.dqdl.model.RuleOutcome$;
import com.amazon.deequ.dqdl.translation.DQDLRuleTranslator$;
import com.amazon.deequ.metrics.DoubleMetric;
import com.amazon.deequ.metrics.Metric;
import com.amazon.deequ.repository.AnalysisResult;
import com.amazon.deequ.repository.ResultKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.nio.ByteBuffer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Comparators;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.functions;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import software.amazon.glue.dqdl.model.DQRule;

/**
 * Verifies one exact Iceberg snapshot against a suite: DQDL rules through Deequ in one pass over the
 * data, privacy rules ({@link PrivacyRuleEvaluator}) with one aggregation each over the same snapshot,
 * anomaly rules against the table's metric history. A failed rule is a result; anything that
 * prevents a verdict (unknown table or snapshot, unreadable data) is an {@link EngineException}.
 */
final class Verifier {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);
    /** CustomSql rules query the verified snapshot under this name. */
    static final String PRIMARY_VIEW = "primary";

    private static final String WARM_UP_SUITE = """
            Rules = [ RowCount > 0, IsComplete "id", IsUnique "id", ColumnLength "text" between 0 and 100,
                      ColumnValues "text" matches "[a-z0-9]+", CustomSql "select count(*) from primary" > 0,
                      KAnonymity ["text"] >= 1 ]
            Anomalies = [ RowCount maxIncrease 3.0 ]
            """;

    private final SparkRuntime runtime;
    private final MetricsHistory history;

    Verifier(SparkRuntime runtime, MetricsHistory history) {
        this.runtime = requireNonNull(runtime, "runtime is null");
        this.history = requireNonNull(history, "history is null");
    }

    VerificationReport verify(VerifyRequest request) {
        long started = System.nanoTime();
        Suite suite = SuiteParser.parse(request.rules());
        return runtime.withSession(root -> {
            long locked = System.nanoTime();
            SparkSession spark = runtime.sessionFor(root, request.catalog());
            Table table = loadTable(spark, request);
            Dataset<Row> snapshot = readSnapshot(spark, request);
            Dataset<Row> batch = request.baseSnapshotId() == null || suite.anomalies().isEmpty() ? snapshot : readBatch(spark, request);
            snapshot.createOrReplaceTempView(PRIMARY_VIEW);
            try {
                long read = System.nanoTime();
                Evaluation evaluation = evaluate(snapshot, batch, suite, history.load(request.history()),
                        resultTimestamp(request));
                long evaluated = System.nanoTime();
                if (!request.distinctFromBase().isEmpty()) {
                    List<RuleResult> rules = new ArrayList<>(evaluation.rules());
                    for (String column : request.distinctFromBase()) {
                        rules.add(distinctFromBase(spark, request, table, column));
                    }
                    evaluation = new Evaluation(evaluation.rows(), rules, evaluation.metrics());
                }
                long distinct = System.nanoTime();
                boolean passed = evaluation.rules().stream().allMatch(RuleResult::passed);
                boolean save = passed && request.saveMetricsOnPass();
                if (save) {
                    history.append(request.history(), resultKey(request), evaluation.metrics());
                }
                long finished = System.nanoTime();
                long millis = TimeUnit.NANOSECONDS.toMillis(finished - started);
                LOG.info("Verified {} snapshot {}: {} rows, {} in {} ms (waiting {}, reading {}, rules {}, distinct from base {}, history {} ms)",
                        request.table(), request.snapshotId(), evaluation.rows(), passed ? "PASSED" : "FAILED", millis,
                        millis(started, locked), millis(locked, read), millis(read, evaluated), millis(evaluated, distinct), millis(distinct, finished));
                return new VerificationReport(passed ? RuleResult.Outcome.PASSED : RuleResult.Outcome.FAILED,
                        request.snapshotId(), evaluation.rows(), evaluation.rules(), save, millis);
            }
            catch (EngineException e) {
                throw e;
            }
            catch (Exception e) {
                LOG.error("Verification of {} snapshot {} failed", request.table(), request.snapshotId(), e);
                throw new EngineException(ErrorCode.SPARK_FAILURE, String.format(
                        "Cannot verify %s snapshot %d: %s", request.table(), request.snapshotId(), Messages.brief(e)), e);
            }
            finally {
                spark.catalog().dropTempView(PRIMARY_VIEW);
            }
        });
    }

    /**
     * Writes a small Iceberg table in a temporary Hadoop catalog and verifies it with the warm-up suite,
     * so the first real verification finds Spark, Iceberg and Deequ loaded and compiled.
     */
    void warmUp() {
        runtime.warmUp(root -> {
            Path directory = null;
            CatalogSpec spec = null;
            try {
                directory = Files.createTempDirectory("kiln-check-engine-warm-up");
                spec = new CatalogSpec("kiln_warm_up", Map.of("type", "hadoop", "warehouse", directory.toUri().toString()));
                SparkSession spark = runtime.sessionFor(root, spec);
                String table = "kiln_warm_up.warm.docs";
                spark.range(1000).selectExpr("concat('doc-', id) as id", "concat('text', id) as text").writeTo(table).create();
                long snapshotId = Spark3Util.loadIcebergTable(spark, table).currentSnapshot().snapshotId();
                Dataset<Row> data = spark.read().option("snapshot-id", snapshotId).table(table);
                data.createOrReplaceTempView(PRIMARY_VIEW);
                evaluate(data, SuiteParser.parse(WARM_UP_SUITE), List.of(), System.currentTimeMillis());
                // later batches: the incremental read, anomalies on the batch, DistinctFromBase with a join (ids
                // within the base's bounds) and without one (ids above them)
                long base = snapshotId;
                for (String prefix : List.of("doc-1", "zz-")) {
                    spark.range(1000, 1500).selectExpr("concat('" + prefix + "', id) as id", "concat('text', id) as text").writeTo(table).append();
                    long batch = Spark3Util.loadIcebergTable(spark, table).currentSnapshot().snapshotId();
                    verify(new VerifyRequest(spec, "warm.docs", batch, WARM_UP_SUITE, null, false, base, List.of("id"), null));
                    base = batch;
                }
                // with a history, anomaly rules run Deequ's detector (and load Breeze) on first use: a run with one past point
                List<DataPoint<Object>> past = new ArrayList<>();
                past.add(new DataPoint<>(1L, Option.apply(100.0)));
                new AnomalyDetector(new RelativeRateOfChangeStrategy(Option.empty(), Option.apply(3.0), 1))
                        .isNewPointAnomalous(Scala.seq(past), new DataPoint<>(2L, Option.apply(500.0)));
                return null;
            }
            catch (Exception e) {
                throw new IllegalStateException(Messages.brief(e), e);
            }
            finally {
                if (spec != null) {
                    runtime.forget(spec);
                }
                if (directory != null) {
                    deleteRecursively(directory);
                }
            }
        });
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException e) {
            LOG.debug("Cannot delete {}: {}", directory, e.getMessage());
        }
    }

    private static long millis(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    /** The table as Spark SQL names it: catalog, namespace and name, each quoted. */
    private static String reference(VerifyRequest request) {
        return quote(request.catalog().name()) + "." + String.join(".",
                java.util.Arrays.stream(request.table().split("\\.")).map(Verifier::quote).toList());
    }

    /** The table at {@code request}'s snapshot, checked to exist. */
    private static Table loadTable(SparkSession spark, VerifyRequest request) {
        String reference = reference(request);
        String where = String.format("%s in catalog %s", request.table(), request.catalog().name());
        Table table;
        try {
            table = Spark3Util.loadIcebergTable(spark, reference);
        }
        catch (NoSuchTableException e) {
            throw new EngineException(ErrorCode.TABLE_NOT_FOUND, "No table " + where, e);
        }
        catch (ParseException e) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, "Invalid table name " + request.table(), e);
        }
        catch (Exception | LinkageError e) {
            LOG.error("Cannot load {}", where, e);
            throw new EngineException(ErrorCode.CATALOG_FAILURE, "Cannot load " + where + ": " + Messages.brief(e), e);
        }
        Snapshot snapshot = table.snapshot(request.snapshotId());
        if (snapshot == null) {
            throw new EngineException(ErrorCode.SNAPSHOT_NOT_FOUND,
                    String.format("Table %s has no snapshot %d", where, request.snapshotId()));
        }
        return table;
    }

    private Dataset<Row> readSnapshot(SparkSession spark, VerifyRequest request) {
        String reference = reference(request);
        String where = String.format("%s in catalog %s", request.table(), request.catalog().name());
        try {
            return spark.read().option("snapshot-id", request.snapshotId()).table(reference);
        }
        catch (Exception e) {
            LOG.error("Cannot read {} snapshot {}", where, request.snapshotId(), e);
            throw new EngineException(ErrorCode.SPARK_FAILURE, String.format(
                    "Cannot read %s snapshot %d: %s", where, request.snapshotId(), Messages.brief(e)), e);
        }
    }

    /** The rows {@code snapshotId} appends over {@code baseSnapshotId} (an incremental append scan). */
    private Dataset<Row> readBatch(SparkSession spark, VerifyRequest request) {
        String reference = reference(request);
        try {
            return spark.read()
                    .option("start-snapshot-id", request.baseSnapshotId())
                    .option("end-snapshot-id", request.snapshotId())
                    .table(reference);
        }
        catch (Exception e) {
            throw new EngineException(ErrorCode.SPARK_FAILURE, String.format(
                    "Cannot read the rows snapshot %d adds over %d in %s: %s", request.snapshotId(), request.baseSnapshotId(),
                    request.table(), Messages.brief(e)), e);
        }
    }

    /**
     * {@code DistinctFromBase "column"}: no value of {@code column} in the batch (the rows the snapshot
     * appends over its base) occurs in the base snapshot. The batch's lower and upper bounds of the
     * column, from the manifests of the files it adds, select the base files that can hold one of its
     * values (Iceberg's data skipping); when none can, nothing is read. Otherwise the batch's values
     * are semi-joined with the base's, read within those bounds.
     */
    private RuleResult distinctFromBase(SparkSession spark, VerifyRequest request, Table table, String column) {
        String rule = "DistinctFromBase \"" + column + "\"";
        String reference = reference(request);
        long base = request.baseSnapshotId();
        if (table.snapshot(base) == null) {
            throw new EngineException(ErrorCode.SNAPSHOT_NOT_FOUND, String.format("Table %s has no snapshot %d", request.table(), base));
        }
        Types.NestedField field = table.schemas().get(table.snapshot(request.snapshotId()).schemaId()).findField(column);
        if (field == null || !field.type().isPrimitiveType()) {
            return new RuleResult(rule, RuleResult.Outcome.FAILED, "The table has no column " + column + " of a primitive type", Map.of());
        }
        Comparator<Object> order = Comparators.forType(field.type().asPrimitiveType());
        Object lower = null;
        Object upper = null;
        boolean bounded = true;
        long batchRows = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newIncrementalAppendScan().fromSnapshotExclusive(base)
                .toSnapshot(request.snapshotId()).includeColumnStats().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                batchRows += file.recordCount();
                ByteBuffer low = file.lowerBounds() == null ? null : file.lowerBounds().get(field.fieldId());
                ByteBuffer high = file.upperBounds() == null ? null : file.upperBounds().get(field.fieldId());
                if (low == null || high == null) {
                    bounded = false;
                    continue;
                }
                Object fileLower = Conversions.fromByteBuffer(field.type(), low);
                Object fileUpper = Conversions.fromByteBuffer(field.type(), high);
                lower = lower == null || order.compare(fileLower, lower) < 0 ? fileLower : lower;
                upper = upper == null || order.compare(fileUpper, upper) > 0 ? fileUpper : upper;
            }
        }
        catch (IOException e) {
            throw new EngineException(ErrorCode.SPARK_FAILURE, "Cannot plan the batch of " + request.table() + ": " + Messages.brief(e), e);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("batchRows", (double) batchRows);
        if (batchRows == 0) {
            metrics.put("valuesInBase", 0.0);
            return new RuleResult(rule, RuleResult.Outcome.PASSED, "", metrics);
        }
        boolean pushRange = bounded && lower != null && (field.type().typeId() == Type.TypeID.STRING
                || field.type().typeId() == Type.TypeID.INTEGER || field.type().typeId() == Type.TypeID.LONG);
        Expression range = pushRange
                ? Expressions.and(Expressions.greaterThanOrEqual(column, lower), Expressions.lessThanOrEqual(column, upper))
                : Expressions.alwaysTrue();
        long candidates = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(base).filter(range).planFiles()) {
            for (FileScanTask ignored : tasks) {
                candidates++;
            }
        }
        catch (IOException e) {
            throw new EngineException(ErrorCode.SPARK_FAILURE, "Cannot plan " + request.table() + " at snapshot " + base + ": " + Messages.brief(e), e);
        }
        metrics.put("baseFilesRead", (double) candidates);
        long clashes = 0;
        if (candidates > 0) {
            Dataset<Row> baseValues = spark.read().option("snapshot-id", base).table(reference).select(column);
            if (pushRange) {
                Object low = lower instanceof CharSequence ? lower.toString() : lower;
                Object high = upper instanceof CharSequence ? upper.toString() : upper;
                baseValues = baseValues.where(functions.col(column).geq(functions.lit(low)).and(functions.col(column).leq(functions.lit(high))));
            }
            clashes = readBatch(spark, request).select(column).join(baseValues, Scala.seq(List.of(column)), "left_semi").count();
        }
        metrics.put("valuesInBase", (double) clashes);
        if (clashes == 0) {
            return new RuleResult(rule, RuleResult.Outcome.PASSED, "", metrics);
        }
        return new RuleResult(rule, RuleResult.Outcome.FAILED, String.format("%d of the batch's %d values of %s are already in base snapshot %d",
                clashes, batchRows, column, base), metrics);
    }

    record Evaluation(long rows, List<RuleResult> rules, AnalyzerContext metrics) {}

    static Evaluation evaluate(Dataset<Row> data, Suite suite, List<AnalysisResult> past, long timestampMillis) {
        return evaluate(data, data, suite, past, timestampMillis);
    }

    /**
     * One Deequ pass for all Deequ-backed rules, Size and the anomaly metrics; Deequ's own executors for the rest;
     * then the privacy rules on {@code data}. Results: DQDL rules, privacy rules, anomaly rules, each in suite order.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Evaluation evaluate(Dataset<Row> data, Dataset<Row> batch, Suite suite, List<AnalysisResult> past, long timestampMillis) {
        Map<DQRule, ExecutableRule> executables = new LinkedHashMap<>();
        for (DQRule rule : suite.rules()) {
            executables.put(rule, DQDLRuleTranslator$.MODULE$.toExecutableRule(rule));
        }
        List<DeequExecutableRule> deequRules = new ArrayList<>();
        List<ExecutableRule> otherRules = new ArrayList<>();
        for (ExecutableRule executable : executables.values()) {
            if (executable instanceof DeequExecutableRule deequRule) {
                deequRules.add(deequRule);
            }
            else {
                otherRules.add(executable);
            }
        }
        Analyzer size = new Size(Option.empty());
        Set<Analyzer> analyzers = new LinkedHashSet<>();
        analyzers.add(size);
        Set<Analyzer> anomalyAnalyzers = new LinkedHashSet<>();
        anomalyAnalyzers.add(size);
        for (AnomalyRule rule : suite.anomalies()) {
            anomalyAnalyzers.add(rule.metric().analyzer(rule.column()));
        }
        boolean separateBatch = batch != data;
        if (!separateBatch) {
            analyzers.addAll(anomalyAnalyzers);
        }
        List<Check> checks = deequRules.stream().map(DeequExecutableRule::check).toList();
        VerificationResult result = new VerificationSuite().onData(data)
                .addChecks(Scala.seq(checks))
                .addRequiredAnalyzers(Scala.seq(new ArrayList(analyzers)))
                .run();

        Map<Analyzer<?, Metric<?>>, Metric<?>> metrics = Scala.map(result.metrics());
        Metric<?> sizeMetric = metrics.get(size);
        if (sizeMetric == null || sizeMetric.value().isFailure()) {
            String reason = sizeMetric == null ? "no row count" : Messages.brief(sizeMetric.value().failed().get());
            throw new EngineException(ErrorCode.SPARK_FAILURE, "Cannot read the snapshot: " + reason);
        }
        long rows = Math.round(((Number) sizeMetric.value().get()).doubleValue());

        Map<String, Object> flatMetrics = new HashMap<>();
        for (Metric<?> metric : metrics.values()) {
            for (DoubleMetric flat : Scala.list(metric.flatten())) {
                if (flat.value().isSuccess()) {
                    flatMetrics.put(flat.entity() + "." + flat.instance() + "." + flat.name(), flat.value().get());
                }
            }
        }
        scala.collection.immutable.Map<String, Object> deequMetricMap = Scala.immutableMap(flatMetrics);

        Map<DQRule, RuleOutcome> outcomes = new HashMap<>();
        Map<Check, CheckResult> checkResults = Scala.map(result.checkResults());
        for (DeequExecutableRule rule : deequRules) {
            CheckResult checkResult = checkResults.get(rule.check());
            RuleOutcome outcome = checkResult == null
                    ? RuleOutcome$.MODULE$.apply(rule.dqRule(), com.amazon.deequ.dqdl.model.Failed$.MODULE$,
                            Option.apply("Deequ returned no result for this rule"), RuleOutcome$.MODULE$.apply$default$4(),
                            RuleOutcome$.MODULE$.apply$default$5(), RuleOutcome$.MODULE$.apply$default$6())
                    : RuleOutcome$.MODULE$.apply(rule.dqRule(), checkResult);
            scala.collection.immutable.Map<String, Object> evaluated =
                    DeequRulesExecutor$.MODULE$.extractEvaluatedMetrics(deequMetricMap, rule.deequMetricMappings());
            outcomes.put(rule.dqRule(), outcome.copy(outcome.rule(), outcome.outcome(), outcome.failureReason(),
                    evaluated, outcome.evaluatedRule(), outcome.rowLevelOutcome()));
        }
        if (!otherRules.isEmpty()) {
            outcomes.putAll(Scala.map(DQDLExecutor$.MODULE$.executeRules(Scala.seq(otherRules), data,
                    Scala.immutableMap(Map.of()))));
        }

        List<RuleResult> results = new ArrayList<>();
        for (DQRule rule : suite.rules()) {
            results.add(toResult(rule, outcomes.get(rule)));
        }
        for (PrivacyRule rule : suite.privacyRules()) {
            results.add(PrivacyRuleEvaluator.evaluate(data, rule));
        }
        scala.collection.immutable.Map<Analyzer<?, Metric<?>>, Metric<?>> historyMetrics = result.metrics();
        Map<Analyzer<?, Metric<?>>, Metric<?>> anomalyMetrics = metrics;
        if (separateBatch) {
            VerificationResult batchResult = new VerificationSuite().onData(batch)
                    .addRequiredAnalyzers(Scala.seq(new ArrayList(anomalyAnalyzers)))
                    .run();
            historyMetrics = batchResult.metrics();
            anomalyMetrics = Scala.map(batchResult.metrics());
        }
        for (AnomalyRule rule : suite.anomalies()) {
            results.add(evaluateAnomaly(rule, anomalyMetrics.get(rule.metric().analyzer(rule.column())), past, timestampMillis));
        }
        return new Evaluation(rows, results, AnalyzerContext.apply(historyMetrics));
    }

    private static RuleResult toResult(DQRule rule, RuleOutcome outcome) {
        if (outcome == null) {
            return new RuleResult(rule.toString(), RuleResult.Outcome.FAILED, "Deequ returned no outcome for this rule", Map.of());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        Scala.map(outcome.evaluatedMetrics()).forEach((name, value) -> {
            if (value instanceof Number number) {
                metrics.put(name, number.doubleValue());
            }
        });
        boolean passed = "Passed".equals(outcome.outcome().asString());
        String message = outcome.failureReason().isDefined() ? outcome.failureReason().get() : "";
        return new RuleResult(rule.toString(), passed ? RuleResult.Outcome.PASSED : RuleResult.Outcome.FAILED,
                passed ? "" : (message.isEmpty() ? "failed" : message), metrics);
    }

    private static RuleResult evaluateAnomaly(AnomalyRule rule, Metric<?> current, List<AnalysisResult> past,
                                              long timestampMillis) {
        String text = rule.toString();
        if (current == null || current.value().isFailure()) {
            String reason = current == null ? "not computed" : Messages.brief(current.value().failed().get());
            return new RuleResult(text, RuleResult.Outcome.FAILED, "Cannot compute the metric: " + reason, Map.of());
        }
        double value = ((Number) current.value().get()).doubleValue();
        String name = MetricsHistory.metricName(current);
        List<DataPoint<Object>> points = new ArrayList<>();
        long lastTime = Long.MIN_VALUE;
        double previous = Double.NaN;
        for (AnalysisResult result : past) {
            Optional<Double> pastValue = MetricsHistory.metricValues(result.analyzerContext()).entrySet().stream()
                    .filter(entry -> entry.getKey().equals(name)).map(Map.Entry::getValue).findFirst();
            if (pastValue.isPresent()) {
                long time = result.resultKey().dataSetDate();
                points.add(new DataPoint<>(time, Option.apply(pastValue.get())));
                if (time >= lastTime) {
                    lastTime = time;
                    previous = pastValue.get();
                }
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("current", value);
        if (points.isEmpty()) {
            return new RuleResult(text, RuleResult.Outcome.PASSED, "", metrics);
        }
        metrics.put("previous", previous);
        double ratio = value / previous;
        if (Double.isFinite(ratio)) {
            metrics.put("ratio", ratio);
        }
        RelativeRateOfChangeStrategy strategy = new RelativeRateOfChangeStrategy(option(rule.maxDecrease()),
                option(rule.maxIncrease()), 1);
        long time = Math.max(timestampMillis, lastTime + 1);
        DetectionResult detection = new AnomalyDetector(strategy)
                .isNewPointAnomalous(Scala.seq(points), new DataPoint<>(time, Option.apply(value)));
        if (detection.anomalies().isEmpty()) {
            return new RuleResult(text, RuleResult.Outcome.PASSED, "", metrics);
        }
        String bound = ratio > 1 && rule.maxIncrease().isPresent()
                ? "above maxIncrease " + rule.maxIncrease().getAsDouble()
                : rule.maxDecrease().isPresent() ? "below maxDecrease " + rule.maxDecrease().getAsDouble() : "out of bounds";
        return new RuleResult(text, RuleResult.Outcome.FAILED, String.format(
                "%s went from %s in the previous passed run to %s: ratio %s is %s",
                rule.metric().dqdlName() + rule.column().map(column -> " \"" + column + "\"").orElse(""),
                Messages.number(previous), Messages.number(value), Messages.number(ratio), bound), metrics);
    }

    private static Option<Object> option(OptionalDouble value) {
        return value.isPresent() ? Option.apply(value.getAsDouble()) : Option.empty();
    }

    private static long resultTimestamp(VerifyRequest request) {
        return request.resultKey() == null ? System.currentTimeMillis() : request.resultKey().timestampMillis();
    }

    private static ResultKey resultKey(VerifyRequest request) {
        Map<String, String> tags = request.resultKey() == null || request.resultKey().tags().isEmpty()
                ? Map.of("table", request.table(), "snapshot", Long.toString(request.snapshotId()))
                : request.resultKey().tags();
        return new ResultKey(resultTimestamp(request), Scala.immutableMap(tags));
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
