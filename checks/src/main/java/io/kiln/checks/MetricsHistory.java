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
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-table metric history, one file per catalog and table ({@code <dir>/<catalog id>/<namespace>.<table>.json};
 * {@code <dir>/<namespace>.<table>.json} for a request that names no catalog) in the format of
 * Deequ's {@code FileSystemMetricsRepository} (so that repository can read it), but written atomically:
 * a crash never leaves half a history. Two catalogs' tables of one name never share a history, even
 * when one engine serves both. Only passed runs are appended (the caller's duty). Thread-safe.
 */
final class MetricsHistory {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHistory.class);
    private static final Pattern CATALOG_ID = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");

    /** Whose history: a table of one catalog ({@code catalogId}, from Kiln), or of no catalog named. */
    record Key(Optional<String> catalogId, String table) {
        Key {
            catalogId.ifPresent(MetricsHistory::checkCatalogId);
            table = VerifyRequest.checkTableName(table);
        }
    }

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

    /** Catalog ids double as folder names, so they are restricted to letters, digits, '_' and '-'. */
    static String checkCatalogId(String catalogId) {
        if (catalogId == null || !CATALOG_ID.matcher(catalogId).matches()) {
            throw new EngineException(ErrorCode.INVALID_REQUEST, String.format(
                    "Invalid catalog id '%s': expected 1 to 64 letters, digits, '_' and '-'", catalogId));
        }
        return catalogId;
    }

    Path file(Key key) {
        Path folder = key.catalogId().map(directory::resolve).orElse(directory);
        return folder.resolve(key.table() + ".json");
    }

    /**
     * Moves the histories kept before they were kept per catalog ({@code <dir>/<table>.json}) into
     * {@code catalogId}'s folder, where none is there yet; returns how many moved.
     */
    int adoptUnkeyed(String catalogId) {
        Path folder = directory.resolve(checkCatalogId(catalogId));
        int moved = 0;
        synchronized (lock) {
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.filter(path -> Files.isRegularFile(path) && path.getFileName().toString().endsWith(".json")).toList()) {
                    Files.createDirectories(folder);
                    Path target = folder.resolve(file.getFileName());
                    if (!Files.exists(target)) {
                        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                        moved++;
                    }
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot move the unkeyed metric histories in " + directory + " to " + folder, e);
            }
        }
        return moved;
    }

    /** The table's history, oldest first; empty when the table has none. */
    List<AnalysisResult> load(Key key) {
        String table = key.table();
        String json;
        synchronized (lock) {
            try {
                json = Files.readString(file(key), StandardCharsets.UTF_8);
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

    List<HistoryEntry> entries(Key key) {
        return load(key).stream()
                .map(result -> new HistoryEntry(result.resultKey().dataSetDate(),
                        Scala.map(result.resultKey().tags()), metricValues(result.analyzerContext())))
                .toList();
    }

    /** Appends (or replaces, for an equal key) one run's successful metrics. */
    void append(Key history, ResultKey key, AnalyzerContext context) {
        String table = history.table();
        AnalysisResult result = AnalysisResult.apply(key, serializable(key, context));
        synchronized (lock) {
            List<AnalysisResult> results = new ArrayList<>(load(history));
            results.removeIf(previous -> previous.resultKey().equals(key));
            results.add(result);
            String json = AnalysisResultSerde$.MODULE$.serialize(Scala.seq(results));
            Path file = file(history);
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try {
                Files.createDirectories(file.getParent());
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
