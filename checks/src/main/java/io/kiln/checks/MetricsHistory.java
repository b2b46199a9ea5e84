package io.kiln.checks;

import static java.util.Objects.requireNonNull;

import com.amazon.deequ.analyzers.Analyzer;
import com.amazon.deequ.analyzers.runners.AnalyzerContext;
import com.amazon.deequ.metrics.DoubleMetric;
import com.amazon.deequ.metrics.Metric;
import com.amazon.deequ.repository.AnalysisResult;
import com.amazon.deequ.repository.AnalysisResultSerde$;
import com.amazon.deequ.repository.ResultKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-table metric history, one file per table ({@code <dir>/<namespace>.<table>.json}) in the format of
 * Deequ's {@code FileSystemMetricsRepository} (so that repository can read it), but written atomically:
 * a crash never leaves half a history. Only passed runs are appended (the caller's duty). Thread-safe.
 */
final class MetricsHistory {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHistory.class);

    private final Path directory;
    private final Object lock = new Object();

    MetricsHistory(Path directory) {
        this.directory = requireNonNull(directory, "directory is null");
        try {
            Files.createDirectories(directory);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot create the metrics directory " + directory, e);
        }
    }

    Path file(String table) {
        return directory.resolve(VerifyRequest.checkTableName(table) + ".json");
    }

    /** The table's history, oldest first; empty when the table has none. */
    List<AnalysisResult> load(String table) {
        String json;
        synchronized (lock) {
            try {
                json = Files.readString(file(table), StandardCharsets.UTF_8);
            }
            catch (NoSuchFileException e) {
                return List.of();
            }
            catch (IOException e) {
                throw new EngineException(ErrorCode.INTERNAL_ERROR,
                        "Cannot read the metric history of " + table + ": " + e.getMessage(), e);
            }
        }
        try {
            List<AnalysisResult> results = new ArrayList<>(Scala.list(AnalysisResultSerde$.MODULE$.deserialize(json)));
            results.sort(Comparator.comparingLong(result -> result.resultKey().dataSetDate()));
            return results;
        }
        catch (RuntimeException e) {
            throw new EngineException(ErrorCode.INTERNAL_ERROR,
                    "The metric history of " + table + " is unreadable: " + e.getMessage(), e);
        }
    }

    List<HistoryEntry> entries(String table) {
        return load(table).stream()
                .map(result -> new HistoryEntry(result.resultKey().dataSetDate(),
                        Scala.map(result.resultKey().tags()), metricValues(result.analyzerContext())))
                .toList();
    }

    /** Appends (or replaces, for an equal key) one run's successful metrics. */
    void append(String table, ResultKey key, AnalyzerContext context) {
        AnalysisResult result = AnalysisResult.apply(key, serializable(key, context));
        synchronized (lock) {
            List<AnalysisResult> results = new ArrayList<>(load(table));
            results.removeIf(previous -> previous.resultKey().equals(key));
            results.add(result);
            String json = AnalysisResultSerde$.MODULE$.serialize(Scala.seq(results));
            Path file = file(table);
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try {
                Files.writeString(temporary, json, StandardCharsets.UTF_8);
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (IOException e) {
                throw new EngineException(ErrorCode.INTERNAL_ERROR,
                        "Cannot write the metric history of " + table + ": " + e.getMessage(), e);
            }
        }
    }

    /** Keeps the successful metrics whose analyzer Deequ's serde can write (it knows most, not all). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static AnalyzerContext serializable(ResultKey key, AnalyzerContext context) {
        Map<Analyzer<?, Metric<?>>, Metric<?>> kept = new LinkedHashMap<>();
        Scala.map(context.metricMap()).forEach((analyzer, metric) -> {
            if (metric.value().isFailure()) {
                return;
            }
            Map single = Map.of(analyzer, metric);
            try {
                AnalysisResultSerde$.MODULE$.serialize(Scala.seq(List.of(
                        AnalysisResult.apply(key, AnalyzerContext.apply(Scala.immutableMap(single))))));
                kept.put(analyzer, metric);
            }
            catch (RuntimeException e) {
                LOG.debug("Not recording {}: {}", analyzer, e.getMessage());
            }
        });
        return AnalyzerContext.apply(Scala.immutableMap(kept));
    }

    /** Successful metrics by name: {@code Size} for the data set, {@code Column.text.Completeness} for columns. */
    static Map<String, Double> metricValues(AnalyzerContext context) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Metric<?> metric : Scala.list(context.allMetrics())) {
            for (DoubleMetric flat : Scala.list(metric.flatten())) {
                if (flat.value().isSuccess()) {
                    values.put(metricName(flat), ((Number) flat.value().get()).doubleValue());
                }
            }
        }
        return values;
    }

    static String metricName(Metric<?> metric) {
        String entity = metric.entity().toString();
        if (entity.equals("Dataset") && metric.instance().equals("*")) {
            return metric.name();
        }
        return entity + "." + metric.instance() + "." + metric.name();
    }
}
