package io.kiln.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class SuiteParserTest {
    @Test
    void parsesRulesAndAnomalies() {
        Suite suite = SuiteParser.parse("""
                # comments are fine
                Rules = [
                    RowCount > 0,          # a comment after a rule
                    IsUnique "id",
                    ColumnValues "_kiln_source_sha256" matches "[0-9a-f]{64}"
                ]
                Anomalies = [
                    RowCount maxIncrease 3.0 maxDecrease 0.5,
                    Completeness "text" maxDecrease 0.9   # no trailing comma
                ]""");

        assertThat(suite.ruleTexts()).containsExactly(
                "RowCount > 0", "IsUnique \"id\"", "ColumnValues \"_kiln_source_sha256\" matches \"[0-9a-f]{64}\"");
        assertThat(suite.anomalies()).containsExactly(
                new AnomalyRule(AnomalyMetric.ROW_COUNT, Optional.empty(), OptionalDouble.of(3.0), OptionalDouble.of(0.5)),
                new AnomalyRule(AnomalyMetric.COMPLETENESS, Optional.of("text"), OptionalDouble.empty(), OptionalDouble.of(0.9)));
        assertThat(suite.anomalyTexts()).containsExactly(
                "RowCount maxIncrease 3.0 maxDecrease 0.5", "Completeness \"text\" maxDecrease 0.9");
    }

    @Test
    void acceptsAnomaliesBeforeRulesAndKeepsDqdlLineNumbers() {
        assertThat(SuiteParser.parse("Anomalies = [ RowCount maxIncrease 2 ]\nRules = [ RowCount > 0 ]").ruleTexts())
                .containsExactly("RowCount > 0");
        assertInvalid("""
                Anomalies = [
                    RowCount maxIncrease 2
                ]
                Rules = [
                    RowCount >> 0
                ]""").hasMessageContaining("line 5:");
    }

    @Test
    void acceptsASuiteOfOnlyAnomaliesOrNothing() {
        assertThat(SuiteParser.parse("Anomalies = [ RowCount maxIncrease 3.0 ]").rules()).isEmpty();
        assertThat(SuiteParser.parse("# nothing").rules()).isEmpty();
        assertThat(SuiteParser.parse("Rules = [ RowCount > 0 ] # trailing comment").ruleTexts()).containsExactly("RowCount > 0");
        // DQDL itself refuses an empty list
        assertInvalid("Rules = [ ]").hasMessage("Invalid DQDL: Parsing Error: No rules or analyzers provided.");
    }

    @Test
    void reportsDqdlSyntaxErrorsWithTheirLine() {
        assertInvalid("Rules = [\n    RowCount > 0\n").hasMessageStartingWith("Invalid DQDL: ").hasMessageContaining("line 3:0");
        assertInvalid("Rules = [\n    RowCount > 0,\n    IsUnique \"id\" ColumnLength\n]")
                .hasMessage("Invalid DQDL: line 3: Parsing Error: Rule Type: IsUnique is not valid");
        assertInvalid("Rules = [\n    RowCount > 0,\n\n    Frobnicate \"id\"\n]")
                .hasMessage("Invalid DQDL: line 4: Parsing Error: Rule Type: Frobnicate is not valid");
    }

    @Test
    void refusesDetectAnomaliesAndPointsToTheAnomaliesBlock() {
        assertInvalid("Rules = [\n  RowCount > 0,\n  DetectAnomalies \"RowCount\"\n]")
                .hasMessage("line 3: Rule 'DetectAnomalies \"RowCount\"': DetectAnomalies is not supported by "
                        + "Deequ 2.1.0; write anomaly rules in an Anomalies = [ ... ] block, e.g. "
                        + "Anomalies = [ RowCount maxIncrease 3.0 ]");
    }

    @Test
    void refusesRulesThatNeedAReferenceDataSet() {
        assertInvalid("Rules = [ RowCountMatch \"reference\" = 1.0 ]")
                .hasMessageContaining("RowCountMatch compares with a reference data set");
        assertInvalid("Rules = [ SchemaMatch \"reference\" = 1.0 ]")
                .hasMessageContaining("SchemaMatch compares with a reference data set");
        assertInvalid("Rules = [ RowCount > 0 ]\nAnalyzers = [ Completeness \"id\" ]")
                .hasMessageContaining("Analyzers sections are not supported");
    }

    @Test
    void refusesRuleTypesDeequCannotRun() {
        assertInvalid("Rules = [ FileUniqueness \"s3://bucket/raw/\" > 0.9 ]").hasMessageContaining("line 1");
        assertInvalid("Rules = [ AllStatistics \"id\" ]").hasMessageContaining("AllStatistics");
    }

    @Test
    void reportsAnomalyErrorsWithTheirLine() {
        assertInvalid("Rules = [ RowCount > 0 ]\nAnomalies = [\n  RowCount maxIncrease 3.0,\n  RowCnt maxIncrease 2\n]")
                .hasMessage("line 4: unknown anomaly metric 'RowCnt', expected one of RowCount, Completeness, "
                        + "Uniqueness, DistinctValuesCount, Mean, Sum, StandardDeviation");
        assertInvalid("Anomalies = [\n  RowCount\n]").hasMessage("line 2: RowCount needs maxIncrease and/or maxDecrease");
        assertInvalid("Anomalies = [ Completeness maxDecrease 0.5 ]")
                .hasMessage("line 1: Completeness needs a column, e.g. Completeness \"text\"");
        assertInvalid("Anomalies = [ RowCount \"id\" maxIncrease 2 ]").hasMessage("line 1: RowCount takes no column");
        assertInvalid("Anomalies = [ RowCount maxIncrease ]").hasMessage("line 1: expected a number after maxIncrease");
        assertInvalid("Anomalies = [ RowCount maxIncrease 2 maxIncrease 3 ]").hasMessage("line 1: maxIncrease given twice");
        assertInvalid("Anomalies = [ RowCount increase 2 ]")
                .hasMessage("line 1: expected maxIncrease or maxDecrease, found increase");
        assertInvalid("Anomalies = [ RowCount maxIncrease 2, ]").hasMessage("line 1: trailing ',' in Anomalies block");
        assertInvalid("Anomalies = [ RowCount maxIncrease 0 ]").hasMessage("line 1: maxIncrease must be above 0, was 0.0");
        assertInvalid("\nAnomalies = [ RowCount maxIncrease 2").hasMessage("line 2: Anomalies block is not closed with ']'");
        assertInvalid("Anomalies = [ RowCount maxIncrease 2 ]\nAnomalies = [ ]")
                .hasMessage("line 2: a suite has at most one Anomalies block");
    }

    @Test
    void parsesTheDefaultTextSuite() throws IOException {
        Suite suite = SuiteParser.parse(Files.readString(Path.of("suites/text-default.dqdl")));

        assertThat(suite.ruleTexts()).contains("IsUnique \"id\"", "IsComplete \"text\"", "ColumnLength \"text\" >= 1",
                "ColumnLength \"text\" <= 1000000");
        assertThat(suite.anomalyTexts()).containsExactly("RowCount maxIncrease 3.0");
    }

    private static AbstractThrowableAssert<?, ?> assertInvalid(String suite) {
        return assertThatThrownBy(() -> SuiteParser.parse(suite))
                .isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_RULES));
    }
}
