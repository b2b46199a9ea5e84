package io.kiln.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A second real table: Grunfeld's investment data (11 US firms, 1935-1954; public domain, from
 * Debian's {@code python3-statsmodels}). Per-firm z-scores, log1p, a mean imputation and a one-hot
 * encoding, each checked against a computation over the CSV in this test.
 */
class GrunfeldFeaturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path GRUNFELD = Path.of("src/test/resources/fixtures/tabular/grunfeld.csv").toAbsolutePath();

    @TempDir
    Path temp;
    PipelineHarness harness;

    @BeforeEach
    void catalog() throws IOException {
        harness = new PipelineHarness(temp, List.of(GRUNFELD.getParent()));
    }

    @AfterEach
    void close() throws IOException {
        harness.close();
    }

    private static JobSpec spec(String table) throws IOException {
        return JSON.readValue("""
                {"table": "%s", "source": {"uri": "file://%s", "format": "csv", "id": {"from": "position"}},
                 "steps": [
                   {"name": "scale", "params": {"column": "invest", "groupBy": ["firm"], "into": "invest_z"}},
                   {"name": "log", "params": {"column": "value", "function": "log1p", "into": "value_log1p"}},
                   {"name": "impute", "params": {"column": "capital", "strategy": "mean", "indicator": true}},
                   {"name": "encode", "params": {"column": "firm", "method": "onehot"}}]}
                """.formatted(table, GRUNFELD), JobSpec.class);
    }

    /** invest, value, capital, firm, year: one line of the CSV. */
    private record Line(double invest, double value, double capital, String firm, int year) {}

    private static List<Line> lines() throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String text : Files.readAllLines(GRUNFELD).subList(1, 221)) {
            String[] fields = text.split(",");
            lines.add(new Line(Double.parseDouble(fields[0]), Double.parseDouble(fields[1]), Double.parseDouble(fields[2]), fields[3], Integer.parseInt(fields[4])));
        }
        return lines;
    }

    @Test
    void perFirmZScoresLogImputationAndOneHotMatchAnIndependentComputation() throws IOException {
        IngestPipeline.Result result = harness.run("grunfeld", spec("econ.grunfeld"), 2, 19);
        assertThat(result.written()).isEqualTo(220);
        List<Line> lines = lines();
        Map<String, List<Double>> byFirm = new TreeMap<>();
        lines.forEach(line -> byFirm.computeIfAbsent(line.firm(), firm -> new ArrayList<>()).add(line.invest()));
        assertThat(byFirm).hasSize(11);
        // the vocabulary: by frequency (20 rows each), then by value
        List<String> vocabulary = new ArrayList<>(byFirm.keySet());
        vocabulary.sort(Comparator.comparing((String firm) -> -byFirm.get(firm).size()).thenComparing(Comparator.naturalOrder()));
        double capitalMean = lines.stream().mapToDouble(Line::capital).sum() / lines.size();

        Table table = harness.catalog.loadTable(TableIdentifier.of("econ", "grunfeld"));
        List<Record> rows = PipelineHarness.rows(table);
        assertThat(rows).hasSize(220);
        for (Record row : rows) {
            String firm = (String) row.getField("firm");
            int year = ((Number) row.getField("year")).intValue();
            Line line = lines.stream().filter(candidate -> candidate.firm().equals(firm) && candidate.year() == year).findFirst().orElseThrow();
            List<Double> invest = byFirm.get(firm);
            double mean = invest.stream().mapToDouble(Double::doubleValue).sum() / invest.size();
            double std = Math.sqrt(invest.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (invest.size() - 1));
            assertThat((Double) row.getField("invest_z")).as("%s %d", firm, year).isCloseTo((line.invest() - mean) / std, offset(1e-12));
            assertThat((Double) row.getField("value_log1p")).isEqualTo(Math.log1p(line.value()));
            assertThat((Double) row.getField("capital")).as("no capital is missing: none is imputed").isEqualTo(line.capital());
            assertThat(row.getField("capital_missing")).isEqualTo(false);
            List<?> onehot = (List<?>) row.getField("firm_onehot");
            assertThat(onehot).hasSize(vocabulary.size());
            for (int i = 0; i < onehot.size(); i++) {
                assertThat(((Number) onehot.get(i)).intValue()).as("%s at %d", firm, i).isEqualTo(vocabulary.get(i).equals(firm) ? 1 : 0);
            }
        }
        com.fasterxml.jackson.databind.JsonNode impute = io.kiln.read.FeaturesReport.of("econ.grunfeld", table, table.currentSnapshot().snapshotId()).features().stream()
                .filter(feature -> feature.name().contains("impute")).findFirst().orElseThrow().state();
        assertThat(impute.toString()).as("the fitted mean").contains(Double.toString(capitalMean));

        harness.run("grunfeld-again", spec("econ.grunfeld_again"), 1, 1000);
        assertThat(harness.catalog.loadTable(TableIdentifier.of("econ", "grunfeld_again")).currentSnapshot().summary().get("kiln.content-digest"))
                .as("one thread in one batch against two threads in batches of 19").isEqualTo(table.currentSnapshot().summary().get("kiln.content-digest"));
    }
}
