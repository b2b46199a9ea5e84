package io.kiln.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazon.deequ.analyzers.Size;
import com.amazon.deequ.analyzers.runners.AnalyzerContext;
import com.amazon.deequ.metrics.DoubleMetric;
import com.amazon.deequ.metrics.Entity$;
import com.amazon.deequ.repository.ResultKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;
import scala.util.Success;

/** Metric histories are a table's in one catalog: two catalogs' tables of one name never share one. */
class MetricsHistoryTest {
    private static final MetricsHistory.Key FIRST = new MetricsHistory.Key(Optional.of("5b370dd7-first"), "demo.docs");
    private static final MetricsHistory.Key SECOND = new MetricsHistory.Key(Optional.of("9c1e00aa-second"), "demo.docs");
    private static final MetricsHistory.Key BY_TABLE_NAME = new MetricsHistory.Key(Optional.empty(), "demo.docs");

    @TempDir
    Path directory;

    @Test
    void twoCatalogsTablesOfOneNameKeepTheirOwnHistory() {
        MetricsHistory history = new MetricsHistory(directory);

        history.append(FIRST, key(1_000), size(40));
        history.append(SECOND, key(2_000), size(7));

        assertThat(history.entries(FIRST)).singleElement().satisfies(entry -> assertThat(entry.metrics()).containsEntry("Size", 40.0));
        assertThat(history.entries(SECOND)).singleElement().satisfies(entry -> assertThat(entry.metrics()).containsEntry("Size", 7.0));
        assertThat(history.entries(BY_TABLE_NAME)).isEmpty();
        assertThat(history.file(FIRST)).isEqualTo(directory.resolve("5b370dd7-first/demo.docs.json"));
    }

    @Test
    void theHistoriesKeptByTableNameAloneMoveToTheCatalogTheyBelongTo() {
        MetricsHistory history = new MetricsHistory(directory);
        history.append(BY_TABLE_NAME, key(1_000), size(40));
        history.append(SECOND, key(2_000), size(7));
        new MetricsHistory(directory).append(new MetricsHistory.Key(Optional.empty(), "demo.other"), key(3_000), size(3));
        assertThat(directory.resolve("demo.docs.json")).exists();

        assertThat(history.adoptUnkeyed("5b370dd7-first")).isEqualTo(2);

        assertThat(history.entries(FIRST)).singleElement().satisfies(entry -> assertThat(entry.metrics()).containsEntry("Size", 40.0));
        assertThat(history.entries(new MetricsHistory.Key(FIRST.catalogId(), "demo.other"))).hasSize(1);
        assertThat(history.entries(BY_TABLE_NAME)).isEmpty();
        assertThat(history.entries(SECOND)).as("another catalog's history stays its own").singleElement()
                .satisfies(entry -> assertThat(entry.metrics()).containsEntry("Size", 7.0));
        assertThat(history.adoptUnkeyed("9c1e00aa-second")).as("adopted once").isZero();
    }

    @Test
    void anExistingHistoryOfTheCatalogIsNotOverwritten() throws Exception {
        MetricsHistory history = new MetricsHistory(directory);
        history.append(FIRST, key(1_000), size(40));
        Files.copy(history.file(FIRST), directory.resolve("demo.docs.json"));
        history.append(FIRST, key(2_000), size(41));

        assertThat(history.adoptUnkeyed("5b370dd7-first")).isZero();
        assertThat(history.entries(FIRST)).hasSize(2);
    }

    @Test
    void aCatalogIdMustBeAFolderName() {
        assertThatThrownBy(() -> new MetricsHistory.Key(Optional.of("../../etc"), "demo.docs"))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessage("Invalid catalog id '../../etc': expected 1 to 64 letters, digits, '_' and '-'");
    }

    private static ResultKey key(long timestampMillis) {
        return new ResultKey(timestampMillis, Scala.immutableMap(Map.of("table", "demo.docs")));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static AnalyzerContext size(double rows) {
        DoubleMetric metric = new DoubleMetric(Entity$.MODULE$.Dataset(), "Size", "*", new Success<>(rows), Option.empty());
        Map metrics = Map.of(new Size(Option.empty()), metric);
        return AnalyzerContext.apply(Scala.immutableMap(metrics));
    }
}
